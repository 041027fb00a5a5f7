package dev.shovel.tokenizer;

import dev.shovel.gguf.GGUFFile;
import dev.shovel.gguf.GGUFValue;

/** Reads the tokenizer.* keys of a GGUF file into {@link VocabData}. */
final class GGUFVocab {
    private static final String P = "tokenizer.ggml.";

    private GGUFVocab() {}

    static VocabData read(GGUFFile g) {
        VocabData d = new VocabData();
        d.source = String.valueOf(g.path());
        d.model = g.getString(P + "model", null);
        d.pre = g.getString(P + "pre", null);
        d.name = g.getString("general.name", "");
        d.arch = g.getString("general.architecture", "");
        d.tokens = g.getStringArray(P + "tokens");
        d.scores = scores(g);
        d.types = g.getIntArray(P + "token_type");
        d.merges = g.getStringArray(P + "merges");
        for (String k : VocabData.ID_KEYS) {
            String key = P + k + "_token_id";
            if (g.has(key)) d.ids.put(k, g.getLong(key));
        }
        d.addBos = bool(g, P + "add_bos_token");
        d.addEos = bool(g, P + "add_eos_token");
        d.addSep = bool(g, P + "add_sep_token");
        d.addSpacePrefix = bool(g, P + "add_space_prefix");
        d.removeExtraWhitespaces = bool(g, P + "remove_extra_whitespaces");
        d.lowercase = bool(g, P + "normalizer.lowercase");
        d.stripAccents = bool(g, P + "normalizer.strip_accents");
        d.chatTemplate = g.getString("tokenizer.chat_template", null);
        return d;
    }

    /** tokenizer.ggml.scores may be float32 or int32 (llama.cpp accepts both). */
    private static float[] scores(GGUFFile g) {
        GGUFValue v = g.get(P + "scores");
        if (v == null) return null;
        if (v.value() instanceof int[] ints) {
            float[] f = new float[ints.length];
            for (int i = 0; i < ints.length; i++) f[i] = ints[i];
            return f;
        }
        if (!(v.value() instanceof float[] f)) {
            throw new TokenizerException(g.path() + ": tokenizer.ggml.scores must be an array of float32 or int32");
        }
        return f;
    }

    private static Boolean bool(GGUFFile g, String key) {
        return g.has(key) ? g.getBool(key, false) : null;
    }
}
