package dev.shovel.vocab;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.shovel.ShovelException;
import dev.shovel.gguf.GGUFValue;
import dev.shovel.gguf.GGUFValueType;
import dev.shovel.gguf.GGUFWriter;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;

/**
 * A Hugging Face byte-level BPE {@code tokenizer.json} (with {@code tokenizer_config.json}, {@code config.json} and
 * {@code chat_template.jinja} beside it, when present) as the GGUF {@code tokenizer.*} keys llama.cpp's
 * convert_hf_to_gguf.py writes for it ({@code _set_vocab_gpt2} + gguf-py's SpecialVocab). The pre-tokenizer name is
 * recognised from the Split regex (the converter hashes the tokenization of a probe text instead) or given.
 */
public final class TokenizerJsonConverter {
    static final String REGEX_LLAMA3 = "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
    static final String REGEX_QWEN2 = "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
    static final String REGEX_GPT2 = "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+";

    /** gguf token types (llama_token_type). */
    static final int NORMAL = 1, CONTROL = 3, USER_DEFINED = 4, UNUSED = 5;

    /** SpecialVocab's token kinds and the GGUF key suffix each is written under. */
    private static final String[][] SPECIAL = {{"bos", "bos"}, {"eos", "eos"}, {"unk", "unknown"},
            {"sep", "seperator"}, {"pad", "padding"}, {"cls", "cls"}, {"mask", "mask"}};

    private static final ObjectMapper JSON = new ObjectMapper();

    private TokenizerJsonConverter() {}

    /** Whether {@code p} names a tokenizer.json (possibly gzipped) or a directory holding one. */
    public static boolean accepts(Path p) {
        String n = p.getFileName() == null ? "" : p.getFileName().toString();
        return n.endsWith(".json") || n.endsWith(".json.gz") || Files.isRegularFile(p.resolve("tokenizer.json"));
    }

    /** The tokenizer.* keys for {@code tokenizerJson}; {@code pre} = tokenizer.ggml.pre, or null to recognise it. */
    public static Map<String, GGUFValue> tokenizerKeys(Path tokenizerJson, String pre) {
        Path file = Files.isDirectory(tokenizerJson) ? tokenizerJson.resolve("tokenizer.json") : tokenizerJson;
        String src = file.toString();
        JsonNode root = read(file);
        if (root == null) throw new VocabException(src + ": file not found");
        Path dir = file.toAbsolutePath().getParent();
        JsonNode config = read(dir.resolve("tokenizer_config.json"));
        JsonNode hparams = read(dir.resolve("config.json"));

        JsonNode model = root.path("model");
        if (!model.path("type").asText("").equals("BPE")) {
            throw new VocabException(src + ": model type '" + model.path("type").asText("") + "' is not supported (only byte-level BPE)");
        }
        if (model.path("byte_fallback").asBoolean(false) || !(mentions(root.path("pre_tokenizer"), "ByteLevel")
                || mentions(root.path("decoder"), "ByteLevel"))) {
            throw new VocabException(src + ": only byte-level BPE is supported (SentencePiece-style BPE needs tokenizer.model)");
        }
        if (!model.path("vocab").isObject()) throw new VocabException(src + ": model.vocab is missing");
        if (!model.path("merges").isArray()) throw new VocabException(src + ": model.merges is missing");

        Map<Integer, String> byId = new HashMap<>();
        model.path("vocab").properties().forEach(e -> byId.put(e.getValue().asInt(), e.getKey()));
        Map<Integer, JsonNode> added = new HashMap<>();
        Map<String, Integer> addedByContent = new HashMap<>();
        for (JsonNode t : root.path("added_tokens")) {
            int id = t.path("id").asInt();
            String content = t.path("content").asText();
            added.put(id, t);
            addedByContent.put(content, id);
            byId.put(id, content);
        }
        int n = byId.keySet().stream().mapToInt(Integer::intValue).max().orElse(-1) + 1;
        if (hparams != null && hparams.path("vocab_size").canConvertToInt()) n = Math.max(n, hparams.path("vocab_size").asInt());
        if (n == 0) throw new VocabException(src + ": the vocabulary is empty");

        String[] tokens = new String[n];
        int[] types = new int[n];
        for (int i = 0; i < n; i++) {
            String t = byId.get(i);
            JsonNode a = added.get(i);
            if (t == null) {
                tokens[i] = "[PAD" + i + "]";
                types[i] = UNUSED;
            } else if (a != null && (a.path("special").asBoolean(false) || looksSpecial(t))) {
                tokens[i] = t;
                types[i] = CONTROL;
            } else if (a != null) {
                tokens[i] = t.replace("\u2581", " ");
                types[i] = USER_DEFINED;
            } else {
                tokens[i] = t;
                types[i] = NORMAL;
            }
        }
        List<String> merges = new ArrayList<>();
        for (JsonNode m : model.path("merges")) {
            if (m.isArray()) merges.add(m.path(0).asText() + " " + m.path(1).asText());
            else merges.add(m.asText());
        }

        Map<String, GGUFValue> kv = new LinkedHashMap<>();
        String p = "tokenizer.ggml.";
        kv.put(p + "model", GGUFValue.string("gpt2"));
        kv.put(p + "pre", GGUFValue.string(pre != null ? pre : recognisePre(root, src)));
        kv.put(p + "tokens", GGUFValue.array(GGUFValueType.STRING, tokens));
        kv.put(p + "token_type", GGUFValue.array(GGUFValueType.INT32, types));
        kv.put(p + "merges", GGUFValue.array(GGUFValueType.STRING, merges.toArray(new String[0])));
        Map<String, Integer> ids = specialIds(config, hparams, addedByContent, n);
        ids.forEach((k, id) -> kv.put(p + k + "_token_id", GGUFValue.u32(id)));
        addFlags(kv, root, config, tokens, ids);
        String template = chatTemplate(config, dir);
        if (template != null) kv.put("tokenizer.chat_template", GGUFValue.string(template));
        return kv;
    }

