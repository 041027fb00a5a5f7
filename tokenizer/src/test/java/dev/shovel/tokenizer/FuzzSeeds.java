package dev.shovel.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.shovel.gguf.GGUFFile;
import dev.shovel.gguf.GGUFValue;
import dev.shovel.gguf.GGUFValueType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.zip.GZIPInputStream;

/**
 * Writes the seed inputs of {@link TokenizerFuzzTest}: the repository's real vocabularies cut down to a few hundred
 * tokens (their merges and special ids kept where they still fit) with one of llama.cpp's test texts, plus a few
 * hand-made tokenizer.json files. Run with -Dshovel.writeFuzzSeeds=true from the tokenizer module directory.
 */
@EnabledIfSystemProperty(named = "shovel.writeFuzzSeeds", matches = "true")
class FuzzSeeds {
    private static final Path INPUTS = Path.of("src/test/resources/dev/shovel/tokenizer/TokenizerFuzzTestInputs");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String P = "tokenizer.ggml.";

    @Test
    void write() throws IOException {
        List<String> texts = Fixtures.inputs("llama-spm");
        String[] vocabs = {"baichuan", "bert-bge", "deepseek-coder", "deepseek-llm", "falcon", "gpt-2", "gpt-neox",
            "llama-spm", "mpt", "phi-3", "refact", "starcoder"};
        Path gdir = Files.createDirectories(INPUTS.resolve("ggufMetadata"));
        int k = 0;
        for (String v : vocabs) {
            try (GGUFFile g = GGUFFile.open(Fixtures.unpack(Fixtures.VOCAB_DIR + "ggml-vocab-" + v + ".gguf.gz"))) {
                Map<String, GGUFValue> m = cut(g.metadata(), v.equals("bert-bge") ? 1100 : 700);
                String text = texts.get((k * 7 + 11) % texts.size());
                if (text.length() < 20) text = texts.get(texts.size() - 1).substring(0, 200);
                write(gdir.resolve(v), m, k % 8, text);
            }
            k++;
        }
        try (GGUFFile g = GGUFFile.open(Fixtures.unpack("/tokenizer/stories260K/ref-llama-model.gguf.gz"))) {
            write(gdir.resolve("stories260K"), cut(g.metadata(), 600), 3, "Once upon a time, there was a little girl.");
        }

        Path jdir = Files.createDirectories(INPUTS.resolve("tokenizerJson"));
        for (String name : new String[] {"llama3", "qwen3"}) {
            ObjectNode tj = (ObjectNode) JSON.readTree(new GZIPInputStream(Fixtures.resource("/tokenizer/" + name + "/tokenizer.json.gz")));
            JsonNode cfg = JSON.readTree(Fixtures.resource("/tokenizer/" + name + "/tokenizer_config.json"));
            cutJson(tj, 500, 24);
            ObjectNode small = JSON.createObjectNode();
            for (String f : new String[] {"bos_token", "eos_token", "add_bos_token", "add_eos_token", "unk_token", "pad_token"}) {
                if (cfg.has(f)) small.set(f, cfg.get(f));
            }
            small.put("chat_template", "{{ bos_token }}{% for m in messages %}{{ m.content }}{% endfor %}");
            writeJson(jdir.resolve(name), tj.toString(), small.toString(), "", "", texts.get(30));
        }
        String tiny = """
            {"model": {"type": "BPE", "vocab": {"a": 0, "b": 1, "ab": 2, "Ġ": 3, "Ġab": 4}, "merges": [["a", "b"], "Ġ ab"]},
             "added_tokens": [{"id": 5, "content": "<|end|>", "special": true}, {"id": 6, "content": "<s>", "special": true}],
             "post_processor": {"type": "TemplateProcessing", "single": [{"SpecialToken": {"id": "<s>"}}, {"Sequence": {"id": "A"}}]},
             "pre_tokenizer": {"type": "ByteLevel", "use_regex": true}, "decoder": {"type": "ByteLevel"}}""";
        writeJson(jdir.resolve("tiny-bpe"), tiny, "{\"bos_token\": \"<s>\", \"add_bos_token\": true}",
            "{\"vocab_size\": 9, \"eos_token_id\": 5}", "", "ab ab<|end|><s>\uD83E\uDD99 x");
        writeJson(jdir.resolve("tiny-bpe-llama3"), tiny, "", "", "llama-bpe", " ab's  \n\n 123456 ab");
        writeJson(jdir.resolve("tiny-bpe-gpt4o"), tiny, "", "", "gpt-4o", "ABab ab\r\n//ab");
        String wp = """
            {"model": {"type": "WordPiece", "vocab": {"[PAD]": 0, "[UNK]": 1, "[CLS]": 2, "[SEP]": 3, "[MASK]": 4,
               "hello": 5, "world": 6, "##s": 7, "un": 8, "##aff": 9, "##able": 10, ",": 11, "!": 12, "中": 13}},
             "normalizer": {"type": "BertNormalizer", "lowercase": true, "strip_accents": null},
             "added_tokens": [{"id": 0, "content": "[PAD]", "special": true}, {"id": 1, "content": "[UNK]", "special": true},
               {"id": 2, "content": "[CLS]", "special": true}, {"id": 3, "content": "[SEP]", "special": true},
               {"id": 4, "content": "[MASK]", "special": true}]}""";
        writeJson(jdir.resolve("tiny-wordpiece"), wp, "{\"cls_token\": \"[CLS]\", \"sep_token\": \"[SEP]\", \"unk_token\": \"[UNK]\"}",
            "", "", "Hello, worlds! Unaffable \u4E2D\u6587 [MASK] h\u00E9llo");
        Tokenizer bert = Fixtures.vocab("bert-bge");
        writeJson(jdir.resolve("bert-bge"), wordPiece(bert, 1100), "{\"cls_token\": \"[CLS]\", \"sep_token\": \"[SEP]\"}",
            "", "", texts.get(40));
    }

