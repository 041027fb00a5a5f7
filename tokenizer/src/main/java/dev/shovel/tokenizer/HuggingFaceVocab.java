package dev.shovel.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Builds the GGUF tokenizer metadata that llama.cpp's convert_hf_to_gguf.py would write for a Hugging Face
 * tokenizer.json (+ tokenizer_config.json, config.json in the same directory). Supports byte-level BPE
 * (gpt2) and WordPiece (bert). The pre-tokenizer is recognised from the Split regex, or given.
 */
final class HuggingFaceVocab {
    static final String HF_LLAMA3 = "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
    static final String HF_QWEN2 = "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
    static final String HF_GPT2 = "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+";

    private HuggingFaceVocab() {}

    static VocabData read(Path tokenizerJson, String pre) {
        TokenizerJson tj = TokenizerJson.read(tokenizerJson);
        Path dir = tokenizerJson.toAbsolutePath().getParent();
        JsonNode config = dir == null ? null : TokenizerJson.readOptional(dir.resolve("tokenizer_config.json"));
        JsonNode hparams = dir == null ? null : TokenizerJson.readOptional(dir.resolve("config.json"));
        return read(tj, config, hparams, tokenizerJson.toString(), pre);
    }

    /** The same from parsed files: config (tokenizer_config.json) and hparams (config.json) may be null. */
    static VocabData read(TokenizerJson tj, JsonNode config, JsonNode hparams, String src, String pre) {
        JsonNode root = tj.root;

        JsonNode model = root.path("model");
        String type = model.path("type").asText("");
        VocabData d = new VocabData();
        d.source = src;
        d.noDefaultBpeIds = true;
        Map<Integer, String> byId = tj.vocab;
        if (!model.has("vocab")) throw new TokenizerException(src + ": model.vocab is missing or not an object");
        Map<Integer, JsonNode> added = new HashMap<>();
        int k = 0;
        for (JsonNode t : root.path("added_tokens")) {
            JsonNode idNode = t.path("id");
            if (!idNode.canConvertToLong() || !idNode.isIntegralNumber() || idNode.asLong() < 0
                    || idNode.asLong() >= TokenizerLimits.MAX_TOKENS) {
                throw new TokenizerException(src + ": added_tokens[" + k + "].id = " + abbreviate(idNode.toString())
                    + " is not an integer in [0, " + TokenizerLimits.MAX_TOKENS + ")");
            }
            int id = idNode.asInt();
            added.put(id, t);
            byId.put(id, t.path("content").asText());
            k++;
        }
        int n = byId.keySet().stream().mapToInt(Integer::intValue).max().orElse(-1) + 1;
        if (n == 0) throw new TokenizerException(src + ": empty vocabulary");
        if (n - byId.size() > TokenizerLimits.MAX_VOCAB_PADDING) {
            throw new TokenizerException(src + ": ids run to " + (n - 1) + " but only " + byId.size()
                + " are used, more unused ids than the padding limit of " + TokenizerLimits.MAX_VOCAB_PADDING);
        }
        if (hparams != null && hparams.path("vocab_size").canConvertToInt()) {
            int size = hparams.path("vocab_size").asInt();
            if (size > byId.size() + TokenizerLimits.MAX_VOCAB_PADDING) {
                throw new TokenizerException(src + ": config.json vocab_size = " + size + " leaves more than "
                    + TokenizerLimits.MAX_VOCAB_PADDING + " ids (the padding limit) past the tokenizer's " + byId.size());
            }
            n = Math.max(n, size);
        }

        switch (type) {
            case "BPE" -> {
                if (model.path("byte_fallback").asBoolean(false) || !usesByteLevel(root)) {
                    throw new TokenizerException(src + ": only byte-level BPE tokenizer.json is supported (use the GGUF for SentencePiece-style BPE)");
                }
                d.model = "gpt2";
                d.pre = pre != null ? pre : recognisePre(root, src);
                if (!tj.hasMerges) throw new TokenizerException(src + ": model.merges is missing");
                d.merges = tj.merges.toArray(new String[0]);
            }
            case "WordPiece" -> {
                d.model = "bert";
                d.pre = pre;
                JsonNode norm = root.path("normalizer");
                if (norm.path("type").asText("").equals("BertNormalizer")) {
                    d.lowercase = norm.path("lowercase").asBoolean(true);
                    JsonNode sa = norm.path("strip_accents");
                    if (sa.isBoolean()) d.stripAccents = sa.asBoolean();
                }
            }
            default -> throw new TokenizerException(src + ": tokenizer.json model type '" + type + "' is not supported");
        }

        d.tokens = new String[n];
        d.types = new int[n];
        for (int i = 0; i < n; i++) {
            String t = byId.get(i);
            if (t == null) {
                d.tokens[i] = "[PAD" + i + "]";
                d.types[i] = TokenAttr.TYPE_UNUSED;
                continue;
            }
            JsonNode a = added.get(i);
            if (a != null) {
                d.types[i] = a.path("special").asBoolean(false) || looksSpecial(t) ? TokenAttr.TYPE_CONTROL : TokenAttr.TYPE_USER_DEFINED;
            } else {
                d.types[i] = TokenAttr.TYPE_NORMAL;
            }
            if (d.model.equals("bert") && a == null) t = phantomSpace(t);
            d.tokens[i] = t;
        }
        specialIds(d, root, config, hparams);
        if (config != null) {
            if (config.path("add_bos_token").isBoolean()) d.addBos = config.path("add_bos_token").asBoolean();
            if (config.path("add_eos_token").isBoolean()) d.addEos = config.path("add_eos_token").asBoolean();
            JsonNode tpl = config.path("chat_template");
            if (tpl.isTextual()) {
                d.chatTemplate = tpl.asText();
            } else if (tpl.isArray()) {
                for (JsonNode t : tpl) if (t.path("name").asText("").equals("default")) d.chatTemplate = t.path("template").asText();
            }
        }
        return d;
    }

