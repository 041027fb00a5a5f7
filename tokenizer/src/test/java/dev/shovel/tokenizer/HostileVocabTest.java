package dev.shovel.tokenizer;

import dev.shovel.gguf.GGUFFile;
import dev.shovel.gguf.GGUFValue;
import dev.shovel.gguf.GGUFValueType;
import dev.shovel.gguf.GGUFWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Tokenizer metadata from hostile or broken files: each problem is one {@link TokenizerException} whose one-line
 * message names the key, the value and the limit, or a warning where llama.cpp only warns.
 */
class HostileVocabTest {
    private static final String P = "tokenizer.ggml.";

    @TempDir
    Path dir;

    private static GGUFValue strings(String... s) { return GGUFValue.array(GGUFValueType.STRING, s); }
    private static GGUFValue ints(int... v) { return GGUFValue.array(GGUFValueType.INT32, v); }
    private static GGUFValue floats(float... v) { return GGUFValue.array(GGUFValueType.FLOAT32, v); }

    /** A small SPM ("llama") vocabulary: unk, bos, eos, byte tokens for 'a'..'c', words. */
    private static Map<String, GGUFValue> spm() {
        Map<String, GGUFValue> m = new LinkedHashMap<>();
        m.put(P + "model", GGUFValue.string("llama"));
        m.put(P + "tokens", strings("<unk>", "<s>", "</s>", "<0x61>", "<0x62>", "▁", "a", "b", "▁a", "ab"));
        m.put(P + "scores", floats(0, 0, 0, 0, 0, -1, -2, -3, -1.5f, -1));
        m.put(P + "token_type", ints(2, 3, 3, 6, 6, 1, 1, 1, 1, 1));
        return m;
    }

    private static Map<String, GGUFValue> gpt2() {
        Map<String, GGUFValue> m = new LinkedHashMap<>();
        m.put(P + "model", GGUFValue.string("gpt2"));
        m.put(P + "pre", GGUFValue.string("gpt-2"));
        m.put(P + "tokens", strings("a", "b", "ab", "Ġ", "Ġab", "<|endoftext|>"));
        m.put(P + "merges", strings("a b", "Ġ ab"));
        m.put(P + "token_type", ints(1, 1, 1, 1, 1, 3));
        return m;
    }

    private static Tokenizer load(Map<String, GGUFValue> m) { return Tokenizer.fromMetadata(m, "t.gguf"); }

    private static Tokenizer load(Map<String, GGUFValue> base, Consumer<Map<String, GGUFValue>> edit) {
        edit.accept(base);
        return load(base);
    }

    /** Asserts loading fails with a one-line message containing every part. */
    private static void fails(Map<String, GGUFValue> m, String... parts) {
        TokenizerException e = assertThrows(TokenizerException.class, () -> load(m));
        String msg = e.getMessage();
        assertFalse(msg.contains("\n"), msg);
        for (String p : parts) assertTrue(msg.contains(p), "'" + p + "' not in: " + msg);
    }

    private static Map<String, GGUFValue> with(Map<String, GGUFValue> m, String key, GGUFValue v) {
        m.put(key, v);
        return m;
    }

    @Test
    void arrayLengthsMustAgree() {
        fails(with(spm(), P + "scores", floats(0, 0)), "tokenizer.ggml.scores has 2 entries", "tokenizer.ggml.tokens has 10");
        fails(with(spm(), P + "scores", floats(new float[11])), "tokenizer.ggml.scores has 11 entries");
        fails(with(spm(), P + "token_type", ints(1)), "tokenizer.ggml.token_type has 1 entries", "has 10");
    }

