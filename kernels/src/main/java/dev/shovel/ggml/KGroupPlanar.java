package dev.shovel.ggml;

import java.lang.foreign.MemorySegment;

/**
 * A 256-element K-quant repacked in groups of {@link GroupPlanar#G} rows ({@link PlanarQ4_K}, {@link PlanarQ6_K}):
 * the layout plumbing they share. Both multiply Q4_0's prepared int8 activations, 32 elements a block.
 */
abstract class KGroupPlanar extends Planar implements FloatBlocks {
    static final int G = GroupPlanar.G, E = PlanarQ4_0.E, QK_K = 256;

    /** Bytes per group and 256-block. */
    abstract int groupBlockBytes();

    @Override public final int width() { return E; }

    @Override public final int rowUnit() { return 2 * G; }

    @Override final void prepareBlock(float[] x, int i, int[] out, int o) { PlanarQ4_0.INSTANCE.prepareBlock(x, i, out, o); }

    @Override public final long bytes(long rows, int n) { return (rows + G - 1) / G * (n / QK_K) * groupBlockBytes(); }

    @Override public final PlanarMatrix matrix(MemorySegment dst, int rows, int n) { return new PlanarMatrix(this, dst, rows, n, 0); }

    @Override
    final PlanarMatrix slice(PlanarMatrix m, int first, int count) { return new PlanarMatrix(this, m.data(), count, m.n(), m.first() + first); }

    /** Offset of block b of the group holding packed row s. */
    final long base(int nb, long s, int b) { return (s / G * nb + b) * groupBlockBytes(); }
}
