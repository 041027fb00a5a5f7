package dev.shovel.tokenizer;

import java.util.Arrays;

/** Binary min-heap of longs in unsigned order. */
final class LongHeap {
    private long[] a = new long[64];
    private int n;

    boolean isEmpty() { return n == 0; }
    void clear() { n = 0; }

    void push(long v) {
        if (n == a.length) a = Arrays.copyOf(a, n * 2);
        int i = n++;
        while (i > 0) {
            int p = (i - 1) >>> 1;
            if (Long.compareUnsigned(a[p], v) <= 0) break;
            a[i] = a[p];
            i = p;
        }
        a[i] = v;
    }

    long pop() {
        long top = a[0];
        long v = a[--n];
        int i = 0;
        while (true) {
            int c = 2 * i + 1;
            if (c >= n) break;
            if (c + 1 < n && Long.compareUnsigned(a[c + 1], a[c]) < 0) c++;
            if (Long.compareUnsigned(a[c], v) >= 0) break;
            a[i] = a[c];
            i = c;
        }
        if (n > 0) a[i] = v;
        return top;
    }
}
