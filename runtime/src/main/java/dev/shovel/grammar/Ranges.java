package dev.shovel.grammar;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Code point sets as sorted, merged ranges {@code [lo0, hi0, lo1, hi1, ...]}, surrogates always left out. */
final class Ranges {
    static final int[] ALL = {0, 0xD7FF, 0xE000, Character.MAX_CODE_POINT};

    private Ranges() {}

    static int[] of(int... pairs) { return normalize(pairs); }

    static int[] single(int cp) { return of(cp, cp); }

    /** Sorts, merges and removes surrogates. */
    static int[] normalize(int[] pairs) {
        List<int[]> r = new ArrayList<>();
        for (int i = 0; i < pairs.length; i += 2) {
            int lo = pairs[i], hi = pairs[i + 1];
            if (lo <= 0xD7FF) r.add(new int[] {lo, Math.min(hi, 0xD7FF)});
            if (hi >= 0xE000) r.add(new int[] {Math.max(lo, 0xE000), hi});
        }
        r.removeIf(x -> x[0] > x[1]);
        r.sort((a, b) -> Integer.compare(a[0], b[0]));
        int[] out = new int[2 * r.size()];
        int n = 0;
        for (int[] x : r) {
            if (n > 0 && x[0] <= out[n - 1] + 1) out[n - 1] = Math.max(out[n - 1], x[1]);
            else {
                out[n++] = x[0];
                out[n++] = x[1];
            }
        }
        return Arrays.copyOf(out, n);
    }

    static int[] union(int[] a, int[] b) {
        int[] both = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, both, a.length, b.length);
        return normalize(both);
    }

    /** All scalar values not in {@code a}. */
    static int[] complement(int[] a) {
        int[] out = new int[a.length + 4];
        int n = 0, next = 0;
        for (int i = 0; i < a.length; i += 2) {
            if (a[i] > next) {
                out[n++] = next;
                out[n++] = a[i] - 1;
            }
            next = a[i + 1] + 1;
        }
        if (next <= Character.MAX_CODE_POINT) {
            out[n++] = next;
            out[n++] = Character.MAX_CODE_POINT;
        }
        return normalize(Arrays.copyOf(out, n));
    }

    static int[] minus(int[] a, int[] b) { return complement(union(complement(a), b)); }

    static boolean contains(int[] a, int cp) {
        for (int i = 0; i < a.length; i += 2) if (cp >= a[i] && cp <= a[i + 1]) return true;
        return false;
    }

    static boolean isEmpty(int[] a) { return a.length == 0; }
}
