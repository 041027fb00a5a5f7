package dev.shovel.tokenizer;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.shovel.ShovelException;
import dev.shovel.gguf.GGUFFile;
import dev.shovel.gguf.GGUFValue;
import dev.shovel.gguf.GGUFValueType;
import dev.shovel.gguf.GGUFWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Bad or unusual tokenizer metadata, and the tokenizer.json WordPiece path. */
class LoadingTest {
    @TempDir
    Path dir;

    private Tokenizer load(Consumer<GGUFWriter> keys) throws IOException {
        GGUFWriter w = new GGUFWriter();
        keys.accept(w);
        Path p = dir.resolve("t" + System.nanoTime() + ".gguf");
        w.write(p);
        try (GGUFFile g = GGUFFile.open(p)) {
            return Tokenizer.fromGGUF(g);
        }
    }

    private static GGUFValue strings(String... s) { return GGUFValue.array(GGUFValueType.STRING, s); }

    private static void gpt2Basics(GGUFWriter w) {
        w.putString("tokenizer.ggml.model", "gpt2");
        w.put("tokenizer.ggml.tokens", strings("a", "b", "ab", "Ġ", "Ġab", "<|endoftext|>"));
        w.put("tokenizer.ggml.merges", strings("a b", "Ġ ab"));
        w.put("tokenizer.ggml.token_type", GGUFValue.array(GGUFValueType.INT32, new int[] {1, 1, 1, 1, 1, 3}));
        w.putU32("tokenizer.ggml.eos_token_id", 5);
    }

    @Test
    void unknownPreTokenizerIsAnErrorNamingIt() {
        ShovelException e = assertThrows(TokenizerException.class, () -> load(w -> {
            gpt2Basics(w);
            w.putString("tokenizer.ggml.pre", "no-such-pre");
        }));
        assertTrue(e.getMessage().contains("'no-such-pre'"), e.getMessage());
    }

    @Test
    void missingPiecesAreErrors() {
        assertTrue(assertThrows(TokenizerException.class, () -> load(w -> w.putString("tokenizer.ggml.pre", "gpt-2")))
            .getMessage().contains("tokenizer.ggml.model"));
        assertTrue(assertThrows(TokenizerException.class, () -> load(w -> {
            w.putString("tokenizer.ggml.model", "gpt2");
            w.put("tokenizer.ggml.tokens", strings("a"));
        })).getMessage().contains("tokenizer.ggml.merges"));
        assertTrue(assertThrows(TokenizerException.class, () -> load(w -> w.putString("tokenizer.ggml.model", "llama")))
            .getMessage().contains("tokenizer.ggml.tokens"));
        assertTrue(assertThrows(TokenizerException.class, () -> load(w -> w.putString("tokenizer.ggml.model", "sentencepiece2")))
            .getMessage().contains("'sentencepiece2'"));
        assertTrue(assertThrows(TokenizerException.class, () -> load(w -> {
            w.putString("tokenizer.ggml.model", "llama");
            w.put("tokenizer.ggml.tokens", strings("x", "y", "x"));
        })).getMessage().contains("duplicate token"));
        assertTrue(assertThrows(TokenizerException.class, () -> load(w -> {
            gpt2Basics(w);
            w.putString("tokenizer.ggml.pre", "gpt-2");
            w.putBool("tokenizer.ggml.add_bos_token", true);   // default gpt2 BOS 11 is out of range -> none
        })).getMessage().contains("add_bos_token"));
    }

    @Test
    void tinyBpeMergesAndOutOfRangeIds() throws IOException {
        Tokenizer t = load(w -> {
            gpt2Basics(w);
            w.putString("tokenizer.ggml.pre", "gpt-2");
        });
        assertEquals(-1, t.bos());           // llama.cpp's default 11 is past the end of this vocabulary
        assertEquals(5, t.eos());
        assertArrayEquals(new int[] {2, 4}, t.encode("ab ab", false, false));
        assertArrayEquals(new int[] {5}, t.encode("<|endoftext|>", false, true));
        assertThrows(TokenizerException.class, () -> t.tokenBytes(6, true));
        assertThrows(TokenizerException.class, () -> t.decode(new int[] {-1}, false, false));
    }

    @Test
    void missingPreWarnsAndUsesDefault() throws IOException {
        Tokenizer t = load(LoadingTest::gpt2Basics);
        assertEquals("default", t.pre());
        assertEquals(1, t.warnings().stream().filter(s -> s.contains("tokenizer.ggml.pre")).count());
    }

    /** Every known pre-tokenizer compiles, and its split pieces always concatenate back to the text. */
    @Test
    void allPreTokenizersSplitLosslessly() {
        String text = "Hello  world!\n\n 'Re 123456 ,,, \t x\u00A0y \u3000 \u4F60\u597D\uD83E\uDD99 \u0E01\u0E32 <sentinel:12> IMGIMGABZ  \r\n";
        String bytes = ByteLevel.encode(text.codePoints().toArray(), 0, text.codePointCount(0, text.length()));
        assertTrue(PreTokenizer.names().size() > 60);
        for (String name : PreTokenizer.names()) {
            PreTokenizer p = new PreTokenizer(PreTokenizer.config(name).regexes());
            assertEquals(bytes, String.join("", p.split(text)), name);
        }
    }

