package dev.shovel.grammar;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A {@code pattern} (with optional minLength/maxLength) as the GBNF of a JSON string. Pattern characters come out
 * JSON-escaped ({@code "} as {@code \"}, control characters as escapes), so the string always parses. Without length
 * bounds, or when the pattern's own lengths lie within them, the regex tree is written out directly; otherwise an
 * automaton of the pattern is crossed with a character counter, one rule per (state, count).
 */
final class PatternGbnf {
    private static final int MAX_RULES = 20_000;

    private PatternGbnf() {}

    /** Body of a JSON string rule (quotes included) whose content matches the pattern, its length in [min, max] (max -1: open). */
    static String string(GbnfWriter out, String pattern, int min, int max, String hint, String where) {
        Regex.Node re = Regex.parse(pattern, where);
        long pmin = Regex.minLength(re), pmax = Regex.maxLength(re);
        boolean within = pmin >= min && (max < 0 || pmax >= 0 && pmax <= max);
        if (within) {
            String body = emit(out, re, false);
            return "\"\\\"\" " + (body.isEmpty() ? "" : body + " ") + "\"\\\"\"";
        }
        if (max >= 0 && pmin > max || pmax >= 0 && pmax < min) {
            throw new Unsatisfiable("pattern " + JsonText.quote(pattern) + " has no match with a length in [" + min + ", "
                    + (max < 0 ? "inf" : max) + "] at " + where);
        }
        return "\"\\\"\" " + counted(out, re, min, max, hint, pattern, where);
    }

    /** GBNF for a normalized node; {@code atom}: wrapped so a quantifier may follow. "" for the empty string. */
    static String emit(GbnfWriter out, Regex.Node n, boolean atom) {
        return switch (n) {
            case Regex.Chars c -> {
                String s = JsonText.charsIn(c.set());
                if (s == null) throw new Unsatisfiable("a pattern's character class matches nothing");
                yield s;
            }
            case Regex.AnyChar a -> out.prim("char");
            case Regex.Seq s -> {
                List<String> parts = new ArrayList<>();
                for (Regex.Node x : s.items()) {
                    String e = emit(out, x, false);
                    if (!e.isEmpty()) parts.add(e);
                }
                String j = String.join(" ", parts);
                yield atom && parts.size() > 1 ? "( " + j + " )" : j;
            }
            case Regex.Alt a -> {
                Set<String> alts = new LinkedHashSet<>();
                boolean empty = false;
                for (Regex.Node x : a.alts()) {
                    String e = emit(out, x, false);
                    if (e.isEmpty()) empty = true;
                    else alts.add(e);
                }
                if (alts.isEmpty()) yield "";
                yield "( " + String.join(" | ", alts) + " )" + (empty ? "?" : "");
            }
            case Regex.Rep r -> {
                String body = emit(out, r.body(), true);
                if (body.isEmpty()) yield "";
                String q = r.min() == 0 && r.max() < 0 ? "*" : r.min() == 1 && r.max() < 0 ? "+" : r.min() == 0 && r.max() == 1 ? "?"
                        : r.max() < 0 ? "{" + r.min() + ",}" : r.min() == r.max() ? "{" + r.min() + "}" : "{" + r.min() + "," + r.max() + "}";
                String s = body + q;
                yield atom ? "( " + s + " )" : s;
            }
            case Regex.Anchor x -> "";
        };
    }

    // ---- the pattern crossed with a length counter ----

    /** An automaton with ε-moves: per state, its ε-successors and its character moves (GBNF atom, target). */
    private static final class Nfa {
        final List<List<Integer>> eps = new ArrayList<>();
        final List<List<String>> labels = new ArrayList<>();
        final List<List<Integer>> targets = new ArrayList<>();

        int state() {
            if (eps.size() > MAX_RULES) throw new GrammarException("the pattern is too large to combine with minLength/maxLength");
            eps.add(new ArrayList<>());
            labels.add(new ArrayList<>());
            targets.add(new ArrayList<>());
            return eps.size() - 1;
        }

        /** Adds moves for {@code n} from {@code from}; returns the state after it. */
        int build(GbnfWriter out, Regex.Node n, int from) {
            switch (n) {
                case Regex.Chars c -> {
                    String label = emit(out, c, true);
                    int t = state();
                    labels.get(from).add(label);
                    targets.get(from).add(t);
                    return t;
                }
                case Regex.AnyChar a -> {
                    int t = state();
                    labels.get(from).add(out.prim("char"));
                    targets.get(from).add(t);
                    return t;
                }
                case Regex.Seq s -> {
                    int cur = from;
                    for (Regex.Node x : s.items()) cur = build(out, x, cur);
                    return cur;
                }
                case Regex.Alt a -> {
                    int end = state();
                    for (Regex.Node x : a.alts()) eps.get(build(out, x, from)).add(end);
                    return end;
                }
                case Regex.Rep r -> {
                    int cur = from;
                    for (int i = 0; i < r.min(); i++) cur = build(out, r.body(), cur);
                    if (r.max() < 0) {
                        int loop = state();
                        eps.get(cur).add(loop);
                        eps.get(build(out, r.body(), loop)).add(loop);
                        return loop;
                    }
                    int end = state();
                    eps.get(cur).add(end);
                    for (int i = r.min(); i < r.max(); i++) {
                        cur = build(out, r.body(), cur);
                        eps.get(cur).add(end);
                    }
                    return end;
                }
                case Regex.Anchor x -> { return from; }
            }
        }

        Set<Integer> closure(int s) {
            Set<Integer> seen = new LinkedHashSet<>();
            ArrayDeque<Integer> todo = new ArrayDeque<>(List.of(s));
            while (!todo.isEmpty()) {
                int x = todo.poll();
                if (seen.add(x)) todo.addAll(eps.get(x));
            }
            return seen;
        }
    }

    private static String counted(GbnfWriter out, Regex.Node re, int min, int max, String hint, String pattern, String where) {
        Nfa nfa = new Nfa();
        int start = nfa.state();
        int accept = nfa.build(out, re, start);
        // pairs (state, count); with no maximum the count stops growing at min
        Map<Long, Integer> ids = new HashMap<>();
        List<long[]> pairs = new ArrayList<>();
        List<List<String>> moveLabels = new ArrayList<>();
        List<List<Integer>> moveTargets = new ArrayList<>();
        List<Boolean> ends = new ArrayList<>();
        ArrayDeque<Integer> todo = new ArrayDeque<>();
        java.util.function.BiFunction<Integer, Integer, Integer> pair = (q, k) -> {
            long key = (long) q << 32 | k;
            Integer id = ids.get(key);
            if (id != null) return id;
            if (pairs.size() >= MAX_RULES) throw new GrammarException("unsupported pattern at " + where + ": too large to combine with minLength/maxLength");
            id = pairs.size();
            ids.put(key, id);
            pairs.add(new long[] {q, k});
            moveLabels.add(new ArrayList<>());
            moveTargets.add(new ArrayList<>());
            ends.add(false);
            todo.add(id);
            return id;
        };
        pair.apply(start, 0);
        while (!todo.isEmpty()) {
            int id = todo.poll();
            int q = (int) pairs.get(id)[0], k = (int) pairs.get(id)[1];
            Set<Integer> cl = nfa.closure(q);
            if (cl.contains(accept) && k >= min) ends.set(id, true);
            int k2 = max < 0 ? Math.min(k + 1, min) : k + 1;
            if (max >= 0 && k2 > max) continue;
            for (int s : cl) {
                for (int i = 0; i < nfa.labels.get(s).size(); i++) {
                    moveLabels.get(id).add(nfa.labels.get(s).get(i));
                    moveTargets.get(id).add(pair.apply(nfa.targets.get(s).get(i), k2));
                }
            }
        }
        // keep the pairs from which the string can end
        int n = pairs.size();
        boolean[] live = new boolean[n];
        boolean changed = true;
        for (int i = 0; i < n; i++) live[i] = ends.get(i);
        while (changed) {
            changed = false;
            for (int i = 0; i < n; i++) {
                if (live[i]) continue;
                for (int t : moveTargets.get(i)) if (live[t]) { live[i] = true; changed = true; break; }
            }
        }
        if (!live[0]) {
            throw new Unsatisfiable("pattern " + JsonText.quote(pattern) + " has no match with a length in [" + min + ", "
                    + (max < 0 ? "inf" : max) + "] at " + where);
        }
        String[] names = new String[n];
        for (int i = 0; i < n; i++) if (live[i]) names[i] = out.reserve(hint + "-" + i);
        for (int i = 0; i < n; i++) {
            if (!live[i]) continue;
            Set<String> alts = new LinkedHashSet<>();
            for (int j = 0; j < moveLabels.get(i).size(); j++) {
                int t = moveTargets.get(i).get(j);
                if (live[t]) alts.add(moveLabels.get(i).get(j) + " " + names[t]);
            }
            if (ends.get(i)) alts.add("\"\\\"\"");
            out.define(names[i], String.join(" | ", alts));
        }
        return names[0];
    }
}
