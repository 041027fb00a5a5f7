package dev.shovel.tokenizer;

import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Runs llama.cpp test-tokenizer-0 vectors (.inp/.out) through a tokenizer and reports a pass count. */
final class VectorCheck {
    private VectorCheck() {}

    /** encode(text, addSpecial=false, parseSpecial=false) must equal each .out line; prints "label: k/n". */
    static void assertAllPass(String label, Tokenizer tok, String vectors) {
        List<String> in = Fixtures.inputs(vectors);
        List<int[]> out = Fixtures.outputs(vectors);
        assertEquals(46, in.size(), vectors + ".inp test count");
        assertEquals(in.size(), out.size(), vectors + ": .out line count differs from .inp test count");
        int pass = 0;
        StringBuilder fails = new StringBuilder();
        for (int i = 0; i < in.size(); i++) {
            int[] got = tok.encode(in.get(i), false, false);
            if (Arrays.equals(got, out.get(i))) {
                pass++;
            } else if (fails.length() < 4000) {
                fails.append("\n  #").append(i).append(' ').append(escape(in.get(i)))
                     .append("\n    expected ").append(Arrays.toString(out.get(i)))
                     .append("\n    got      ").append(Arrays.toString(got));
            }
        }
        System.out.println(label + ": " + pass + "/" + in.size());
        assertEquals(in.size(), pass, label + " failures:" + fails);
    }

    static String escape(String s) {
        String e = s.replace("\n", "\\n").replace("\t", "\\t");
        return "'" + (e.length() > 80 ? e.substring(0, 77) + "..." : e) + "'";
    }
}
