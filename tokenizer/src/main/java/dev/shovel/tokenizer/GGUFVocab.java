package dev.shovel.tokenizer;

import dev.shovel.gguf.GGUFFile;
import dev.shovel.gguf.GGUFValue;
import dev.shovel.gguf.GGUFValueType;

import java.util.Map;

/**
 * Reads the tokenizer.* keys of a GGUF file into {@link VocabData}. Every value is type-checked here: a key of
 * the wrong type (scores as strings, token_type as floats, an id as a string, ...) is a {@link TokenizerException}
 * naming the key and both types, never a ClassCastException or a GGUF reader error.
 */
final class GGUFVocab {
    private static final String P = "tokenizer.ggml.";

    private GGUFVocab() {}

    static VocabData read(GGUFFile g) {
        return read(g.metadata(), String.valueOf(g.path()));
    }

    /** The same from metadata alone (source names the file in messages). */
    static VocabData read(Map<String, GGUFValue> meta, String source) {
        Reader r = new Reader(meta, source);
        VocabData d = new VocabData();
        d.source = source;
        d.model = r.string(P + "model");
        d.pre = r.string(P + "pre");
        String name = r.string("general.name");
        String arch = r.string("general.architecture");
        d.name = name == null ? "" : name;
        d.arch = arch == null ? "" : arch;
        d.tokens = r.strings(P + "tokens", TokenizerLimits.MAX_TOKENS);
        d.scores = r.floats(P + "scores");
        d.types = r.ints(P + "token_type");
        d.merges = r.strings(P + "merges", TokenizerLimits.MAX_MERGES);
        for (String k : VocabData.ID_KEYS) {
            Long id = r.integer(P + k + "_token_id");
            if (id != null) d.ids.put(k, id);
        }
        d.addBos = r.bool(P + "add_bos_token");
        d.addEos = r.bool(P + "add_eos_token");
        d.addSep = r.bool(P + "add_sep_token");
        d.addSpacePrefix = r.bool(P + "add_space_prefix");
        d.removeExtraWhitespaces = r.bool(P + "remove_extra_whitespaces");
        d.lowercase = r.bool(P + "normalizer.lowercase");
        d.stripAccents = r.bool(P + "normalizer.strip_accents");
        d.chatTemplate = r.string("tokenizer.chat_template");
        return d;
    }

    /** Typed access to metadata values whatever Java type the reader (or a caller) put in them. */
    private record Reader(Map<String, GGUFValue> meta, String source) {
        private GGUFValue get(String key) {
            GGUFValue v = meta.get(key);
            return v == null || v.value() == null ? null : v;
        }

        private TokenizerException wrongType(String key, GGUFValue v, String want) {
            return new TokenizerException(source + ": " + key + " must be " + want + ", found " + describe(v));
        }

        private static String describe(GGUFValue v) {
            if (v.type() == GGUFValueType.ARRAY || v.value().getClass().isArray()) {
                String elem = v.elementType() != null ? v.elementType().toString()
                    : v.value().getClass().getComponentType().getSimpleName();
                return "an array of " + elem;
            }
            return v.type() != null ? v.type().toString() : v.value().getClass().getSimpleName();
        }

        String string(String key) {
            GGUFValue v = get(key);
            if (v == null) return null;
            if (!(v.value() instanceof String s)) throw wrongType(key, v, "a string");
            return s;
        }

        Boolean bool(String key) {
            GGUFValue v = get(key);
            if (v == null) return null;
            if (!(v.value() instanceof Boolean b)) throw wrongType(key, v, "a bool");
            return b;
        }

        Long integer(String key) {
            GGUFValue v = get(key);
            if (v == null) return null;
            return switch (v.value()) {
                case Long l -> l;
                case Integer i -> (long) i;
                case Short s -> (long) s;
                case Byte b -> (long) b;
                default -> throw wrongType(key, v, "an integer");
            };
        }

        String[] strings(String key, int max) {
            GGUFValue v = get(key);
            if (v == null) return null;
            if (!(v.value() instanceof String[] s)) throw wrongType(key, v, "an array of strings");
            if (s.length > max) {
                throw new TokenizerException(source + ": " + key + " has " + s.length + " entries, more than the limit of " + max);
            }
            return s;
        }

        /** tokenizer.ggml.scores: float32 (or float64, or int32 as some converters wrote them). */
        float[] floats(String key) {
            GGUFValue v = get(key);
            if (v == null) return null;
            switch (v.value()) {
                case float[] f -> { return f; }
                case double[] a -> {
                    float[] f = new float[a.length];
                    for (int i = 0; i < a.length; i++) f[i] = (float) a[i];
                    return f;
                }
                case int[] a -> {
                    float[] f = new float[a.length];
                    for (int i = 0; i < a.length; i++) f[i] = a[i];
                    return f;
                }
                default -> throw wrongType(key, v, "an array of float32");
            }
        }

        /** tokenizer.ggml.token_type: any integer array (values past int range become -1, an unknown type). */
        int[] ints(String key) {
            GGUFValue v = get(key);
            if (v == null) return null;
            boolean unsigned = v.elementType() == GGUFValueType.UINT8 || v.elementType() == GGUFValueType.UINT16;
            switch (v.value()) {
                case int[] a -> { return a; }
                case byte[] a -> {
                    int[] out = new int[a.length];
                    for (int i = 0; i < a.length; i++) out[i] = unsigned ? a[i] & 0xFF : a[i];
                    return out;
                }
                case short[] a -> {
                    int[] out = new int[a.length];
                    for (int i = 0; i < a.length; i++) out[i] = unsigned ? a[i] & 0xFFFF : a[i];
                    return out;
                }
                case long[] a -> {
                    int[] out = new int[a.length];
                    for (int i = 0; i < a.length; i++) out[i] = a[i] == (int) a[i] ? (int) a[i] : -1;
                    return out;
                }
                default -> throw wrongType(key, v, "an array of int32");
            }
        }
    }
}
