package dev.shovel.grammar;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Random sentences of a grammar, without a model: a walk over the grammar's own byte automaton. Each step groups the
 * bytes the automaton takes by the state they lead to and picks a group, then a byte of it, so structure (a closing
 * quote, a comma) is as likely as one more character. Past {@code budget} bytes the byte whose state is closest to
 * an end is taken (an ASCII byte on ties), so every walk finishes. An accepting state ends the walk with probability
 * 1/4.
 */
final class GrammarSampler {
    private GrammarSampler() {}

    static String sample(Grammar g, Random rnd, int budget) {
        Pda pda = g.pda();
        synchronized (pda) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            int s = pda.start;
            while (true) {
                boolean accepting = pda.accepting(s);
                if (accepting && (!pda.canContinue(s) || out.size() >= budget || rnd.nextInt(4) == 0)) break;
                Map<Integer, List<Integer>> groups = new LinkedHashMap<>();
                long best = Long.MAX_VALUE;
                for (int b = 0; b < 256; b++) {
                    int t = pda.next(s, b);
                    if (t == Pda.DEAD) continue;
                    if (out.size() >= budget) { // closest first, ASCII on ties
                        long rank = 2L * pda.distance(t) + (b >= 0x80 ? 1 : 0);
                        if (rank > best) continue;
                        if (rank < best) groups.clear();
                        best = rank;
                    }
                    groups.computeIfAbsent(t, k -> new ArrayList<>()).add(b);
                }
                if (groups.isEmpty()) throw new AssertionError("no byte continues " + out.toString(StandardCharsets.UTF_8));
                List<List<Integer>> options = new ArrayList<>(groups.values());
                List<Integer> group = options.get(rnd.nextInt(options.size()));
                int b = group.get(rnd.nextInt(group.size()));
                out.write(b);
                s = pda.next(s, b);
            }
            return out.toString(StandardCharsets.UTF_8);
        }
    }
}
