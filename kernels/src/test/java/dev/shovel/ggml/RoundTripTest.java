package dev.shovel.ggml;

import static org.junit.jupiter.api.Assertions.*;

import dev.shovel.gguf.GGMLType;
import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * quantize -> dequantize error bounds. Block types with one scale per block get a per-element bound derived from
 * the step size (plus the fp16 rounding of the stored scale); every type gets an RMS bound relative to the data's
 * RMS on Gaussian rows.
 */
class RoundTripTest {
    static List<GGMLType> types() { return TestData.supportedTypes(); }

    /** Relative RMS error bound on N(0,1) data: about step/sqrt(12) with margin (K-quants search better scales). */
    static double rmsBound(GGMLType t) {
        return switch (t) {
            case F32 -> 0;
            case F16 -> 3e-4;
            case BF16 -> 3e-3;
            case Q8_0 -> 0.006;
            case Q6_K -> 0.022; // 16-element blocks: amax ~2.5 sigma, step amax/32
            case Q5_0, Q5_1, Q5_K -> 0.045;
            case Q4_0, Q4_1, Q4_K -> 0.095;
            case IQ4_NL, IQ4_XS -> 0.09;
            case MXFP4 -> 0.13; // E2M1 steps of up to 4d, values past 12d clipped
            case Q3_K -> 0.2;
            case Q2_K -> 0.4;
            default -> throw new AssertionError("no bound for " + t);
        };
    }

    /** Per-element bound for one block of source values, or NaN when only the RMS bound applies. */
    static double elementBound(GGMLType t, float[] x, int o, int qk) {
        float min = Float.MAX_VALUE, max = -Float.MAX_VALUE, amax = 0;
        for (int j = 0; j < qk; j++) {
            min = Math.min(min, x[o + j]);
            max = Math.max(max, x[o + j]);
            amax = Math.max(amax, Math.abs(x[o + j]));
        }
        double h = 0x1p-11; // relative rounding of an fp16 scale
        return switch (t) {
            case Q8_0 -> amax / 127.0 * (0.5 + 127 * h) + 1e-7 * amax;
            case Q4_0 -> amax / 8.0 * (1 + 8 * h) + 1e-7 * amax; // the far side of the absmax clips to 7
            case Q5_0 -> amax / 16.0 * (1 + 16 * h) + 1e-7 * amax;
            case Q4_1 -> (max - min) / 15.0 * (0.5 + 15 * h) + Math.abs(min) * h + 1e-6 * amax;
            case Q5_1 -> (max - min) / 31.0 * (0.5 + 31 * h) + Math.abs(min) * h + 1e-6 * amax;
            // grid -127..113 in steps of at most 24 (half 12); the far side of the absmax clips from ~127 to 113
            case IQ4_NL -> amax / 127.0 * (14 + 254 * h) * (1 + h) + 1e-6 * amax;
            // as IQ4_NL per sub-block, plus the 6-bit sub-scale's rounding (up to 1.02 steps of d <= amax / 127 / 32)
            case IQ4_XS -> {
                double dd = amax / 127.0 / 32 * (1 + h);
                yield 14 * (amax / 127.0 + 1.02 * dd) + 127 * 1.02 * dd + 1e-6 * amax;
            }
            // d = 2^(floor(log2 amax) - 3); grid 0..4 d step d, 4..8 step 2d, 8..12 step 4d, then clipped at 12d
            case MXFP4 -> {
                double d = Math.scalb(1.0, Math.getExponent(amax) - 3);
                yield amax == 0 ? 0 : Math.max(2 * d, amax - 12 * d) + 1e-7 * amax;
            }
            default -> Double.NaN;
        };
    }

    @ParameterizedTest
    @MethodSource("types")
    void quantizeDequantizeErrorIsBounded(GGMLType t) {
        TypeOps ops = TypeOps.of(t);
        Random r = new Random(5000L + t.id);
        int n = 4096, rows = 4;
        float[] x = TestData.gaussian(r, rows * n, 1.0);
        // a few special blocks: constant, all zero, one outlier
        int qk = Math.max(t.blockSize, 32);
        for (int j = 0; j < qk; j++) {
            x[j] = 0;
            x[qk + j] = 0.75f;
            x[2 * qk + j] = j == 5 ? -40f : 0.01f * j;
        }
        MemorySegment w = TestData.quantized(ops, x, rows, n);
        float[] y = TestData.dequantizeAll(ops, w, rows, n);
        for (int j = 0; j < qk; j++) assertEquals(0f, y[j], 0f, t + ": zero block must stay zero");
        double se = 0, ss = 0;
        for (int i = 0; i < x.length; i++) {
            double e = (double) y[i] - x[i];
            if (i >= 3 * qk) { se += e * e; ss += (double) x[i] * x[i]; }
            assertFalse(Float.isNaN(y[i]), t + ": NaN at " + i);
        }
        double rel = Math.sqrt(se / ss);
        assertTrue(rel <= rmsBound(t), t + ": relative RMS error " + rel + " > " + rmsBound(t));
        if (t.blockSize == 1) {
            for (int i = 0; i < x.length; i++) {
                double tol = t == GGMLType.F32 ? 0 : Math.abs(x[i]) * (t == GGMLType.F16 ? 0x1p-11 : 0x1p-8) + 1e-7;
                assertTrue(Math.abs(y[i] - x[i]) <= tol, t + " element " + i + ": " + x[i] + " -> " + y[i]);
            }
            return;
        }
        for (int b = 0; b < x.length / t.blockSize; b++) {
            double bound = elementBound(t, x, b * t.blockSize, t.blockSize);
            if (Double.isNaN(bound)) break;
            for (int j = 0; j < t.blockSize; j++) {
                int i = b * t.blockSize + j;
                assertTrue(Math.abs((double) y[i] - x[i]) <= bound, t + " element " + i + ": " + x[i] + " -> " + y[i] + " (bound " + bound + ")");
            }
        }
    }

    @ParameterizedTest
    @MethodSource("types")
    void requantizingDequantizedBlocksIsStable(GGMLType t) {
        // values already on the grid must come back on the same grid (error no larger than a second rounding)
        TypeOps ops = TypeOps.of(t);
        Random r = new Random(6000L + t.id);
        int n = 1024;
        float[] x = TestData.gaussian(r, n, 0.5);
        float[] y = TestData.dequantizeAll(ops, TestData.quantized(ops, x, 1, n), 1, n);
        float[] z = TestData.dequantizeAll(ops, TestData.quantized(ops, y, 1, n), 1, n);
        double e1 = 0, e2 = 0;
        for (int i = 0; i < n; i++) {
            e1 += (y[i] - x[i]) * (double) (y[i] - x[i]);
            e2 += (z[i] - y[i]) * (double) (z[i] - y[i]);
        }
        assertTrue(e2 <= e1 + 1e-12, t + ": requantization error " + e2 + " exceeds first quantization error " + e1);
    }
}
