package dev.shovel.tokenizer;

import java.util.Arrays;

/** Open-addressing map from long keys to non-negative int values; get returns -1 when absent. */
final class LongIntMap {
    private static final long EMPTY = Long.MIN_VALUE;
    private long[] keys;
    private int[] vals;
    private int size;
    private int mask;

    LongIntMap(int expected) {
        int cap = Integer.highestOneBit(Math.max(16, expected * 2 - 1)) << 1;
        keys = new long[cap];
        vals = new int[cap];
        Arrays.fill(keys, EMPTY);
        mask = cap - 1;
    }

    private static int hash(long k) {
        long h = k ^ (k >>> 33);   // murmur3 finalizer: every key bit reaches the low bits
        h *= 0xFF51AFD7ED558CCDL;
        h ^= h >>> 33;
        h *= 0xC4CEB9FE1A85EC53L;
        return (int) (h ^ (h >>> 33));
    }

    int get(long key) {
        int i = hash(key) & mask;
        while (true) {
            long k = keys[i];
            if (k == key) return vals[i];
            if (k == EMPTY) return -1;
            i = (i + 1) & mask;
        }
    }

    /** Inserts key if absent (the first value wins, like std::unordered_map::emplace). */
    void putIfAbsent(long key, int val) {
        if ((size + 1) * 2 > keys.length) grow();
        int i = hash(key) & mask;
        while (true) {
            long k = keys[i];
            if (k == key) return;
            if (k == EMPTY) {
                keys[i] = key;
                vals[i] = val;
                size++;
                return;
            }
            i = (i + 1) & mask;
        }
    }

    private void grow() {
        long[] ok = keys;
        int[] ov = vals;
        keys = new long[ok.length * 2];
        vals = new int[ok.length * 2];
        Arrays.fill(keys, EMPTY);
        mask = keys.length - 1;
        size = 0;
        for (int i = 0; i < ok.length; i++) if (ok[i] != EMPTY) putIfAbsent(ok[i], ov[i]);
    }

    int size() { return size; }
}
