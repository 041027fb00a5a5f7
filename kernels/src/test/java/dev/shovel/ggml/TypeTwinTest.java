package dev.shovel.ggml;

import static org.junit.jupiter.api.Assertions.*;

import dev.shovel.gguf.GGMLType;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every type's Vector API kernels against its scalar twin (dequantize + double sum): dot, matvec and the GEMM tile,
 * on reference-quantized Gaussian rows and on random block bytes.
 */
class TypeTwinTest {
    static List<GGMLType> types() { return TestData.supportedTypes(); }

    static int[] sizes(GGMLType t) {
        return switch (t.blockSize) {
            case 1 -> new int[] {1, 7, 16, 33, 64, 130, 1000, 4096};
            case 32 -> new int[] {32, 64, 96, 288, 1024, 4096};
            default -> new int[] {256, 512, 1280, 4096};
        };
    }

    /** Weight sets to test: reference-quantized Gaussian rows, and random block bytes where the type has blocks. */
    static List<MemorySegment> weights(TypeOps ops, Random r, int rows, int n) {
        List<MemorySegment> ws = new ArrayList<>();
        ws.add(TestData.quantized(ops, TestData.gaussian(r, rows * n, 1.0), rows, n));
        MemorySegment rnd = TestData.randomBlocks(r, ops.type(), rows, n);
        if (rnd != null) ws.add(rnd);
        return ws;
    }

    static void assertClose(float want, float got, double scale, String what) {
        double tol = 1e-5 * scale + 1e-30;
        assertTrue(Math.abs((double) want - got) <= tol, what + ": twin " + want + " vector " + got + " (tol " + tol + ")");
    }

    @ParameterizedTest
    @MethodSource("types")
    void dotMatchesScalarTwin(GGMLType t) {
        TypeOps ops = TypeOps.of(t);
        assertEquals(t, ops.type());
        Random r = new Random(1000L + t.id);
        for (int n : sizes(t)) {
            int rows = 4;
            long rb = ops.rowBytes(n);
            for (MemorySegment w : weights(ops, r, rows, n)) {
                float[] deq = TestData.dequantizeAll(ops, w, rows, n);
                float[] x = TestData.gaussian(r, n + 5, 1.0);
                for (int row = 0; row < rows; row++) {
                    float want = ops.dotScalar(w, row * rb, x, 5, n);
                    float got = ops.dot(w, row * rb, x, 5, n);
                    assertClose(want, got, TestData.sumAbsProducts(deq, row * n, x, 5, n), t + " n=" + n + " row " + row);
                }
            }
        }
    }

    @ParameterizedTest
    @MethodSource("types")
    void axpyAddsTheScaledDequantizedRow(GGMLType t) {
        TypeOps ops = TypeOps.of(t);
        Random r = new Random(3000L + t.id);
        int n = sizes(t)[2];
        MemorySegment w = weights(ops, r, 1, n).getFirst();
        float[] deq = TestData.dequantizeAll(ops, w, 1, n);
        float[] y = TestData.gaussian(r, n + 3, 1.0), want = y.clone();
        float a = 0.37f;
        for (int i = 0; i < n; i++) want[3 + i] = Math.fma(a, deq[i], want[3 + i]);
        ops.axpy(w, 0, a, y, 3, n);
        assertArrayEquals(want, y, t + " axpy");
    }

    @ParameterizedTest
    @MethodSource("types")
    void dotScalarIsTheDequantizedSum(GGMLType t) {
        TypeOps ops = TypeOps.of(t);
        Random r = new Random(7L + t.id);
        int n = sizes(t)[2];
        MemorySegment w = weights(ops, r, 1, n).getLast();
        float[] deq = TestData.dequantizeAll(ops, w, 1, n);
        float[] x = TestData.gaussian(r, n, 1.0);
        double s = 0;
        for (int i = 0; i < n; i++) s += (double) deq[i] * x[i];
        assertEquals((float) s, ops.dotScalar(w, 0, x, 0, n));
    }