    @Test
    void wrongElementTypesAreClearErrors() {
        fails(with(spm(), P + "scores", strings("1", "2")), "tokenizer.ggml.scores must be an array of float32",
            "an array of STRING");
        fails(with(spm(), P + "token_type", floats(new float[10])), "tokenizer.ggml.token_type must be an array of int32",
            "FLOAT32");
        fails(with(spm(), P + "tokens", ints(1, 2, 3)), "tokenizer.ggml.tokens must be an array of strings", "INT32");
        fails(with(spm(), P + "tokens", GGUFValue.string("abc")), "tokenizer.ggml.tokens must be an array of strings");
        fails(with(gpt2(), P + "merges", ints(1)), "tokenizer.ggml.merges must be an array of strings");
        fails(with(spm(), P + "model", GGUFValue.u32(1)), "tokenizer.ggml.model must be a string", "UINT32");
        fails(with(gpt2(), P + "pre", strings("gpt-2")), "tokenizer.ggml.pre must be a string");
        fails(with(spm(), P + "bos_token_id", GGUFValue.string("1")), "tokenizer.ggml.bos_token_id must be an integer", "STRING");
        fails(with(spm(), P + "eos_token_id", GGUFValue.f32(2)), "tokenizer.ggml.eos_token_id must be an integer");
        fails(with(spm(), P + "add_bos_token", GGUFValue.u32(1)), "tokenizer.ggml.add_bos_token must be a bool");
        fails(with(spm(), "tokenizer.chat_template", GGUFValue.u32(1)), "tokenizer.chat_template must be a string");
        fails(with(spm(), "general.name", ints(1)), "general.name must be a string");
        // odd but usable encodings are accepted
        Tokenizer t = load(with(spm(), P + "token_type", GGUFValue.array(GGUFValueType.UINT8,
            new byte[] {2, 3, 3, 6, 6, 1, 1, 1, 1, 1})));
        assertEquals(TokenAttr.BYTE, t.attributes(3));
        assertEquals(-1.5f, load(with(spm(), P + "scores", GGUFValue.array(GGUFValueType.FLOAT64,
            new double[] {0, 0, 0, 0, 0, -1, -2, -3, -1.5, -1}))).vocab().score[8]);
    }

    @Test
    void emptyAndTinyVocabularies() {
        Map<String, GGUFValue> empty = spm();
        empty.put(P + "tokens", strings());
        empty.remove(P + "scores");
        empty.remove(P + "token_type");
        fails(empty, "t.gguf: tokenizer.ggml.tokens is empty");

        Map<String, GGUFValue> one = new LinkedHashMap<>();
        one.put(P + "model", GGUFValue.string("llama"));
        one.put(P + "tokens", strings("a"));
        Tokenizer t = load(one);
        assertEquals(1, t.vocabSize());
        assertEquals(-1, t.bos());   // the SPM default 1 is past the end: disabled
        assertTrue(t.warnings().stream().anyMatch(w -> w.contains("bos_token_id")), t.warnings().toString());
        assertArrayEquals(new int[6], t.encode("xyz", false, false));   // "▁xyz" byte by byte as unk = 0 ("a" itself)
        assertEquals("a", t.decode(new int[] {0}, false, false));

        Map<String, GGUFValue> bpe = gpt2();
        bpe.put(P + "tokens", strings("a"));
        bpe.put(P + "merges", strings());
        bpe.remove(P + "token_type");
        Tokenizer b = load(bpe);
        assertArrayEquals(new int[] {0, 0}, b.encode("a\u00E9a", false, false));   // é has no token: dropped as llama.cpp
    }

    @Test
    void limits() {
        String[] many = new String[TokenizerLimits.MAX_TOKENS + 1];
        Arrays.fill(many, "a");
        fails(with(spm(), P + "tokens", strings(many)), "tokenizer.ggml.tokens has 2097153 entries",
            "limit of 2097152");

        fails(with(spm(), P + "tokens", strings("<unk>", "<s>", "</s>", "<0x61>", "<0x62>", "▁", "a", "b", "▁a",
            "\u00E9".repeat(4097))), "tokenizer.ggml.tokens[9] is 8194 bytes long", "limit of 8192");

        String[] merges = new String[TokenizerLimits.MAX_MERGES + 1];
        Arrays.fill(merges, "a b");
        fails(with(gpt2(), P + "merges", strings(merges)), "tokenizer.ggml.merges has 4194305 entries", "limit of 4194304");
        fails(with(gpt2(), P + "merges", strings("a b", "x".repeat(9000) + " " + "y".repeat(9000))),
            "tokenizer.ggml.merges[1] is 18001 bytes long", "limit of 16385");

        // at the token-length limit everything still works
        String longest = "a".repeat(TokenizerLimits.MAX_TOKEN_BYTES);
        Tokenizer t = load(with(spm(), P + "tokens", strings("<unk>", "<s>", "</s>", "<0x61>", "<0x62>", "▁", "a", "b",
            "▁a", longest)));
        assertEquals(longest, t.decode(new int[] {9}, false, false));
    }

