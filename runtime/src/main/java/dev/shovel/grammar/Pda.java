package dev.shovel.grammar;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The grammar as a pushdown automaton over UTF-8 bytes, built lazily. A <em>stack</em> is a list of grammar positions:
 * the top one is a character set still to match, the ones below are where to return when a rule ends (llama.cpp's
 * grammar stacks; a reference at the end of an alternative pushes nothing, so repetition loops do not grow the stack).
 * A <em>state</em> is the set of stacks alive after some input, plus the bytes of an unfinished UTF-8 character.
 * Stacks and states are interned to ints and each state's transition on a byte is computed once, so walking the
 * token trie is mostly array lookups. State 0 is dead; stack 0 is the empty stack (the input so far is a sentence).
 *
 * <p>Not thread-safe: callers lock the instance around any use.
 */
final class Pda {
    static final int DEAD = 0, UNKNOWN = -1;
    /** Most stacks a state may hold: a limit on how ambiguous a grammar may be. */
    static final int MAX_STACKS = 4096;
    /** Most states kept (~1.2 KB each); beyond it a generation fails rather than exhaust the heap. */
    static final int MAX_STATES = 50_000;
    private static final int END = Integer.MIN_VALUE;

    private final int[] code; // flattened alternatives: set id, rule ref (negative) or END
    private final int[][] altStart; // rule -> positions where its alternatives start
    private final int[][] sets;
    private final int[] restLen; // position -> fewest bytes to the end of its alternative

    // stacks: (position, parent stack)
    private int[] stackPos = new int[1024], stackParent = new int[1024], stackDist = new int[1024];
    private int stacks;
    private final Map<Long, Integer> stackIds = new HashMap<>();

    // states
    private final List<int[]> stateStacks = new ArrayList<>();
    // an unfinished character: bytes still to come, its bits so far (or, below 0, "any": see partial), its length
    private int[] rem = new int[1024], val = new int[1024], len = new int[1024], dist = new int[1024], rep = new int[1024];
    private final List<int[]> trans = new ArrayList<>();
    private final Map<StateKey, Integer> stateIds = new HashMap<>();
    final int start;

    Pda(int[] code, int[][] altStart, int[][] sets, int[] restLen, int root) {
        this.code = code;
        this.altStart = altStart;
        this.sets = sets;
        this.restLen = restLen;
        stackPos[0] = -1;
        stackParent[0] = -1;
        stacks = 1;
        state(new int[0], 0, 0, 0, 0); // 0: dead
        IntList out = new IntList();
        for (int a : altStart[root]) expand(a, 0, out);
        start = state(out.sortedUnique(), 0, 0, 0, 0);
    }

    /** The state after byte {@code b} (0..255) from state {@code s}; {@link #DEAD} if the input cannot go on. */
    int next(int s, int b) {
        int[] row = trans.get(s);
        int t = row[b];
        if (t == UNKNOWN) row[b] = t = compute(s, b);
        return t;
    }

    /** The transition row of a state (entries may be {@link #UNKNOWN}); for tight loops. */
    int[] row(int s) { return trans.get(s); }

    int states() { return stateStacks.size(); }

    /** Whether the input so far is a sentence. */
    boolean accepting(int s) {
        int[] st = stateStacks.get(s);
        return rem[s] == 0 && st.length > 0 && st[0] == 0;
    }

    /** Whether some non-empty input may follow. */
    boolean canContinue(int s) {
        int[] st = stateStacks.get(s);
        return rem[s] > 0 || st.length > 1 || (st.length == 1 && st[0] != 0);
    }

    /** Fewest bytes that complete a sentence from this state (0 when accepting). */
    int distance(int s) { return dist[s]; }

    private int compute(int s, int b) {
        int[] st = stateStacks.get(s);
        if (rem[s] == 0) {
            if (b < 0x80) return advance(st, b);
            if (b >= 0xC2 && b <= 0xDF) return partial(st, 1, b & 0x1F, 2);
            if (b >= 0xE0 && b <= 0xEF) return partial(st, 2, b & 0x0F, 3);
            if (b >= 0xF0 && b <= 0xF4) return partial(st, 3, b & 0x07, 4);
            return DEAD;
        }
        if ((b & 0xC0) != 0x80) return DEAD;
        if (val[s] < 0) { // any character of the range will do: only the UTF-8 rules of the lead byte still matter
            int cls = -val[s] - 1;
            if (cls == 1 && b < 0xA0 || cls == 2 && b > 0x9F || cls == 3 && b < 0x90 || cls == 4 && b > 0x8F) return DEAD;
            if (rem[s] == 1) return advance(st, rep[s]);
            return state(st, rem[s] - 1, -1, len[s], rep[s]);
        }
        int v = val[s] << 6 | (b & 0x3F), r = rem[s] - 1;
        if (r > 0) return partial(st, r, v, len[s]);
        if (v < minCodePoint(len[s]) || v > Character.MAX_CODE_POINT || (v >= 0xD800 && v <= 0xDFFF)) return DEAD;
        return advance(st, v);
    }

    private static int minCodePoint(int len) { return len == 2 ? 0x80 : len == 3 ? 0x800 : 0x10000; }

