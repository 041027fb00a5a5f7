package dev.shovel.grammar;

import dev.shovel.tokenizer.Tokenizer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.WeakHashMap;

/**
 * A checked GBNF grammar (llama.cpp's format). Loading refuses undefined rules, rules that can never end and left
 * recursion, so matching always terminates. Thread-safe; the automaton and the token masks it builds while
 * generating are shared by every generation that uses this instance, so reuse one instance for repeated requests.
 */
public final class Grammar {
    private static final int END = Integer.MIN_VALUE;
    private static final int INF = Integer.MAX_VALUE / 4;

    private final String source;
    private final Pda pda;
    private final Map<Tokenizer, TokenMasks> masks = new WeakHashMap<>();

    private Grammar(String source, Pda pda) {
        this.source = source;
        this.pda = pda;
    }

    /** Parses and checks GBNF text with a {@code root} rule; a malformed or unusable grammar is a {@link GrammarException}. */
    public static Grammar parse(String gbnf) {
        if (gbnf == null) throw new GrammarException("no grammar given");
        Rules rules = Gbnf.parse(gbnf);
        return new Grammar(gbnf, compile(gbnf, rules));
    }

    /** The grammar a JSON schema (its JSON text) converts to. */
    public static Grammar fromJsonSchema(String schemaJson) {
        return parse(JsonSchemaGrammar.toGbnf(schemaJson));
    }

    /** The GBNF text this grammar was parsed from. */
    public String source() { return source; }

    /** Whether the whole of {@code text} is a sentence of the grammar. */
    public boolean matches(String text) {
        synchronized (pda) {
            int s = run(text);
            return s != Pda.DEAD && pda.accepting(s);
        }
    }

    /** Whether {@code text} can be continued into a sentence of the grammar (or already is one). */
    public boolean matchesPrefix(String text) {
        synchronized (pda) {
            return run(text) != Pda.DEAD;
        }
    }