    /** The first n tokens, their merges, and the special ids among them. */
    private static Map<String, GGUFValue> cut(Map<String, GGUFValue> meta, int n) {
        Map<String, GGUFValue> m = new LinkedHashMap<>();
        String[] tokens = (String[]) meta.get(P + "tokens").value();
        n = Math.min(n, tokens.length);
        String[] t = java.util.Arrays.copyOf(tokens, n);
        Set<String> kept = new HashSet<>(List.of(t));
        for (var e : meta.entrySet()) {
            String key = e.getKey();
            GGUFValue v = e.getValue();
            if (!key.startsWith("tokenizer.ggml.") && !key.equals("general.name") && !key.equals("general.architecture")) continue;
            switch (key) {
                case P + "tokens" -> m.put(key, GGUFValue.array(GGUFValueType.STRING, t));
                case P + "scores" -> m.put(key, GGUFValue.array(GGUFValueType.FLOAT32, java.util.Arrays.copyOf((float[]) v.value(), n)));
                case P + "token_type" -> m.put(key, GGUFValue.array(GGUFValueType.INT32, java.util.Arrays.copyOf((int[]) v.value(), n)));
                case P + "merges" -> {
                    List<String> ms = new ArrayList<>();
                    for (String r : (String[]) v.value()) {
                        int sp = r.indexOf(' ', 1);
                        if (sp > 0 && kept.contains(r.substring(0, sp)) && kept.contains(r.substring(sp + 1))
                                && kept.contains(r.substring(0, sp) + r.substring(sp + 1))) ms.add(r);
                    }
                    m.put(key, GGUFValue.array(GGUFValueType.STRING, ms.toArray(new String[0])));
                }
                default -> {
                    if (key.endsWith("_token_id")) {
                        long id = ((Number) v.value()).longValue();
                        if (id < n) m.put(key, GGUFValue.u32(id));
                    } else if (v.type() != GGUFValueType.ARRAY) {
                        m.put(key, v);
                    }
                }
            }
        }
        return m;
    }

    private static void write(Path file, Map<String, GGUFValue> m, int flags, String text) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(TokenizerFuzzTest.MetaCodec.encode(m));
        out.write(flags);
        out.write(text.getBytes(StandardCharsets.UTF_8));
        Files.write(file, out.toByteArray());
    }

    private static void writeJson(Path file, String json, String config, String hparams, String pre, String text) throws IOException {
        Files.writeString(file, json + "\0" + config + "\0" + hparams + "\0" + pre + "\0" + text);
    }

    /** Keeps vocab ids below n and their merges; renumbers up to maxAdded added tokens to n, n+1, ... */
    private static void cutJson(ObjectNode tj, int n, int maxAdded) {
        ObjectNode model = (ObjectNode) tj.get("model");
        ObjectNode vocab = (ObjectNode) model.get("vocab");
        Set<String> kept = new HashSet<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = vocab.fields(); it.hasNext(); ) {
            var e = it.next();
            if (e.getValue().asInt() >= n) it.remove();
            else kept.add(e.getKey());
        }
        ArrayNode merges = JSON.createArrayNode();
        for (JsonNode r : model.get("merges")) {
            String a, b;
            if (r.isArray()) {
                a = r.get(0).asText();
                b = r.get(1).asText();
            } else {
                String s = r.asText();
                int sp = s.indexOf(' ', 1);
                a = s.substring(0, sp);
                b = s.substring(sp + 1);
            }
            if (kept.contains(a) && kept.contains(b) && kept.contains(a + b)) merges.add(r);
        }
        model.set("merges", merges);
        ArrayNode added = JSON.createArrayNode();
        for (JsonNode a : tj.get("added_tokens")) {
            if (added.size() >= maxAdded) break;
            ObjectNode c = a.deepCopy();
            c.put("id", n + added.size());
            added.add(c);
        }
        tj.set("added_tokens", added);
        tj.remove("post_processor");
        tj.remove("decoder");
        if (tj.has("normalizer") && tj.get("normalizer").isNull()) tj.remove("normalizer");
        tj.set("decoder", JSON.createObjectNode().put("type", "ByteLevel"));
    }

    /** A WordPiece tokenizer.json of the first n tokens of a bert GGUF vocabulary ("##" continuations). */
    private static String wordPiece(Tokenizer g, int n) {
        ObjectNode root = JSON.createObjectNode();
        ObjectNode model = root.putObject("model");
        model.put("type", "WordPiece");
        ObjectNode vocab = model.putObject("vocab");
        ArrayNode added = root.putArray("added_tokens");
        for (int id = 0; id < n; id++) {
            String t = g.tokenText(id);
            if (g.isControl(id)) added.addObject().put("id", id).put("content", t).put("special", true);
            vocab.put(t.startsWith("\u2581") ? t.substring(1) : t.startsWith("[") && t.endsWith("]") ? t : "##" + t, id);
        }
        for (int id = 1996; id < 2400; id++) {
            String t = g.tokenText(id);
            vocab.put(t.startsWith("\u2581") ? t.substring(1) : "##" + t, n + id - 1996);
        }
        root.putObject("normalizer").put("type", "BertNormalizer").put("lowercase", true);
        return root.toString();
    }
}
