package dev.shovel.tokenizer;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Control / user-defined tokens, BOS/EOS handling and the end-of-generation set, as llama.cpp derives them. */
class SpecialTokensTest {

    private static int[] concat(int[]... parts) {
        return IntStream.concat(IntStream.empty(), java.util.Arrays.stream(parts).flatMapToInt(IntStream::of)).toArray();
    }

    @Test
    void llama3() {
        Tokenizer t = Fixtures.huggingFace("llama3");
        assertEquals(128000, t.bos());
        assertEquals(128001, t.eos());
        assertTrue(t.addBos());   // llama-bpe pre-tokenizer implies add_bos in llama.cpp
        // llama-bpe.out: "Hello world" -> 9906 1917
        assertArrayEquals(new int[] {128000, 9906, 1917}, t.encode("Hello world", true, false));
        // <|end_of_text|> (EOS) and <|eot_id|>; this Llama 3.0 vocabulary has no <|eom_id|>
        assertArrayEquals(new int[] {128001, 128009}, t.eogTokens());
        // header tokens only with parseSpecial (vocab: "user" = 882, "ĊĊ" = 271)
        String header = "<|start_header_id|>user<|end_header_id|>\n\n";
        assertArrayEquals(new int[] {128006, 882, 128007, 271}, t.encode(header, false, true));
        int[] plain = t.encode(header, false, false);
        assertFalse(IntStream.of(plain).anyMatch(id -> id >= 128000));
        assertEquals(header, t.decode(plain, false, false));
        // rendering of control tokens
        int[] ids = {128000, 9906, 128009};
        assertEquals("Hello", t.decode(ids, true, false));
        assertEquals("<|begin_of_text|>Hello<|eot_id|>", t.decode(ids, false, true));
        assertEquals("Hello<|eot_id|>", t.decode(ids, true, true));
        assertTrue(t.isControl(128009) && t.isSpecial(128009) && !t.isSpecial(9906));
    }

    @Test
    void qwen3() {
        Tokenizer t = Fixtures.huggingFace("qwen3");
        assertEquals(-1, t.bos());          // tokenizer_config.json: bos_token null
        assertEquals(151645, t.eos());      // <|im_end|>
        assertFalse(t.addBos());
        // EOS, <|endoftext|>, the FIM pad/repo/file-separator tokens, and the vocabulary's plain "</s>" (128247),
        // which llama.cpp's text rule ("</s>", for paddleocr) also makes end-of-generation
        assertArrayEquals(new int[] {128247, 151643, 151645, 151662, 151663, 151664}, t.eogTokens());
        assertEquals("</s>", t.tokenText(128247));
        // ChatML markers are control tokens: parsed only with parseSpecial
        int[] chat = t.encode("<|im_start|>user\nHi<|im_end|>", false, true);
        assertArrayEquals(concat(new int[] {151644}, new int[] {872, 198, 13048}, new int[] {151645}), chat);
        assertFalse(IntStream.of(t.encode("<|im_start|>", false, false)).anyMatch(id -> id == 151644));
        // <think> is an added non-special token: user-defined, matched even without parseSpecial, always rendered
        assertArrayEquals(new int[] {151667}, t.encode("<think>", false, false));
        assertTrue(t.isSpecial(151667));
        assertFalse(t.isControl(151667));
        assertEquals("<think>", new String(t.tokenBytes(151667, false), StandardCharsets.UTF_8));
        assertEquals(0, t.tokenBytes(151644, false).length);
        assertEquals("<|im_start|>", new String(t.tokenBytes(151644, true), StandardCharsets.UTF_8));
        // no BOS added even with addSpecial
        assertArrayEquals(t.encode("Hi", false, false), t.encode("Hi", true, false));
    }