    private int run(String text) {
        int s = pda.start;
        for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
            s = pda.next(s, b & 0xFF);
            if (s == Pda.DEAD) break;
        }
        return s;
    }

    Pda pda() { return pda; }

    /** The masks of this grammar over one vocabulary, shared by every generation with this tokenizer. */
    TokenMasks masks(Tokenizer tok) {
        synchronized (masks) {
            return masks.computeIfAbsent(tok, t -> new TokenMasks(pda, TokenTrie.of(t), t));
        }
    }

    @Override
    public String toString() { return source; }

    // ---- checks and layout ----

    private static Pda compile(String src, Rules rules) {
        int n = rules.size();
        int[][] sets = new int[rules.setCount()][];
        for (int i = 0; i < sets.length; i++) sets[i] = rules.charSet(i);
        // fewest bytes each rule needs (INF: it can never end), by relaxation until nothing changes
        int[] min = new int[n];
        Arrays.fill(min, INF);
        List<List<Integer>> users = new ArrayList<>();
        for (int r = 0; r < n; r++) users.add(new ArrayList<>());
        for (int r = 0; r < n; r++) {
            for (int[] alt : rules.alts(r)) for (int c : alt) if (Rules.isRef(c)) users.get(Rules.rule(c)).add(r);
        }
        ArrayDeque<Integer> work = new ArrayDeque<>();
        boolean[] queued = new boolean[n];
        for (int r = 0; r < n; r++) { work.add(r); queued[r] = true; }
        while (!work.isEmpty()) {
            int r = work.poll();
            queued[r] = false;
            int best = INF;
            for (int[] alt : rules.alts(r)) best = Math.min(best, cost(alt, 0, min, sets));
            if (best < min[r]) {
                min[r] = best;
                for (int u : users.get(r)) if (!queued[u]) { queued[u] = true; work.add(u); }
            }
        }
        boolean[] reach = reachable(rules);
        for (int r = 0; r < n; r++) {
            if (reach[r] && min[r] >= INF) {
                throw Gbnf.error(src, rules.where(r), "rule '" + rules.userName(r) + "' can never end (every way through it needs itself again, or an empty character class)");
            }
        }
        leftRecursion(src, rules, min, reach);

        // flatten: each alternative's codes, then END
        int total = 0;
        for (int r = 0; r < n; r++) for (int[] alt : rules.alts(r)) total += alt.length + 1;
        int[] code = new int[total];
        int[] rest = new int[total];
        int[][] altStart = new int[n][];
        int p = 0;
        for (int r = 0; r < n; r++) {
            List<int[]> alts = rules.alts(r);
            altStart[r] = new int[alts.size()];
            for (int a = 0; a < alts.size(); a++) {
                int[] alt = alts.get(a);
                altStart[r][a] = p;
                System.arraycopy(alt, 0, code, p, alt.length);
                code[p + alt.length] = END;
                for (int i = 0; i <= alt.length; i++) rest[p + i] = cost(alt, i, min, sets);
                p += alt.length + 1;
            }
        }
        return new Pda(code, altStart, sets, rest, rules.root);
    }

    /** Fewest bytes for {@code alt[from..]}. */
    private static int cost(int[] alt, int from, int[] min, int[][] sets) {
        long sum = 0;
        for (int i = from; i < alt.length; i++) {
            int c = alt[i];
            int m = Rules.isRef(c) ? min[Rules.rule(c)] : sets[c].length == 0 ? INF : CharSets.minBytes(sets[c]);
            sum += m;
            if (sum >= INF) return INF;
        }
        return (int) sum;
    }

    private static boolean[] reachable(Rules rules) {
        boolean[] seen = new boolean[rules.size()];
        ArrayDeque<Integer> todo = new ArrayDeque<>();
        seen[rules.root] = true;
        todo.add(rules.root);
        while (!todo.isEmpty()) {
            int r = todo.poll();
            for (int[] alt : rules.alts(r)) {
                for (int c : alt) {
                    if (Rules.isRef(c) && !seen[Rules.rule(c)]) {
                        seen[Rules.rule(c)] = true;
                        todo.add(Rules.rule(c));
                    }
                }
            }
        }
        return seen;
    }

    /** Refuses a rule that can reach itself before reading anything (through rules that may match nothing). */
    private static void leftRecursion(String src, Rules rules, int[] min, boolean[] reach) {
        int n = rules.size();
        int[][] first = new int[n][];
        for (int r = 0; r < n; r++) {
            Pda.IntList l = new Pda.IntList();
            for (int[] alt : rules.alts(r)) {
                for (int c : alt) {
                    if (Rules.isRef(c)) {
                        l.add(Rules.rule(c));
                        if (min[Rules.rule(c)] != 0) break;
                    } else break;
                }
            }
            first[r] = l.sortedUnique();
        }
        byte[] color = new byte[n]; // 0 new, 1 on the path, 2 done
        int[] path = new int[n], edge = new int[n];
        for (int s = 0; s < n; s++) {
            if (color[s] != 0 || !reach[s]) continue;
            int depth = 0;
            path[0] = s;
            edge[0] = 0;
            color[s] = 1;
            while (depth >= 0) {
                int r = path[depth];
                if (edge[depth] == first[r].length) {
                    color[r] = 2;
                    depth--;
                    continue;
                }
                int t = first[r][edge[depth]++];
                if (color[t] == 1) {
                    StringBuilder cycle = new StringBuilder();
                    String last = null;
                    int from = 0;
                    while (path[from] != t) from++;
                    for (int i = from; i <= depth; i++) {
                        String name = rules.userName(path[i]);
                        if (!name.equals(last)) cycle.append(last == null ? "" : " -> ").append(name);
                        last = name;
                    }
                    cycle.append(" -> ").append(rules.userName(t));
                    throw Gbnf.error(src, rules.where(t), "rule '" + rules.userName(t) + "' is left-recursive (" + cycle
                            + "), or repeats something that can match nothing");
                }
                if (color[t] == 0) {
                    color[t] = 1;
                    path[++depth] = t;
                    edge[depth] = 0;
                }
            }
        }
    }
}
