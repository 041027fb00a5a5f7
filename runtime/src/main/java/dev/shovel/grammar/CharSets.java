package dev.shovel.grammar;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** Sets of Unicode scalar values as sorted, disjoint, merged ranges {@code [lo0, hi0, lo1, hi1, ...]}; surrogates never belong. */
final class CharSets {
    private CharSets() {}

    static int[] of(List<int[]> ranges) {
        List<int[]> r = new ArrayList<>();
        for (int[] x : ranges) { // cut the surrogates out
            if (x[0] < 0xD800 && x[1] >= 0xD800) {
                r.add(new int[] {x[0], 0xD7FF});
                if (x[1] > 0xDFFF) r.add(new int[] {0xE000, x[1]});
            } else if (x[0] >= 0xD800 && x[0] <= 0xDFFF) {
                if (x[1] > 0xDFFF) r.add(new int[] {0xE000, x[1]});
            } else r.add(x);
        }
        r.sort(Comparator.comparingInt(x -> x[0]));
        List<int[]> merged = new ArrayList<>();
        for (int[] x : r) {
            int[] last = merged.isEmpty() ? null : merged.get(merged.size() - 1);
            if (last != null && x[0] <= last[1] + 1) last[1] = Math.max(last[1], x[1]);
            else merged.add(new int[] {x[0], x[1]});
        }
        int[] out = new int[2 * merged.size()];
        for (int i = 0; i < merged.size(); i++) {
            out[2 * i] = merged.get(i)[0];
            out[2 * i + 1] = merged.get(i)[1];
        }
        return out;
    }

    static int[] complement(int[] set) {
        List<int[]> r = new ArrayList<>();
        int next = 0;
        for (int i = 0; i < set.length; i += 2) {
            if (set[i] > next) r.add(new int[] {next, set[i] - 1});
            next = set[i + 1] + 1;
        }
        if (next <= Character.MAX_CODE_POINT) r.add(new int[] {next, Character.MAX_CODE_POINT});
        return of(r);
    }

    static boolean contains(int[] set, int c) {
        int lo = 0, hi = set.length / 2 - 1;
        while (lo <= hi) {
            int m = (lo + hi) >>> 1;
            if (c < set[2 * m]) hi = m - 1;
            else if (c > set[2 * m + 1]) lo = m + 1;
            else return true;
        }
        return false;
    }

    /** Whether some value in {@code [lo, hi]} belongs to the set. */
    static boolean intersects(int[] set, int lo, int hi) {
        for (int i = 0; i < set.length; i += 2) {
            if (set[i] > hi) return false;
            if (set[i + 1] >= lo) return true;
        }
        return false;
    }

    /** Whether every value in {@code [lo, hi]} belongs to the set. */
    static boolean containsRange(int[] set, int lo, int hi) {
        for (int i = 0; i < set.length; i += 2) {
            if (set[i] > lo) return false;
            if (set[i + 1] >= lo) return set[i + 1] >= hi;
        }
        return false;
    }

    /** UTF-8 length of the smallest member; 0 for an empty set. */
    static int minBytes(int[] set) {
        if (set.length == 0) return 0;
        int c = set[0];
        return c < 0x80 ? 1 : c < 0x800 ? 2 : c < 0x10000 ? 3 : 4;
    }
}