    /** Writes a vocab-only GGUF (metadata, no tensors) for {@code tokenizerJson}. */
    public static void writeVocabGGUF(Path tokenizerJson, String pre, Path out) {
        Map<String, GGUFValue> kv = tokenizerKeys(tokenizerJson, pre);
        Path dir = (Files.isDirectory(tokenizerJson) ? tokenizerJson : tokenizerJson.toAbsolutePath().getParent());
        String name = dir == null || dir.getFileName() == null ? "vocab" : dir.getFileName().toString();
        try {
            new GGUFWriter().putString("general.name", name).putAll(kv).write(out);
        } catch (IOException e) {
            throw new VocabException("cannot write " + out + ": " + e.getMessage(), e);
        }
    }

    /** bos/eos/… ids: tokenizer_config.json names matched against added_tokens, then config.json ids. */
    private static Map<String, Integer> specialIds(JsonNode config, JsonNode hparams, Map<String, Integer> added, int n) {
        Map<String, Integer> ids = new LinkedHashMap<>();
        for (String[] kind : SPECIAL) {
            Integer id = null;
            if (config != null) {
                JsonNode t = config.path(kind[0] + "_token");
                String content = t.isTextual() ? t.asText() : t.isObject() ? t.path("content").asText(null) : null;
                if (content != null) id = added.get(content);
            }
            if (id == null && hparams != null && hparams.path(kind[0] + "_token_id").canConvertToInt()) {
                id = hparams.path(kind[0] + "_token_id").asInt();
            }
            if (id != null && id >= 0 && id < n) ids.put(kind[1], id);
        }
        return ids;
    }

