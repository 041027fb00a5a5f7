package dev.shovel.backend.opencl;

import dev.shovel.backend.Buf;

/** An activation matrix in device memory; released when unreachable. */
final class ClBuf implements Buf {
    final long mem;
    private final int rows, cols;

    ClBuf(long mem, int rows, int cols) {
        this.mem = mem;
        this.rows = rows;
        this.cols = cols;
        ClMem.track(this, mem);
    }

    @Override public int rows() { return rows; }
    @Override public int cols() { return cols; }
}
