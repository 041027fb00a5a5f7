package dev.shovel.model;

import dev.shovel.backend.Backend;
import dev.shovel.backend.KvCells;
import dev.shovel.backend.KvStore;
import dev.shovel.gguf.GGMLType;
import java.util.Arrays;

/**
 * The key/value cache: {@code size} cells shared by all sequences, each holding one token's keys and values in every
 * layer (per-layer shapes may differ). Cells are tagged with position and sequence, so sequences can be truncated,
 * rewound or dropped without copying.
 */
public final class KvCache implements KvCells, AutoCloseable {
    private final int size;
    private final int[] pos;
    private final int[] seq;
    private final KvStore[] layers;
    private int used; // cells [0, used) may be occupied
    private int[] placed = new int[1];
    private int[][] cellOf = new int[0][]; // per sequence, per position: the cell, or -1

    public KvCache(Backend[] backends, int size, int[] kDims, int[] vDims, GGMLType type) {
        this.size = size;
        this.pos = new int[size];
        this.seq = new int[size];
        Arrays.fill(seq, -1);
        this.layers = new KvStore[kDims.length];
        for (int l = 0; l < layers.length; l++) { // a value width of 0: the values are the keys (deepseek2's latent row)
            layers[l] = vDims[l] == 0 ? backends[l].kvStoreShared(size, kDims[l], type) : backends[l].kvStore(size, kDims[l], vDims[l], type);
        }
    }

    public int size() { return size; }
    public KvStore layer(int l) { return layers[l]; }

    @Override public int used() { return used; }
    @Override public int cellPos(int c) { return pos[c]; }
    @Override public int cellSeq(int c) { return seq[c]; }

    @Override
    public int cellAt(int s, int p) {
        if (s < 0 || s >= cellOf.length || p < 0) return -1;
        int[] at = cellOf[s];
        return at == null || p >= at.length ? -1 : at[p];
    }

    private void index(int s, int p, int c) {
        if (s >= cellOf.length) cellOf = Arrays.copyOf(cellOf, Math.max(s + 1, 2 * cellOf.length));
        int[] at = cellOf[s];
        if (at == null || p >= at.length) {
            int n = Math.max(p + 1, at == null ? 64 : 2 * at.length);
            int old = at == null ? 0 : at.length;
            at = at == null ? new int[n] : Arrays.copyOf(at, n);
            Arrays.fill(at, old, n, -1);
            cellOf[s] = at;
        }
        int prev = at[p];
        if (prev >= 0 && prev != c) seq[prev] = -1; // a position written again replaces its old cell
        at[p] = c;
    }

    private void free(int c) {
        int[] at = cellOf[seq[c]];
        if (at[pos[c]] == c) at[pos[c]] = -1;
        seq[c] = -1;
    }

    /** Free cells left. */
    public int free() {
        int k = size - used;
        for (int c = 0; c < used; c++) if (seq[c] < 0) k++;
        return k;
    }

    /**
     * Claims a cell for each row of the batch and returns the cell indexes (an array reused by the next call);
     * fails when the cache is full.
     */
    public int[] place(Batch b) {
        if (free() < b.n()) throw new ContextFullException(size);
        if (placed.length < b.n()) placed = new int[b.n()];
        int[] cells = placed;
        int c = 0;
        for (int i = 0; i < b.n(); i++) {
            if (b.seq()[i] < 0 || b.pos()[i] < 0) throw new IllegalArgumentException("row " + i + " has sequence " + b.seq()[i] + ", position " + b.pos()[i]);
            while (c < size && seq[c] >= 0) c++;
            if (c == size) throw new ContextFullException(size);
            cells[i] = c;
            pos[c] = b.pos()[i];
            seq[c] = b.seq()[i];
            used = Math.max(used, c + 1);
            index(seq[c], pos[c], c);
        }
        while (used > 0 && seq[used - 1] < 0) used--;
        return cells;
    }

    /** Removes cells of sequence {@code s} (all sequences when s < 0) with position in [p0, p1). */
    public void remove(int s, int p0, int p1) {
        for (int c = 0; c < used; c++) {
            if (seq[c] >= 0 && (s < 0 || seq[c] == s) && pos[c] >= p0 && pos[c] < p1) free(c);
        }
        while (used > 0 && seq[used - 1] < 0) used--;
    }

    /** Drops everything from position {@code p} on in sequence {@code s}. */
    public void truncate(int s, int p) { remove(s, p, Integer.MAX_VALUE); }

    public void clear() {
        Arrays.fill(seq, -1);
        for (int[] at : cellOf) if (at != null) Arrays.fill(at, -1);
        used = 0;
    }

    /** Cells held by sequence {@code s}. */
    public int cellsOf(int s) {
        int k = 0;
        for (int c = 0; c < used; c++) if (seq[c] == s) k++;
        return k;
    }

    @Override
    public void close() {
        for (KvStore k : layers) if (k != null) k.close();
    }
}