    @Test
    void phi3ControlTokensSwallowFollowingWhitespace() {
        Tokenizer t = Fixtures.vocab("phi-3");
        // llama.cpp marks every special token of a model named phi-3/phi3 RSTRIP: the "\n" after <|user|> goes
        assertArrayEquals(new int[] {32010, 6324, 32007, 32001}, t.encode("<|user|>\nHi<|end|>\n<|assistant|>", false, true));
        assertArrayEquals(new int[] {2, 32000, 32007}, t.eogTokens());
        assertEquals(32000, t.eos());
        assertTrue(t.isEog(32007));
        // </s> is user-defined in this GGUF, but being end-of-generation it is made control: text unless parseSpecial
        assertTrue(t.isControl(2));
        assertArrayEquals(new int[] {2}, t.encode("</s>", false, true));
        assertFalse(IntStream.of(t.encode("</s>", false, false)).anyMatch(id -> id == 2));
    }

    @Test
    void gguFlagsAndDefaults() {
        Tokenizer gpt2 = Fixtures.vocab("gpt-2");
        assertFalse(gpt2.addBos());
        assertEquals(50256, gpt2.eos());
        assertArrayEquals(new int[] {50256}, gpt2.eogTokens());
        assertArrayEquals(gpt2.encode("Hello", false, false), gpt2.encode("Hello", true, false));
        Tokenizer coder = Fixtures.vocab("deepseek-coder");   // tokenizer.ggml.add_bos_token = true
        assertTrue(coder.addBos());
        assertEquals(32013, coder.encode("x", true, false)[0]);
        // starcoder's <fim_pad> is a FIM pad token, which llama.cpp treats as end of generation
        Tokenizer sc = Fixtures.vocab("starcoder");
        assertTrue(sc.isEog(sc.tokenId("<fim_pad>").orElseThrow()));
        assertTrue(sc.isEog(0));
    }

    @Test
    void mptSpaceRunsAreUserDefinedTokens() {
        Tokenizer t = Fixtures.vocab("mpt");
        int twoSpaces = t.tokenId("  ").orElseThrow();
        assertTrue(t.isSpecial(twoSpaces));
        assertFalse(t.isControl(twoSpaces));
        assertEquals("  ", new String(t.tokenBytes(twoSpaces, false), StandardCharsets.UTF_8));
    }

    @Test
    void clean_up_tokenization_spaces() {
        Tokenizer gpt2 = Fixtures.vocab("gpt-2");   // clean_spaces on for plain gpt-2
        assertEquals("Hello, world! It's", gpt2.decode(gpt2.encode("Hello , world ! It 's", false, false), false, false));
        Tokenizer qwen = Fixtures.huggingFace("qwen3");   // qwen2 pre-tokenizer: clean_spaces off
        assertEquals("Hello , world !", qwen.decode(qwen.encode("Hello , world !", false, false), false, false));
    }

    @Test
    void streamDecoderNeverSplitsACharacter() {
        Tokenizer t = Fixtures.vocab("llama-spm");
        int[] ids = t.encode("a🦙b", false, false);   // ▁a, then 4 byte tokens, then b
        StreamDecoder d = new StreamDecoder(t, false);
        StringBuilder out = new StringBuilder();
        int emptyPushes = 0;
        for (int id : ids) {
            String s = d.push(id);
            if (s.isEmpty()) emptyPushes++;
            assertFalse(s.contains("\uFFFD"), "half a character emitted");
            out.append(s);
        }
        out.append(d.flush());
        assertEquals(" a🦙b", out.toString());
        assertEquals(3, emptyPushes);   // the first three bytes of 🦙 wait for the fourth
        // an unfinished sequence comes out as U+FFFD on flush
        StreamDecoder d2 = new StreamDecoder(t, false);
        assertEquals("", d2.push(t.tokenId("<0xF0>").orElseThrow()));
        assertEquals("\uFFFD", d2.flush());
    }

    @Test
    void controlTokensVisibleOnlyWhenAsked() {
        Tokenizer t = Fixtures.vocab("llama-spm");
        assertEquals(" Hello", new StreamDecoderRun(t, false).run(new int[] {1, 15043, 2}));
        assertEquals("<s> Hello</s>", new StreamDecoderRun(t, true).run(new int[] {1, 15043, 2}));
    }

    private record StreamDecoderRun(Tokenizer t, boolean special) {
        String run(int[] ids) {
            StreamDecoder d = new StreamDecoder(t, special);
            StringBuilder sb = new StringBuilder();
            for (int id : ids) sb.append(d.push(id));
            return sb.append(d.flush()).toString();
        }
    }
}