    @Test
    void malformedMergesAreIgnoredWithAWarning() {
        Tokenizer t = load(with(gpt2(), P + "merges", strings("a b", "ab", "", " ab", "Ġ ab", "zz qq")));
        String w = String.join("\n", t.warnings());
        assertTrue(w.contains("tokenizer.ggml.merges has 3 entries that are not 'a b' (first: merges[1] = 'ab')"), w);
        assertArrayEquals(new int[] {2, 4}, t.encode("ab ab", false, false));
    }

    /** Every special-id key is range-checked: out of range is ignored with a warning naming it (llama.cpp). */
    @Test
    void outOfRangeSpecialIdsAreIgnoredWithWarnings() {
        Map<String, GGUFValue> m = spm();
        for (String k : VocabData.ID_KEYS) m.put(P + k + "_token_id", GGUFValue.u32(1000));
        m.put(P + "eos_token_id", GGUFValue.i32(-5));
        m.put(P + "bos_token_id", GGUFValue.of(GGUFValueType.UINT64, Long.MAX_VALUE));
        Tokenizer t = load(m);
        for (String k : VocabData.ID_KEYS) {
            String key = P + k + "_token_id";
            assertTrue(t.warnings().stream().anyMatch(w -> w.contains(key + " = ") && w.contains("outside the vocabulary [0, 10)")),
                key + " in " + t.warnings());
        }
        assertEquals(1, t.bos());    // defaults kept
        assertEquals(2, t.eos());
        assertEquals(-1, t.eot());
        assertEquals(-1, t.sep());
    }

    /** Byte tokens must read &lt;0xXX&gt;; others of that type are plain text (CVE-2025-49847 class). */
    @Test
    void malformedByteTokensAreText() {
        Map<String, GGUFValue> m = spm();
        m.put(P + "tokens", strings("<unk>", "<s>", "</s>", "<0x-1>", "<0xZZ>", "<0x100>", "<0x\u0663\u0663>", "<0x>",
            "x", "<0x41>"));
        m.put(P + "token_type", ints(2, 3, 3, 6, 6, 6, 6, 6, 6, 6));
        Tokenizer t = load(m);
        String w = String.join("\n", t.warnings());
        assertTrue(w.contains("6 byte-type tokens are not of the form <0xXX> (first: token 3 '<0x-1>')"), w);
        for (int id = 3; id <= 8; id++) {
            assertEquals(TokenAttr.NORMAL, t.attributes(id));
            assertEquals(t.tokenText(id), t.decode(new int[] {id}, false, false));
        }
        assertArrayEquals(new byte[] {0x41}, t.tokenBytes(9, false));
        int[] ids = t.encode("A", false, false);
        assertEquals(9, ids[ids.length - 1]);   // the well-formed byte token still serves as byte fallback
    }

    @Test
    void byteTokensInWordPieceAreText() {
        Map<String, GGUFValue> m = new LinkedHashMap<>();
        m.put(P + "model", GGUFValue.string("bert"));
        m.put(P + "tokens", strings("[PAD]", "<0x41>", "▁a"));
        m.put(P + "token_type", ints(3, 6, 1));
        Tokenizer t = load(m);
        assertTrue(t.warnings().stream().anyMatch(w -> w.contains("WordPiece")), t.warnings().toString());
        assertEquals("<0x41>", t.decode(new int[] {1}, false, false));
    }

