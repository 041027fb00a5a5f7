package dev.shovel.ggml;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.shovel.gguf.GGMLType;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Batch invariance: a batch row's GEMM result is bit for bit the one-row (matvec) result, for every type in the
 * layout the CPU backend computes it in (the repacked groups for Q8_0, Q4_0 and the K-quants that have them, ggml's
 * layout for the rest), so a sequence's logits do not depend on what else is in its batch.
 */
class BatchInvarianceTest {
    static List<GGMLType> types() { return TestData.supportedTypes(); }

    @ParameterizedTest
    @MethodSource("types")
    void gemmRowsEqualMatvecBitForBit(GGMLType t) {
        TypeOps ops = TypeOps.of(t);
        Planar planar = Planar.of(t);
        Random r = new Random(9000L + t.id);
        int rows = 37, n = t.blockSize == 256 ? 1024 : 1088;
        MemorySegment w = TestData.quantized(ops, TestData.gaussian(r, rows * n, 1.0), rows, n);
        PlanarMatrix m = planar != null && planar.finiteScales(w, rows, n) ? PlanarTest.pack(planar, w, rows, n) : null;
        for (int nb : new int[] {2, 3, 4, 7, 9}) {
            float[] x = TestData.gaussian(r, nb * n, 1.0);
            float[] batch = new float[nb * rows];
            if (m != null) PlanarTest.gemm(m, x, nb, rows, 0, rows, batch);
            else ops.gemm(w, n, x, nb, batch, rows, 0, rows);
            for (int b = 0; b < nb; b++) {
                float[] xb = Arrays.copyOfRange(x, b * n, (b + 1) * n);
                float[] one = new float[rows];
                if (m != null) one = PlanarTest.matvec(m, xb, 0, rows);
                else ops.matvec(w, n, xb, 0, one, 0, 0, rows);
                for (int row = 0; row < rows; row++) {
                    assertEquals(one[row], batch[b * rows + row], t + (m != null ? " (repacked)" : "") + " nb=" + nb + " b=" + b + " row " + row);
                }
            }
        }
    }
}
