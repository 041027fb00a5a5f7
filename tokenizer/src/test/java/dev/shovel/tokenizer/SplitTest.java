package dev.shovel.tokenizer;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

/** The bit-set fast path must split exactly like java.util.regex running the same regex. */
class SplitTest {
    private static final int[] ALPHABET = {' ', ' ', '\t', '\n', '\r', 'a', 'Z', 'q', '0', '7', '!', '/', '~', '-',
        0xB5, 0xC0, 0xD7, 0x391, 0x3A9, 0x1F5F, 0x1FBE, 0x2126, 0x212A, 0x4E00, 0x4E01, 0x9FA5, 0xAC00, 0xD7A3,
        0x3000, 0x3001, 0x3002, 0x3041, 0x30A2, 0xFF01, 0xFF21, 0x2018, 0x201F, 0x00A0, 0x2003, 0x10400, 0x1F999};

    @Test
    void setRunsMatchTheRegexEngine() {
        String[] regexes = {PreTokenizer.CASED_LETTERS, PreTokenizer.CJK,
            PreTokenizer.R_DEEPSEEK_LLM.get(2), PreTokenizer.R_DEEPSEEK3.get(1)};
        Random r = new Random(1);
        for (String regex : regexes) {
            SetRunSplit fast = SetRunSplit.of(regex);
            assertNotNull(fast, regex);
            RegexSplit slow = new RegexSplit(regex);
            for (int trial = 0; trial < 300; trial++) {
                StringBuilder sb = new StringBuilder();
                int n = r.nextInt(40);
                for (int i = 0; i < n; i++) sb.appendCodePoint(ALPHABET[r.nextInt(ALPHABET.length)]);
                SplitText t = new SplitText(sb.toString());
                IntList lengths = new IntList();
                int left = t.length();
                while (left > 0) {   // random pre-split, as earlier steps would leave it
                    int k = 1 + r.nextInt(left);
                    lengths.add(k);
                    left -= k;
                }
                assertArrayEquals(slow.apply(t, lengths).toArray(), fast.apply(t, lengths).toArray(), regex + " on " + sb);
            }
        }
    }

    @Test
    void onlyPlainSetsTakeTheFastPath() {
        assertNull(SetRunSplit.of("\\s?\\p{L}+"));
        assertNull(SetRunSplit.of("[^a-z]+"));
        assertNull(SetRunSplit.of("[\r\n]"));
        assertNull(SetRunSplit.of(" ?[^(\\s|.,!?)]+"));
        assertEquals("[a-c]+", String.valueOf(SetRunSplit.of("[a-c]+")));
    }
}