    /** An unfinished character: keeps the stacks whose next set has a member the remaining bytes could complete. */
    private int partial(int[] st, int r, int v, int l) {
        int lo = Math.max(v << (6 * r), minCodePoint(l)), hi = Math.min(v << (6 * r) | ((1 << (6 * r)) - 1), Character.MAX_CODE_POINT);
        if (lo > hi) return DEAD;
        IntList keep = new IntList();
        boolean whole = true;
        for (int id : st) {
            if (id == 0) continue;
            int[] set = sets[code[stackPos[id]]];
            if (CharSets.intersects(set, lo, hi)) {
                keep.add(id);
                whole &= CharSets.containsRange(set, lo, hi);
            }
        }
        if (keep.size() == 0) return DEAD;
        if (!whole) return state(keep.toArray(), r, v, l, 0);
        // every stack takes every character the remaining bytes can make (a string's characters, '.'): the value no
        // longer matters, so all such partial characters share one state per lead-byte rule, and any member of the
        // range stands for the character when it completes (E0: A0-BF next, ED: 80-9F, F0: 90-BF, F4: 80-8F)
        int cls = r != l - 1 ? 0 : l == 3 && v == 0 ? 1 : l == 3 && v == 0xD ? 2 : l == 4 && v == 0 ? 3 : l == 4 && v == 4 ? 4 : 0;
        return state(keep.toArray(), r, -1 - cls, l, lo);
    }

    /** The stacks after each stack of {@code st} whose next set holds {@code c} has matched it. */
    private int advance(int[] st, int c) {
        IntList out = new IntList();
        for (int id : st) {
            if (id == 0) continue;
            int p = stackPos[id];
            if (CharSets.contains(sets[code[p]], c)) expand(p + 1, stackParent[id], out);
        }
        if (out.size() == 0) return DEAD;
        return state(out.sortedUnique(), 0, 0, 0, 0);
    }

    /** Adds to {@code out} every stack reachable from position {@code p} with {@code parent} below, until a set is on top. */
    private void expand(int p, int parent, IntList out) {
        int c = code[p];
        if (c == END) {
            if (parent == 0) out.add(0);
            else expand(stackPos[parent], stackParent[parent], out);
        } else if (c < 0) {
            int ret = code[p + 1] == END ? parent : stack(p + 1, parent);
            for (int a : altStart[Rules.rule(c)]) expand(a, ret, out);
        } else {
            out.add(stack(p, parent));
        }
        if (out.size() > 4 * MAX_STACKS) throw tooAmbiguous();
    }

    private int stack(int p, int parent) {
        long key = (long) p << 32 | parent;
        Integer id = stackIds.get(key);
        if (id != null) return id;
        if (stacks == stackPos.length) {
            stackPos = Arrays.copyOf(stackPos, 2 * stacks);
            stackParent = Arrays.copyOf(stackParent, 2 * stacks);
            stackDist = Arrays.copyOf(stackDist, 2 * stacks);
        }
        stackPos[stacks] = p;
        stackParent[stacks] = parent;
        stackDist[stacks] = (int) Math.min(Integer.MAX_VALUE / 2, (long) restLen[p] + stackDist[parent]);
        stackIds.put(key, stacks);
        return stacks++;
    }

    private int state(int[] st, int r, int v, int l, int representative) {
        if (st.length > MAX_STACKS) throw tooAmbiguous();
        StateKey k = new StateKey(st, r, v, l);
        Integer id = stateIds.get(k);
        if (id != null) return id;
        int n = stateStacks.size();
        if (n >= MAX_STATES) throw new GrammarException("the grammar needs more than " + MAX_STATES + " automaton states for this output");
        if (n == rem.length) {
            rem = Arrays.copyOf(rem, 2 * n);
            val = Arrays.copyOf(val, 2 * n);
            len = Arrays.copyOf(len, 2 * n);
            dist = Arrays.copyOf(dist, 2 * n);
            rep = Arrays.copyOf(rep, 2 * n);
        }
        rep[n] = representative;
        rem[n] = r;
        val[n] = v;
        len[n] = l;
        // fewest bytes to the end: in the middle of a character, its missing bytes and what follows that character
        int d = Integer.MAX_VALUE / 2;
        for (int id2 : st) d = Math.min(d, r == 0 ? stackDist[id2] : stackDist[id2] - CharSets.minBytes(sets[code[stackPos[id2]]]) + r);
        dist[n] = n == 0 ? Integer.MAX_VALUE / 2 : d;
        stateStacks.add(st);
        int[] row = new int[256];
        Arrays.fill(row, UNKNOWN);
        if (n == 0) Arrays.fill(row, DEAD);
        trans.add(row);
        stateIds.put(k, n);
        return n;
    }

    private static GrammarException tooAmbiguous() {
        return new GrammarException("the grammar is too ambiguous: more than " + MAX_STACKS + " ways to read the same text");
    }

    private record StateKey(int[] stacks, int rem, int val, int len) {
        @Override
        public boolean equals(Object o) {
            return o instanceof StateKey k && rem == k.rem && val == k.val && len == k.len && Arrays.equals(stacks, k.stacks);
        }

        @Override
        public int hashCode() { return ((Arrays.hashCode(stacks) * 31 + rem) * 31 + val) * 31 + len; }
    }

    /** A growable int list. */
    static final class IntList {
        private int[] a = new int[16];
        private int n;

        void add(int v) {
            if (n == a.length) a = Arrays.copyOf(a, 2 * n);
            a[n++] = v;
        }

        int size() { return n; }

        int[] toArray() { return Arrays.copyOf(a, n); }

        int[] sortedUnique() {
            int[] s = toArray();
            Arrays.sort(s);
            int m = 0;
            for (int i = 0; i < s.length; i++) if (i == 0 || s[i] != s[i - 1]) s[m++] = s[i];
            return Arrays.copyOf(s, m);
        }
    }
}
