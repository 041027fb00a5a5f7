package dev.shovel.backend;

/**
 * What attention needs to know about the cache cells: position and sequence of each used cell, and, for each row of
 * the batch, its position, sequence and the cell its own key was written to. Owned and updated by the runtime's cache.
 */
public interface KvCells {
    /** Cells [0, used()) may be visible; cells beyond are empty. */
    int used();
    int cellPos(int cell);
    /** Sequence of the cell, or -1 when empty. */
    int cellSeq(int cell);

    /**
     * The cell holding position {@code pos} of sequence {@code seq}, or -1. Attention visits a row's cells in position
     * order through this, so its sums do not depend on where the cache placed them (another sequence's cells between,
     * a freed cell reused). This default scans; a cache keeps an index.
     */
    default int cellAt(int seq, int pos) {
        for (int c = 0, n = used(); c < n; c++) if (cellSeq(c) == seq && cellPos(c) == pos) return c;
        return -1;
    }
}
