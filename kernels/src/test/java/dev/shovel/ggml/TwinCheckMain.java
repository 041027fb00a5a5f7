package dev.shovel.ggml;

import dev.shovel.gguf.GGMLType;
import java.lang.foreign.MemorySegment;
import java.util.Random;

/**
 * Twin checks run in a child JVM with another vector size (see {@link SpeciesFallbackTest}): dot and gemm against the
 * scalar twin, for every type. Prints "ok L" or exits 1 naming the first failure.
 */
public final class TwinCheckMain {
    public static void main(String[] args) {
        Random r = new Random(42);
        for (GGMLType t : TestData.supportedTypes()) {
            TypeOps ops = TypeOps.of(t);
            int n = t.blockSize == 256 ? 768 : t.blockSize == 32 ? 96 : 75;
            int rows = 6, nb = 5;
            long rb = ops.rowBytes(n);
            MemorySegment[] ws = {TestData.quantized(ops, TestData.gaussian(r, rows * n, 1), rows, n), TestData.randomBlocks(r, t, rows, n)};
            for (MemorySegment w : ws) {
                if (w == null) continue;
                float[] deq = TestData.dequantizeAll(ops, w, rows, n);
                float[] x = TestData.gaussian(r, nb * n, 1);
                float[] out = new float[nb * rows];
                ops.gemm(w, n, x, nb, out, rows, 0, rows);
                for (int b = 0; b < nb; b++) {
                    for (int row = 0; row < rows; row++) {
                        float want = ops.dotScalar(w, row * rb, x, b * n, n);
                        float got = ops.dot(w, row * rb, x, b * n, n);
                        double tol = 1e-5 * TestData.sumAbsProducts(deq, row * n, x, b * n, n) + 1e-30;
                        if (!(Math.abs(want - got) <= tol)) fail(t + " dot " + got + " vs twin " + want);
                        if (!(Math.abs(want - out[b * rows + row]) <= tol)) fail(t + " gemm " + out[b * rows + row] + " vs twin " + want);
                    }
                }
            }
        }
        planar(r);
        invariance(r);
        System.out.println("ok " + Vec.L);
    }

    /**
     * The planar types: matvec (bit for bit its int8 twin) and the GEMM (several slices, a partial group, odd columns)
     * against the float twin.
     */
    private static void planar(Random r) {
        for (GGMLType t : new GGMLType[] {GGMLType.Q8_0, GGMLType.Q4_0, GGMLType.MXFP4, GGMLType.IQ4_NL, GGMLType.Q2_K, GGMLType.Q3_K, GGMLType.Q4_K, GGMLType.Q5_K, GGMLType.Q6_K, GGMLType.IQ4_XS}) {
            TypeOps ops = TypeOps.of(t);
            Planar p = Planar.of(t);
            int n = t.blockSize == 256 ? 1024 : 1056, rows = 5, nb = 6;
            MemorySegment w = TestData.quantized(ops, TestData.gaussian(r, rows * n, 1), rows, n);
            PlanarMatrix m = PlanarTest.pack(p, w, rows, n);
            float[] deq = TestData.dequantizeAll(ops, w, rows, n);
            float[] x = TestData.gaussian(r, nb * n, 1);
            int[] prep = new int[p.prepSize(nb, n)];
            p.prepare(x, 0, nb, n, prep);
            float[] out = new float[nb * rows];
            p.gemm(m, x, prep, nb, out, rows, 0, rows);
            for (int b = 0; b < nb; b++) {
                float[] xb = java.util.Arrays.copyOfRange(x, b * n, (b + 1) * n);
                float[] one = PlanarTest.matvec(m, xb, 0, rows);
                int[] pb = PlanarTest.prepared(m, xb);
                for (int row = 0; row < rows; row++) {
                    if (PlanarTest.twin(m, row, pb, 0) != one[row]) fail("planar " + t + " matvec " + one[row] + " vs int8 twin " + PlanarTest.twin(m, row, pb, 0));
                    float want = ops.dotScalar(w, row * ops.rowBytes(n), x, b * n, n);
                    // without vector tiles the GEMM runs matvec's kernel, which multiplies int8 activations
                    double tol = PlanarTest.matvecTol(deq, row, n, x, b * n);
                    if (!(Math.abs(want - one[row]) <= tol)) fail("planar " + t + " matvec " + one[row] + " vs twin " + want);
                    if (!(Math.abs(want - out[b * rows + row]) <= tol)) fail("planar " + t + " gemm " + out[b * rows + row] + " vs twin " + want);
                }
            }
        }
    }

    /** Every type's GEMM rows bit for bit its matvec (BatchInvarianceTest, at this vector size). */
    private static void invariance(Random r) {
        for (GGMLType t : TestData.supportedTypes()) {
            TypeOps ops = TypeOps.of(t);
            Planar planar = Planar.of(t);
            int rows = 19, n = t.blockSize == 256 ? 512 : 544, nb = 5;
            MemorySegment w = TestData.quantized(ops, TestData.gaussian(r, rows * n, 1), rows, n);
            PlanarMatrix m = planar != null ? PlanarTest.pack(planar, w, rows, n) : null;
            float[] x = TestData.gaussian(r, nb * n, 1), batch = new float[nb * rows];
            if (m != null) PlanarTest.gemm(m, x, nb, rows, 0, rows, batch);
            else ops.gemm(w, n, x, nb, batch, rows, 0, rows);
            for (int b = 0; b < nb; b++) {
                float[] xb = java.util.Arrays.copyOfRange(x, b * n, (b + 1) * n), one = new float[rows];
                if (m != null) one = PlanarTest.matvec(m, xb, 0, rows);
                else ops.matvec(w, n, xb, 0, one, 0, 0, rows);
                for (int row = 0; row < rows; row++) {
                    if (one[row] != batch[b * rows + row]) fail("invariance " + t + " gemm " + batch[b * rows + row] + " vs matvec " + one[row]);
                }
            }
        }
    }

    private static void fail(String m) {
        System.out.println("FAIL L=" + Vec.L + ": " + m);
        System.exit(1);
    }
}
