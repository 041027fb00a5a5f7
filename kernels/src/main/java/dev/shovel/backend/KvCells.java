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
}