    /** add_bos_token / add_eos_token: tokenizer_config.json, else a TemplateProcessing post-processor. */
    private static void addFlags(Map<String, GGUFValue> kv, JsonNode root, JsonNode config, String[] tokens,
                                 Map<String, Integer> ids) {
        Boolean addBos = null, addEos = null;
        JsonNode post = root.path("post_processor");
        if (post.path("type").asText("").equals("Sequence")) {
            for (JsonNode pp : post.path("processors")) if (pp.path("type").asText("").equals("TemplateProcessing")) post = pp;
        }
        JsonNode single = post.path("single");
        if (post.path("type").asText("").equals("TemplateProcessing") && single.isArray() && !single.isEmpty()) {
            String first = single.get(0).path("SpecialToken").path("id").asText(null);
            String lastTok = single.get(single.size() - 1).path("SpecialToken").path("id").asText(null);
            Integer bos = ids.get("bos"), eos = ids.get("eos");
            addBos = first != null && bos != null && first.equals(tokens[bos]);
            addEos = lastTok != null && eos != null && lastTok.equals(tokens[eos]);
        }
        if (config != null && config.path("add_bos_token").isBoolean()) addBos = config.path("add_bos_token").asBoolean();
        if (config != null && config.path("add_eos_token").isBoolean()) addEos = config.path("add_eos_token").asBoolean();
        if (addBos != null) kv.put("tokenizer.ggml.add_bos_token", GGUFValue.bool(addBos));
        if (addEos != null) kv.put("tokenizer.ggml.add_eos_token", GGUFValue.bool(addEos));
    }

    /** chat_template of tokenizer_config.json (a string, or the "default" of a named list), else chat_template.jinja. */
    private static String chatTemplate(JsonNode config, Path dir) {
        if (config != null) {
            JsonNode t = config.path("chat_template");
            if (t.isTextual()) return t.asText();
            if (t.isArray()) {
                for (JsonNode e : t) if (e.path("name").asText("").equals("default")) return e.path("template").asText();
            }
        }
        Path jinja = dir.resolve("chat_template.jinja");
        if (Files.isRegularFile(jinja)) {
            try {
                return Files.readString(jinja, StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new VocabException("cannot read " + jinja + ": " + e.getMessage(), e);
            }
        }
        return null;
    }

    /** tokenizer.ggml.pre for the pre-tokenizer's Split regex. */
    private static String recognisePre(JsonNode root, String src) {
        List<String> regexes = new ArrayList<>();
        boolean byteLevelRegex = false;
        List<JsonNode> todo = new ArrayList<>(List.of(root.path("pre_tokenizer")));
        while (!todo.isEmpty()) {
            JsonNode n = todo.removeLast();
            String type = n.path("type").asText("");
            if (type.equals("Sequence")) n.path("pretokenizers").forEach(todo::add);
            if (type.equals("Split")) regexes.add(n.path("pattern").path("Regex").asText(n.path("pattern").path("String").asText("")));
            if (type.equals("ByteLevel") && n.path("use_regex").asBoolean(true)) byteLevelRegex = true;
        }
        if (regexes.equals(List.of(REGEX_LLAMA3))) return "llama-bpe";
        if (regexes.equals(List.of(REGEX_QWEN2))) return "qwen2";
        if (regexes.equals(List.of(REGEX_GPT2)) || (regexes.isEmpty() && byteLevelRegex)) return "gpt-2";
        throw new VocabException(src + ": pre-tokenizer not recognised; name it (tokenizer.ggml.pre, e.g. qwen2, llama-bpe, gpt-2)");
    }

    /** convert_hf_to_gguf's does_token_look_special. */
    static boolean looksSpecial(String t) {
        return t.equals("<pad>") || t.equals("<mask>") || t.equals("<2mass>") || t.equals("[@BOS@]")
                || (t.startsWith("<|") && t.endsWith("|>"))
                || (t.startsWith("<\uFF5C") && t.endsWith("\uFF5C>"))
                || (t.startsWith("<unused") && t.endsWith(">"));
    }

    private static boolean mentions(JsonNode n, String type) {
        if (n.isObject() && type.equals(n.path("type").asText())) return true;
        if (n.isContainerNode()) for (JsonNode c : n) if (mentions(c, type)) return true;
        return false;
    }

    /** The JSON in {@code p} (gunzipped when the name ends in .gz), or null when there is no such file. */
    private static JsonNode read(Path p) {
        if (!Files.isRegularFile(p)) return null;
        try (InputStream raw = Files.newInputStream(p);
             InputStream in = p.toString().endsWith(".gz") ? new GZIPInputStream(raw, 1 << 16) : raw) {
            return JSON.readTree(in);
        } catch (IOException e) {
            throw new VocabException(p + ": not valid JSON (" + e.getMessage().lines().findFirst().orElse("") + ")", e);
        }
    }
}