    @ParameterizedTest
    @MethodSource("types")
    void matvecIsDotPerRowOverTheRange(GGMLType t) {
        TypeOps ops = TypeOps.of(t);
        Random r = new Random(2000L + t.id);
        int n = sizes(t)[3], rows = 9;
        long rb = ops.rowBytes(n);
        for (MemorySegment w : weights(ops, r, rows, n)) {
            float[] deq = TestData.dequantizeAll(ops, w, rows, n);
            float[] x = TestData.gaussian(r, n + 1, 1.0);
            float[] out = new float[rows + 2];
            Arrays.fill(out, Float.NaN);
            ops.matvec(w, n, x, 1, out, 2, 3, 8);
            for (int i = 0; i < out.length; i++) {
                int row = i - 2;
                if (row < 3 || row >= 8) {
                    assertTrue(Float.isNaN(out[i]), "matvec wrote outside its rows at " + i);
                    continue;
                }
                assertEquals(ops.dot(w, row * rb, x, 1, n), out[i], t + " row " + row);
                assertClose(ops.dotScalar(w, row * rb, x, 1, n), out[i], TestData.sumAbsProducts(deq, row * n, x, 1, n), t + " matvec row " + row);
            }
        }
    }

    /** The GEMM against the twin; a batch row's result depends neither on its place in the batch nor on the row split. */
    @ParameterizedTest
    @MethodSource("types")
    void gemmMatchesTwinWhateverTheBatchPositionAndSplit(GGMLType t) {
        TypeOps ops = TypeOps.of(t);
        Random r = new Random(3000L + t.id);
        int n = sizes(t)[1], rows = 11;
        long rb = ops.rowBytes(n);
        for (MemorySegment w : weights(ops, r, rows, n)) {
            float[] deq = TestData.dequantizeAll(ops, w, rows, n);
            int most = 9;
            float[] xs = TestData.gaussian(r, most * n, 1.0);
            int stride = rows + 3;
            float[] ref = new float[most * stride];
            ops.gemm(w, n, xs, most, ref, stride, 0, rows);
            for (int nb : new int[] {2, 3, 4, 5, 7}) {
                int first = most - nb; // the same x rows in other places of the batch
                float[] x = Arrays.copyOfRange(xs, first * n, most * n);
                float[] full = new float[nb * stride];
                Arrays.fill(full, Float.NaN);
                ops.gemm(w, n, x, nb, full, stride, 0, rows);
                float[] split = new float[nb * stride];
                Arrays.fill(split, Float.NaN);
                ops.gemm(w, n, x, nb, split, stride, 0, 4);
                ops.gemm(w, n, x, nb, split, stride, 4, 5);
                ops.gemm(w, n, x, nb, split, stride, 5, rows);
                for (int b = 0; b < nb; b++) {
                    for (int row = 0; row < stride; row++) {
                        int i = b * stride + row;
                        if (row >= rows) {
                            assertTrue(Float.isNaN(full[i]) && Float.isNaN(split[i]), "gemm wrote outside its rows");
                            continue;
                        }
                        String what = t + " nb=" + nb + " b=" + b + " row " + row;
                        assertEquals(ref[(first + b) * stride + row], full[i], what + ": result depends on the batch position");
                        assertEquals(full[i], split[i], what + ": row split changed a result");
                        assertClose(ops.dotScalar(w, row * rb, x, b * n, n), full[i],
                                TestData.sumAbsProducts(deq, row * n, x, b * n, n), what + " gemm");
                    }
                }
            }
        }
    }

    @ParameterizedTest
    @MethodSource("types")
    void dotIsReproducibleAcrossCompilation(GGMLType t) {
        TypeOps ops = TypeOps.of(t);
        Random r = new Random(4000L + t.id);
        int n = sizes(t)[1];
        MemorySegment w = weights(ops, r, 1, n).getLast();
        float[] x = TestData.gaussian(r, n, 1.0);
        float first = ops.dot(w, 0, x, 0, n);
        for (int i = 0; i < 20_000; i++) {
            float again = ops.dot(w, 0, x, 0, n);
            if (Float.floatToRawIntBits(again) != Float.floatToRawIntBits(first)) fail(t + ": call " + i + " gave " + again + ", first " + first);
        }
    }

    @ParameterizedTest
    @MethodSource("types")
    void vectorDecodeIsBitIdenticalToDequantize(GGMLType t) {
        if (!(TypeOps.of(t) instanceof QuantOps ops) || !Vec.OK) return;
        Random r = new Random(5000L + t.id);
        int n = QuantOps.CHUNK, rows = 8;
        long rb = ops.rowBytes(n);
        for (MemorySegment w : weights(ops, r, rows, n)) {
            for (int row = 0; row < rows; row++) {
                float[] want = new float[n], got = new float[n];
                ops.dequantize(w, row * rb, want, 0, n);
                ops.decode(w, row * rb, got, n);
                for (int i = 0; i < n; i++) {
                    if (Float.floatToRawIntBits(want[i]) != Float.floatToRawIntBits(got[i])) {
                        fail(t + " row " + row + " element " + i + ": decode " + got[i] + " vs dequantize " + want[i]);
                    }
                }
            }
        }
    }
}