    private static boolean usesByteLevel(JsonNode root) {
        return mentionsType(root.path("pre_tokenizer"), "ByteLevel") || mentionsType(root.path("decoder"), "ByteLevel");
    }

    private static boolean mentionsType(JsonNode n, String type) {
        if (n.isObject()) {
            if (type.equals(n.path("type").asText())) return true;
            for (JsonNode c : n) if (mentionsType(c, type)) return true;
        } else if (n.isArray()) {
            for (JsonNode c : n) if (mentionsType(c, type)) return true;
        }
        return false;
    }

    /** The tokenizer.ggml.pre name for the Split regex of the pre-tokenizer (convert_hf_to_gguf hashes instead). */
    private static String recognisePre(JsonNode root, String src) {
        List<String> regexes = new ArrayList<>();
        List<String> others = new ArrayList<>();
        boolean byteLevelRegex = false;
        List<JsonNode> stack = new ArrayList<>(List.of(root.path("pre_tokenizer")));
        while (!stack.isEmpty()) {
            JsonNode n = stack.removeLast();
            String t = n.path("type").asText("");
            switch (t) {
                case "Sequence" -> n.path("pretokenizers").forEach(stack::add);
                case "Split" -> regexes.add(n.path("pattern").path("Regex").asText(n.path("pattern").path("String").asText("")));
                case "ByteLevel" -> byteLevelRegex |= n.path("use_regex").asBoolean(true);
                default -> others.add(t);
            }
        }
        if (!others.isEmpty()) {
            throw new TokenizerException(src + ": unrecognised pre-tokenizer " + others
                + "; pass the tokenizer.ggml.pre name explicitly");
        }
        if (regexes.size() == 1 && regexes.get(0).equals(HF_LLAMA3)) return "llama-bpe";
        if (regexes.size() == 1 && regexes.get(0).equals(HF_QWEN2)) return "qwen2";
        if (regexes.isEmpty() && byteLevelRegex) return "gpt-2";
        if (regexes.size() == 1 && regexes.get(0).equals(HF_GPT2)) return "gpt-2";
        throw new TokenizerException(src + ": unrecognised pre-tokenizer " + regexes
            + "; pass the tokenizer.ggml.pre name explicitly");
    }

    private static boolean inRange(Long id, VocabData d) {
        return id != null && id >= 0 && id < d.tokens.length;
    }

    static String abbreviate(String s) {
        return s.length() <= 40 ? s : s.substring(0, 37) + "...";
    }

    /** convert_hf_to_gguf's does_token_look_special. */
    static boolean looksSpecial(String t) {
        return t.equals("<pad>") || t.equals("<mask>") || t.equals("<2mass>") || t.equals("[@BOS@]")
            || (t.startsWith("<|") && t.endsWith("|>"))
            || (t.startsWith("<\uFF5C") && t.endsWith("\uFF5C>"))
            || (t.startsWith("<unused") && t.endsWith(">"));
    }

    /** BERT vocabularies in GGUF mark word starts with U+2581 and drop the "##" of continuations. */
    private static String phantomSpace(String t) {
        if (t.startsWith("[") && t.endsWith("]")) return t;
        if (t.startsWith("##")) return t.substring(2);
        return "\u2581" + t;
    }

    /** bos/eos/unk/sep/pad/mask from tokenizer_config.json names, else config.json ids (gguf SpecialVocab). */
    private static void specialIds(VocabData d, JsonNode root, JsonNode config, JsonNode hparams) {
        Map<String, Integer> ids = new HashMap<>();
        for (int i = 0; i < d.tokens.length; i++) ids.putIfAbsent(d.tokens[i], i);
        String[][] kinds = {{"bos", "bos"}, {"eos", "eos"}, {"unk", "unknown"}, {"sep", "seperator"},
            {"pad", "padding"}, {"mask", "mask"}, {"cls", "cls"}};
        for (String[] k : kinds) {
            Integer id = null;
            if (config != null) {
                JsonNode t = config.path(k[0] + "_token");
                String content = t.isTextual() ? t.asText() : t.isObject() ? t.path("content").asText(null) : null;
                if (content != null) {
                    id = ids.get(content);
                    if (id == null && d.model.equals("bert")) id = ids.get(phantomSpace(content));
                }
            }
            if (id == null && hparams != null && hparams.path(k[0] + "_token_id").canConvertToInt()) {
                id = hparams.path(k[0] + "_token_id").asInt();
            }
            if (id == null) continue;
            if (k[0].equals("cls")) {
                if (d.model.equals("bert") && !d.ids.containsKey("bos")) d.ids.put("bos", (long) id);
            } else {
                d.ids.put(k[1], (long) id);
            }
        }
        // post_processor TemplateProcessing: a leading/trailing special token means add_bos/add_eos
        JsonNode single = root.path("post_processor").path("single");
        if (root.path("post_processor").path("type").asText("").equals("TemplateProcessing") && single.isArray()
                && !single.isEmpty()) {
            String first = single.get(0).path("SpecialToken").path("id").asText(null);
            String last = single.get(single.size() - 1).path("SpecialToken").path("id").asText(null);
            Long bos = d.ids.get("bos"), eos = d.ids.get("eos");
            if (first != null && inRange(bos, d) && first.equals(d.tokens[bos.intValue()])) d.addBos = true;
            if (last != null && inRange(eos, d) && last.equals(d.tokens[eos.intValue()])) d.addEos = true;
        }
    }
}
