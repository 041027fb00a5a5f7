package dev.shovel.tokenizer;

import java.util.Arrays;

/** Growable int array. */
final class IntList {
    private int[] a;
    private int n;

    IntList() { this(16); }
    IntList(int capacity) { a = new int[Math.max(4, capacity)]; }

    void add(int v) {
        if (n == a.length) a = Arrays.copyOf(a, a.length * 2);
        a[n++] = v;
    }

    void addAll(int[] v) {
        if (n + v.length > a.length) a = Arrays.copyOf(a, Math.max(a.length * 2, n + v.length));
        System.arraycopy(v, 0, a, n, v.length);
        n += v.length;
    }

    int get(int i) { return a[i]; }
    void set(int i, int v) { a[i] = v; }
    int size() { return n; }
    void clear() { n = 0; }
    void truncate(int size) { n = Math.min(n, size); }
    int[] toArray() { return Arrays.copyOf(a, n); }
}