    @Test
    void tokenTypesOutOfRangeAreUndefined() {
        Tokenizer t = load(with(spm(), P + "token_type", ints(2, 3, 3, 6, 6, 1, 99, -1, Integer.MIN_VALUE, 1)));
        String w = String.join("\n", t.warnings());
        assertTrue(w.contains("tokenizer.ggml.token_type has 3 values outside 0..6 (first: token 6 = 99)"), w);
        assertEquals(TokenAttr.UNDEFINED, t.attributes(6));
        assertEquals("", t.decode(new int[] {6, 7, 8}, false, false));
        // 64-bit values past int range are unknown types too
        Map<String, GGUFValue> m = with(spm(), P + "token_type", GGUFValue.array(GGUFValueType.INT64,
            new long[] {2, 3, 3, 6, 6, 1, 1L << 40, 1, 1, 1}));
        assertEquals(TokenAttr.UNDEFINED, load(m).attributes(6));
    }

    @Test
    void loneSurrogatesInTokensAndText() {
        Tokenizer t = load(with(spm(), P + "tokens", strings("<unk>", "<s>", "</s>", "<0x61>", "<0x62>", "▁", "a", "b",
            "▁a", "x\uD800")));
        assertTrue(t.warnings().stream().anyMatch(w -> w.contains("1 tokens are not well-formed UTF-16 (first: token 9)")),
            t.warnings().toString());
        // text: a lone surrogate is U+FFFD, whichever half and wherever
        Tokenizer spm = Fixtures.vocab("llama-spm");
        assertArrayEquals(spm.encode("a\uFFFDb", true, false), spm.encode("a\uD800b", true, false));
        assertArrayEquals(spm.encode("\uFFFD", true, false), spm.encode("\uDC00", true, false));
        assertArrayEquals(spm.encode("x\uFFFD", true, false), spm.encode("x\uD83E", true, false));
        Tokenizer bpe = Fixtures.vocab("gpt-2");
        assertArrayEquals(bpe.encode("a\uFFFDb", true, false), bpe.encode("a\uD800b", true, false));
        Tokenizer wpm = Fixtures.vocab("bert-bge");
        assertArrayEquals(wpm.encode("a\uFFFDb", true, false), wpm.encode("a\uDFFFb", true, false));
    }

    @Test
    void decodingBadIdsIsATypedError() {
        Tokenizer t = load(spm());
        for (int id : new int[] {-1, 10, Integer.MIN_VALUE, Integer.MAX_VALUE}) {
            TokenizerException e = assertThrows(TokenizerException.class, () -> t.decode(new int[] {1, id}, true, true));
            assertTrue(e.getMessage().contains("token id " + id + " is out of range [0, 10)"), e.getMessage());
            assertThrows(TokenizerException.class, () -> t.tokenBytes(id, true));
            assertThrows(TokenizerException.class, () -> new StreamDecoder(t, true).push(id));
            assertFalse(t.isEog(id));
        }
    }

    @Test
    void wordPieceWithoutUnknownTokenIsATypedError() {
        Map<String, GGUFValue> m = new LinkedHashMap<>();
        m.put(P + "model", GGUFValue.string("bert"));
        m.put(P + "tokens", strings("[PAD]", "▁a"));
        Tokenizer t = load(m);
        assertArrayEquals(new int[] {1}, t.encode("a", false, false));
        TokenizerException e = assertThrows(TokenizerException.class, () -> t.encode("b", false, false));
        assertTrue(e.getMessage().contains("no unknown token"), e.getMessage());
    }

    /** A long token that almost matches everywhere must not make WordPiece quadratic in it. */
    @Test
    void wordPieceLongestMatchIsLinear() {
        Map<String, GGUFValue> m = new LinkedHashMap<>();
        m.put(P + "model", GGUFValue.string("bert"));
        m.put(P + "tokens", strings("[UNK]", "▁a", "a", "▁" + "a".repeat(4000) + "b", "a".repeat(4000) + "b"));
        Tokenizer t = load(m);
        int[] ids = assertTimeoutPreemptively(java.time.Duration.ofSeconds(10),
            () -> t.encode("a".repeat(20_000), false, false));
        assertEquals(20_000, ids.length);
        assertEquals(1, ids[0]);
        assertArrayEquals(new int[] {3}, t.encode("a".repeat(4000) + "b", false, false));
    }