    @Test
    void unknownTokenizerJsonPreTokenizerNeedsAName() throws IOException {
        Path d = Files.createDirectories(dir.resolve("tiny"));
        Files.writeString(d.resolve("tokenizer.json"), """
            {"model": {"type": "BPE", "vocab": {"a": 0, "b": 1, "ab": 2}, "merges": ["a b"]},
             "added_tokens": [{"id": 3, "content": "<|end|>", "special": true}],
             "pre_tokenizer": {"type": "Sequence", "pretokenizers": [
               {"type": "Digits", "individual_digits": true}, {"type": "ByteLevel", "use_regex": true}]}}
            """);
        TokenizerException e = assertThrows(TokenizerException.class, () -> Tokenizer.fromHuggingFace(d));
        assertTrue(e.getMessage().contains("Digits"), e.getMessage());
        Tokenizer t = Tokenizer.fromHuggingFace(d, "gpt-2");
        assertArrayEquals(new int[] {2, 3}, t.encode("ab<|end|>", false, true));
        assertEquals(-1, t.bos());   // a tokenizer.json naming no BOS has none (no llama.cpp default 11)
        assertTrue(t.isEog(3));
        // llama-bpe implies add_bos, which lapses (with a warning) when no BOS token is known
        Tokenizer l3 = Tokenizer.fromHuggingFace(d, "llama-bpe");
        assertFalse(l3.addBos());
        assertArrayEquals(new int[] {2}, l3.encode("ab", true, false));
        assertTrue(l3.warnings().stream().anyMatch(w -> w.contains("no BOS")));
    }

    /**
     * gpt-oss (o200k_harmony) special tokens, as llama.cpp sets them: {@code <|return|>} and {@code <|call|>} end
     * generation, {@code <|end|>} does not (it closes the analysis message before the final one), and the harmony
     * header tokens are parsed as one token each and always rendered.
     */
    @Test
    void harmonyEndOfGeneration() throws IOException {
        Path d = Files.createDirectories(dir.resolve("harmony"));
        Files.writeString(d.resolve("tokenizer.json"), """
            {"model": {"type": "BPE", "vocab": {"a": 0, "b": 1, "ab": 2}, "merges": ["a b"]},
             "added_tokens": [
               {"id": 3, "content": "<|startoftext|>", "special": true},
               {"id": 4, "content": "<|endoftext|>", "special": true},
               {"id": 5, "content": "<|return|>", "special": true},
               {"id": 6, "content": "<|constrain|>", "special": true},
               {"id": 7, "content": "<|channel|>", "special": true},
               {"id": 8, "content": "<|start|>", "special": true},
               {"id": 9, "content": "<|end|>", "special": true},
               {"id": 10, "content": "<|message|>", "special": true},
               {"id": 11, "content": "<|call|>", "special": true}],
             "pre_tokenizer": {"type": "ByteLevel", "add_prefix_space": false, "use_regex": true}}
            """);
        Tokenizer t = Tokenizer.fromHuggingFace(d, "gpt-4o");
        assertTrue(t.isEog(5));
        assertTrue(t.isEog(11));
        assertTrue(t.isEog(4));
        assertFalse(t.isEog(9));
        assertArrayEquals(new int[] {8, 2, 7, 2, 10, 2, 9, 8}, t.encode("<|start|>ab<|channel|>ab<|message|>ab<|end|><|start|>", false, true));
        // the header tokens and <|end|> are rendered in generated text (a chat splits the channels afterwards)
        for (int id : new int[] {6, 7, 8, 9, 10}) assertEquals(t.tokenText(id), new String(t.tokenBytes(id, false)), t.tokenText(id));

        // without <|return|> and <|call|> (phi-3 style) <|end|> stays end-of-generation
        Path p = Files.createDirectories(dir.resolve("phi"));
        Files.writeString(p.resolve("tokenizer.json"), """
            {"model": {"type": "BPE", "vocab": {"a": 0, "b": 1, "ab": 2}, "merges": ["a b"]},
             "added_tokens": [{"id": 3, "content": "<|end|>", "special": true}],
             "pre_tokenizer": {"type": "ByteLevel", "add_prefix_space": false, "use_regex": true}}
            """);
        assertTrue(Tokenizer.fromHuggingFace(p, "gpt-4o").isEog(3));
    }

    /** A tokenizer.json rebuilt from the bert-bge GGUF ("##" continuations) must tokenize exactly like it. */
    @Test
    void wordPieceTokenizerJson() throws IOException {
        Tokenizer gguf = Fixtures.vocab("bert-bge");
        ObjectMapper json = new ObjectMapper();
        ObjectNode root = json.createObjectNode();
        ObjectNode model = root.putObject("model");
        model.put("type", "WordPiece");
        ObjectNode vocab = model.putObject("vocab");
        ArrayNode added = root.putArray("added_tokens");
        for (int id = 0; id < gguf.vocabSize(); id++) {
            String t = gguf.tokenText(id);
            if (gguf.isControl(id)) {
                added.addObject().put("id", id).put("content", t).put("special", true);
            }
            vocab.put(t.startsWith("\u2581") ? t.substring(1) : t.startsWith("[") && t.endsWith("]") ? t : "##" + t, id);
        }
        root.putObject("normalizer").put("type", "BertNormalizer").put("lowercase", true);
        Path p = dir.resolve("bert").resolve("tokenizer.json");
        Files.createDirectories(p.getParent());
        json.writeValue(p.toFile(), root);
        Tokenizer hf = Tokenizer.fromHuggingFace(p);
        assertEquals("bert", hf.model());
        VectorCheck.assertAllPass("bert-bge (tokenizer.json)", hf, "bert-bge");
    }
}
