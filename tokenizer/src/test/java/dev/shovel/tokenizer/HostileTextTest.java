package dev.shovel.tokenizer;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Arbitrary text against real vocabularies: long runs of one character (the inputs that make naive BPE/SPM merging
 * or backtracking regexes quadratic), lone surrogates, specials everywhere. Every model must stay near linear; a
 * 1M-character run of each kind took at most about 1.2 s per pre-tokenizer when this was written (100k here).
 */
class HostileTextTest {
    private static final int N = 100_000;
    private static final String[] RUNS = {"a", " ", "\n", "\u00E9", "1", "!", "\u4E2D", "a ", "\uD83E\uDD99", "A", "aA",
        "\t", "\u00A0", " \n", "'s", "\u0301", "a\u0301", "\uD800", "IMGIMGA", "<s>", "\r\n", "\u2581"};

    @Test
    void longRunsThroughEveryPreTokenizer() {
        for (String name : PreTokenizer.names()) {
            PreTokenizer p = new PreTokenizer(PreTokenizer.config(name).regexes());
            for (String r : RUNS) {
                String s = Unicode.wellFormed(r.repeat(N / 10 / r.length()));
                assertTimeoutPreemptively(Duration.ofSeconds(5), () -> p.split(s), name + " on a run of '" + r + "'");
            }
        }
    }

    @Test
    void longRunsThroughRealVocabularies() {
        for (String v : new String[] {"llama-spm", "gpt-2", "bert-bge", "deepseek-llm", "phi-3"}) {
            Tokenizer t = Fixtures.vocab(v);
            for (String r : RUNS) {
                String s = r.repeat(N / r.length());
                int[] ids = assertTimeoutPreemptively(Duration.ofSeconds(10), () -> t.encode(s, true, true),
                    v + " on a run of '" + r + "'");
                for (int id : ids) assertTrue(id >= 0 && id < t.vocabSize());
                t.decode(ids, false, true);
            }
        }
    }

    @Test
    void loneSurrogatesNeverLeakIntoTokens() {
        Tokenizer t = Fixtures.vocab("gpt-2");
        String s = "x\uD800y\uDC00\uDC00\uD83E";
        assertEquals("x\uFFFDy\uFFFD\uFFFD\uFFFD", t.decode(t.encode(s, false, false), false, false));
    }
}
