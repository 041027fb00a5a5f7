package dev.shovel.backend;

/** A row-major activation matrix in a Java array. */
public final class HostBuf implements Buf {
    public final float[] data;
    private final int rows, cols;

    public HostBuf(int rows, int cols) {
        this.rows = rows;
        this.cols = cols;
        this.data = new float[Math.multiplyExact(rows, cols)];
    }

    @Override public int rows() { return rows; }
    @Override public int cols() { return cols; }
}
