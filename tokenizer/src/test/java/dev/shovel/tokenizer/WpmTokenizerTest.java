package dev.shovel.tokenizer;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** tokenizer.ggml.model = bert (WordPiece as llama.cpp's WPM). */
class WpmTokenizerTest {

    @Test
    void bertBgeVectors() {
        Tokenizer t = Fixtures.vocab("bert-bge");
        assertEquals("bert", t.model());
        VectorCheck.assertAllPass("bert-bge", t, "bert-bge");
    }

    @Test
    void addSpecialWrapsInClsAndSep() {
        Tokenizer t = Fixtures.vocab("bert-bge");
        assertEquals(101, t.bos());
        assertEquals(102, t.sep());
        // "Hello world" -> 7592 2088 (bert-bge.out); [CLS] ... [SEP] around it
        assertArrayEquals(new int[] {101, 7592, 2088, 102}, t.encode("Hello world", true, false));
        assertArrayEquals(new int[] {101, 102}, t.encode("", true, false));
        // pieces: word starts carry the phantom space, continuations do not; clean-up removes " ,"
        assertEquals(" hello, world!", t.decode(t.encode("Hello, world!", false, false), false, false));
    }

    @Test
    void unknownWordIsUnk() {
        Tokenizer t = Fixtures.vocab("bert-bge");
        assertEquals(100, t.unk());
        // an unmatchable character makes the whole word [UNK] (🦙 is not in the BERT vocabulary)
        int[] ids = t.encode("🦙", false, false);
        assertArrayEquals(new int[] {100}, ids);
    }
}