    @Test
    void unknownModelAndPre() {
        fails(with(spm(), P + "model", GGUFValue.string("sentencepiece9")), "unknown tokenizer.ggml.model 'sentencepiece9'");
        fails(with(gpt2(), P + "pre", GGUFValue.string("evil")), "unknown pre-tokenizer type 'evil'");
        Map<String, GGUFValue> noPre = gpt2();
        noPre.remove(P + "pre");
        assertTrue(load(noPre).warnings().stream().anyMatch(w -> w.contains("missing tokenizer.ggml.pre")));
    }

    /** The same checks through a real GGUF file (the reader's own value types). */
    @Test
    void throughAGGUFFile() throws Exception {
        GGUFWriter w = new GGUFWriter();
        Map<String, GGUFValue> m = spm();
        m.put(P + "scores", strings("x"));
        w.putAll(m);
        Path p = dir.resolve("bad.gguf");
        w.write(p);
        try (GGUFFile g = GGUFFile.open(p)) {
            TokenizerException e = assertThrows(TokenizerException.class, () -> Tokenizer.fromGGUF(g));
            assertEquals(p + ": tokenizer.ggml.scores must be an array of float32, found an array of STRING", e.getMessage());
        }
        GGUFWriter ok = new GGUFWriter();
        Map<String, GGUFValue> m2 = spm();
        m2.put(P + "bos_token_id", GGUFValue.u32(77));
        m2.put(P + "token_type", GGUFValue.array(GGUFValueType.UINT32, new int[] {2, 3, 3, 6, 6, 1, 1, 1, 1, -1}));
        ok.putAll(m2);
        ok.write(p);
        try (GGUFFile g = GGUFFile.open(p)) {
            Tokenizer t = Tokenizer.fromGGUF(g);
            assertEquals(1, t.bos());
            assertTrue(t.warnings().stream().anyMatch(s -> s.contains("tokenizer.ggml.bos_token_id = 77 is outside")));
            assertTrue(t.warnings().stream().anyMatch(s -> s.contains("token_type has 1 values outside")));
        }
    }

    // ---- tokenizer.json

    private static Tokenizer hf(String json, String config, String hparams) {
        return Tokenizer.fromHuggingFaceJson(json, config, hparams, "gpt-2", "tokenizer.json");
    }

    private static final String TINY = """
        {"model": {"type": "BPE", "vocab": {"a": 0, "b": 1, "ab": 2}, "merges": ["a b"]},
         "added_tokens": [{"id": 3, "content": "<|end|>", "special": true}],
         "pre_tokenizer": {"type": "ByteLevel", "use_regex": true}}
        """;

    private static void hfFails(String json, String config, String hparams, String... parts) {
        TokenizerException e = assertThrows(TokenizerException.class, () -> hf(json, config, hparams));
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
        for (String p : parts) assertTrue(e.getMessage().contains(p), "'" + p + "' not in: " + e.getMessage());
    }

