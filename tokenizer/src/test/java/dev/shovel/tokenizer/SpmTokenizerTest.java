package dev.shovel.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** tokenizer.ggml.model = llama (SentencePiece-style). */
class SpmTokenizerTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void llamaSpmVectors() {
        Tokenizer t = Fixtures.vocab("llama-spm");
        assertEquals("llama", t.model());
        assertEquals(32000, t.vocabSize());
        VectorCheck.assertAllPass("llama-spm", t, "llama-spm");
    }

    @Test
    void phi3Vectors() {
        VectorCheck.assertAllPass("phi-3", Fixtures.vocab("phi-3"), "phi-3");
    }

    /** run.c encode(text, bos=1, eos=0) with tok512 (stories260K) == encode(text, addSpecial=true). */
    @Test
    void tok512Vectors() throws IOException {
        Tokenizer t = Fixtures.gguf("/tokenizer/stories260K/ref-llama-model.gguf.gz");
        assertEquals(512, t.vocabSize());
        assertTrue(t.addBos());
        JsonNode cases = JSON.readTree(Fixtures.text("/tokenizer/stories260K/stories260K-testvectors.json"))
            .path("tok512_encode").path("cases");
        int pass = 0;
        for (JsonNode c : cases) {
            int[] want = JSON.treeToValue(c.path("ids"), int[].class);
            assertArrayEquals(want, t.encode(c.path("text").asText(), true, false), c.path("text").asText());
            pass++;
        }
        System.out.println("tok512: " + pass + "/" + cases.size());
        assertEquals(13, pass);
    }

    /** llama-tokenize output and llama_token_to_piece pieces recorded from llama.cpp for the same vocabulary. */
    @Test
    void llamaCppTokenizeAndPieces() throws IOException {
        Tokenizer t = Fixtures.gguf("/tokenizer/stories260K/ref-llama-model.gguf.gz");
        JsonNode ref = JSON.readTree(Fixtures.text("/tokenizer/stories260K/llama-tokenize-reference.json"));
        int[] ids = JSON.treeToValue(ref.path("ids"), int[].class);
        assertArrayEquals(ids, t.encode(ref.path("text").asText(), true, false));
        for (int i = 0; i < ids.length; i++) {
            assertEquals(ref.path("pieces").get(i).asText(), new String(t.tokenBytes(ids[i], true), StandardCharsets.UTF_8));
        }
        // generated ids include lone byte tokens: their raw bytes concatenated, as llama.cpp printed them
        JsonNode greedy = JSON.readTree(Fixtures.text("/tokenizer/stories260K/llama-greedy-pieces.json"));
        int[] gen = JSON.treeToValue(greedy.path("ids"), int[].class);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        for (int id : gen) bytes.writeBytes(t.tokenBytes(id, false));
        assertEquals(greedy.path("text_bytes_hex").asText(), HexFormat.of().formatHex(bytes.toByteArray()));
        assertArrayEquals(bytes.toByteArray(), t.decodeBytes(gen, false, false));
    }

    /** karpathy/llama2.c test.c vectors (Llama 2 vocabulary, bos=1) against the llama-spm GGUF. */
    @Test
    void llama2cTestVectors() throws IOException {
        Tokenizer t = Fixtures.vocab("llama-spm");
        JsonNode cases = JSON.readTree(Fixtures.text("/tokenizer/stories260K/llama2c-tokenizer-bin-vectors.json")).path("cases");
        for (JsonNode c : cases) {
            int[] want = JSON.treeToValue(c.path("ids"), int[].class);
            assertArrayEquals(want, t.encode(c.path("text").asText(), true, false), c.path("text").asText());
        }
        assertEquals(5, cases.size());
    }

    /** Cutting the text in front of "▁" (no token spans that) gives exactly the whole-text merge result. */
    @Test
    void cuttingAtSpacesChangesNothing() {
        for (String name : new String[] {"llama-spm", "phi-3", "baichuan"}) {
            Vocab v = Fixtures.vocab(name).vocab();
            for (String s : Fixtures.inputs("llama-spm")) {
                String text = (" " + s).replace(' ', '\u2581');
                IntList whole = new IntList(), cut = new IntList();
                v.spm.encodePiece(text, whole);
                v.spm.encode(text, cut);
                assertArrayEquals(whole.toArray(), cut.toArray(), name + " " + VectorCheck.escape(s));
            }
        }
    }

    @Test
    void baichuanRoundTrips() {
        Tokenizer t = Fixtures.vocab("baichuan");
        assertEquals(64000, t.vocabSize());
        List<String> texts = Fixtures.inputs("llama-spm");
        int pass = 0;
        for (String s : texts) {
            int[] ids = t.encode(s, false, false);
            assertEquals(s, t.decode(ids, false, false), VectorCheck.escape(s));
            pass++;
        }
        System.out.println("baichuan round trip: " + pass + "/" + texts.size());
    }

    @Test
    void spmDecodeRestoresTextAndHandlesByteTokens() {
        Tokenizer t = Fixtures.vocab("llama-spm");
        for (String s : Fixtures.inputs("llama-spm")) {
            assertEquals(s, t.decode(t.encode(s, false, false), false, false), VectorCheck.escape(s));
            // with BOS: removeSpecial drops it but then the prefix space stays (llama_detokenize quirk)
            int[] withBos = t.encode(s, true, false);
            assertEquals(1, withBos[0]);
            assertEquals(s.isEmpty() ? "" : " " + s, t.decode(withBos, true, false));
        }
        // "🦙" is not in the vocabulary: four byte tokens <0xF0> <0x9F> <0xA6> <0x99>
        int[] llama = t.encode("🦙", false, false);
        assertArrayEquals(new int[] {29871, 243, 162, 169, 156}, llama);
        assertArrayEquals(new byte[] {(byte) 0xF0}, t.tokenBytes(243, false));
        assertEquals("<0xF0>", t.tokenText(243));
        assertEquals(" 🦙", t.decode(new int[] {1, 29871, 243, 162, 169, 156}, false, false));
    }

    @Test
    void specialTokensOfLlamaSpm() {
        Tokenizer t = Fixtures.vocab("llama-spm");
        assertEquals(1, t.bos());
        assertEquals(2, t.eos());
        assertTrue(t.isEog(2));
        assertFalse(t.isEog(1));
        assertArrayEquals(new int[] {2}, t.eogTokens());
        assertTrue(t.isSpecial(0) && t.isSpecial(1) && t.isSpecial(2));
        assertFalse(t.isSpecial(3));   // byte token
        // control tokens are plain text unless parseSpecial
        assertArrayEquals(new int[] {1, 15043}, t.encode("<s>Hello", false, true));
        int[] plain = t.encode("<s>Hello", false, false);
        assertFalse(plain[0] == 1);
        assertEquals("<s>Hello", t.decode(plain, false, false));
        // decode hides control tokens unless unparseSpecial
        assertEquals(" Hello", t.decode(new int[] {1, 15043, 2}, false, false));   // BOS piece empty, so the space stays
        assertEquals("<s> Hello</s>", t.decode(new int[] {1, 15043, 2}, false, true));
        assertEquals(0, t.tokenBytes(2, false).length);
        assertEquals("</s>", new String(t.tokenBytes(2, true)));
        assertEquals(15043, t.tokenId("▁Hello").orElseThrow());
    }
}