    @Test
    void tokenizerJsonIdsAndSizes() {
        assertEquals(4, hf(TINY, null, null).vocabSize());
        hfFails(TINY.replace("\"ab\": 2", "\"ab\": -2"), null, null, "model.vocab id -2 is outside [0, 2097152)");
        hfFails(TINY.replace("\"ab\": 2", "\"ab\": 2000000000"), null, null, "model.vocab id 2000000000 is outside");
        hfFails(TINY.replace("\"ab\": 2", "\"ab\": 99999999999999999999"), null, null, "cannot read tokenizer.json");
        hfFails(TINY.replace("\"id\": 3", "\"id\": \"x\""), null, null, "added_tokens[0].id = \"x\" is not an integer");
        hfFails(TINY.replace("\"id\": 3", "\"id\": 3000000"), null, null, "added_tokens[0].id = 3000000");
        hfFails(TINY.replace("\"id\": 3", "\"id\": 100000"), null, null, "ids run to 100000 but only 4 are used",
            "padding limit of 65536");
        assertEquals(60_001, hf(TINY.replace("\"id\": 3", "\"id\": 60000"), null, null).vocabSize());
        hfFails(TINY.replace("\"id\": 3", "\"id\": 3.5"), null, null, "added_tokens[0].id = 3.5");
        hfFails(TINY, null, "{\"vocab_size\": 1000000}", "config.json vocab_size = 1000000 leaves more than 65536");
        assertEquals(132, hf(TINY, null, "{\"vocab_size\": 132}").vocabSize());
        hfFails(TINY.replace("[\"a b\"]", "[\"a b\", 7]"), null, null, "model.merges[1] is VALUE_NUMBER_INT");
        hfFails("{\"model\": {\"type\": \"BPE\", \"vocab\": {}, \"merges\": []}}", null, null, "empty vocabulary");
        hfFails("[1, 2]", null, null, "malformed tokenizer.json");
        hfFails("{\"model\": ", null, null, "cannot read tokenizer.json");
        hfFails(TINY, "{", null, "cannot read tokenizer_config.json");
        hfFails("{" + "[".repeat(5000) + "]".repeat(5000) + "}", null, null, "cannot read tokenizer.json");
    }

    /** config.json ids out of range: a warning, never an index error (TemplateProcessing looks them up). */
    @Test
    void tokenizerJsonSpecialIdsOutOfRange() {
        String json = TINY.replace("\"pre_tokenizer\"", """
            "post_processor": {"type": "TemplateProcessing", "single": [{"SpecialToken": {"id": "<|end|>"}},
              {"Sequence": {"id": "A"}}, {"SpecialToken": {"id": "<|end|>"}}]}, "pre_tokenizer\"""");
        Tokenizer t = hf(json, null, "{\"bos_token_id\": 50, \"eos_token_id\": -3}");
        assertEquals(-1, t.bos());
        assertTrue(t.warnings().stream().anyMatch(w -> w.contains("tokenizer.ggml.bos_token_id = 50 is outside")),
            t.warnings().toString());
        assertTrue(t.warnings().stream().anyMatch(w -> w.contains("tokenizer.ggml.eos_token_id = -3 is outside")));
        Tokenizer ok = hf(json, null, "{\"bos_token_id\": 3, \"eos_token_id\": 3}");
        assertTrue(ok.addBos());
        assertTrue(ok.addEos());
    }

    @Test
    void tokenizerJsonHostileStrings() {
        // a lone surrogate escape in a token, a huge token, duplicate ids
        Tokenizer t = hf(TINY.replace("\"b\": 1", "\"\\ud800\": 1"), null, null);
        assertTrue(t.warnings().stream().anyMatch(w -> w.contains("not well-formed UTF-16")));
        hfFails(TINY.replace("\"b\": 1", "\"" + "b".repeat(9000) + "\": 1"), null, null,
            "tokenizer.ggml.tokens[1] is 9000 bytes long", "limit of 8192");
        assertEquals(4, hf(TINY.replace("\"b\": 1", "\"b\": 1, \"c\": 1"), null, null).vocabSize());
        List<String> texts = List.of("", "\uD800", "ab".repeat(10_000), "<|end|>".repeat(1000));
        for (String s : texts) {
            int[] ids = t.encode(s, true, true);
            t.decode(ids, false, true);
        }
        assertEquals("ab", new String(hf(TINY, null, null).decodeBytes(new int[] {2}, false, false), StandardCharsets.UTF_8));
    }

    @Test
    void tokenizerJsonFromAFile() throws Exception {
        Path d = Files.createDirectories(dir.resolve("j"));
        Files.writeString(d.resolve("tokenizer.json"), TINY.replace("\"id\": 3", "\"id\": -1"));
        TokenizerException e = assertThrows(TokenizerException.class, () -> Tokenizer.fromHuggingFace(d, "gpt-2"));
        assertTrue(e.getMessage().startsWith(d.resolve("tokenizer.json") + ": added_tokens[0].id = -1"), e.getMessage());
    }
}
