package dev.shovel.ggml;

import static org.junit.jupiter.api.Assertions.*;

import dev.shovel.gguf.GGUFFile;
import dev.shovel.gguf.TensorInfo;
import java.io.InputStream;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Against tensors quantized by llama.cpp itself (see resources/llamaq/LICENSE-NOTE.md): the reference quantizer must
 * reproduce llama.cpp's bytes from the F32 original, dequantized values must sit within the quantization error of
 * the original, and the vector kernels must agree with the scalar twin on these real blocks.
 */
class LlamaqReferenceTest {
    static Path file;
    static GGUFFile gguf;

    @BeforeAll
    static void open() throws Exception {
        file = Files.createTempFile("llamaq-slices", ".gguf");
        try (InputStream in = LlamaqReferenceTest.class.getResourceAsStream("/llamaq/llamaq-slices.gguf")) {
            assertNotNull(in, "missing test resource llamaq-slices.gguf");
            Files.write(file, in.readAllBytes());
        }
        gguf = GGUFFile.open(file);
    }

    @AfterAll
    static void close() throws Exception {
        gguf.close();
        Files.deleteIfExists(file);
    }

    static float[] f32(String tensor) {
        return gguf.tensorData(gguf.tensor("f32." + tensor)).toArray(ValueLayout.JAVA_FLOAT);
    }

    @ParameterizedTest
    @CsvSource({"q8_0, attn_q", "q8_0, ffn_down", "q4_0, attn_q", "q4_0, ffn_down", "q4_1, attn_q", "q4_1, ffn_down",
            "q5_0, attn_q", "q5_0, ffn_down", "q5_1, attn_q", "q5_1, ffn_down", "q4_k, attn_q", "q4_k, ffn_down",
            "q5_k, attn_q", "q5_k, ffn_down", "q6_k, attn_q", "q6_k, ffn_down", "mxfp4, gate_exps", "mxfp4, down_exps"})
    void referenceQuantizerReproducesLlamaCppBytes(String type, String tensor) {
        TensorInfo ti = gguf.tensor(type + "." + tensor);
        TypeOps ops = TypeOps.of(ti.type());
        int n = (int) ti.rowLength(), rows = (int) ti.rows();
        byte[] want = gguf.tensorData(ti).toArray(ValueLayout.JAVA_BYTE);
        byte[] got = TestData.quantized(ops, f32(tensor), rows, n).toArray(ValueLayout.JAVA_BYTE);
        assertEquals(want.length, got.length);
        int bad = 0, first = -1;
        int bs = ti.type().typeSize;
        for (int b = 0; b < want.length / bs; b++) {
            for (int i = b * bs; i < (b + 1) * bs; i++) {
                if (want[i] != got[i]) {
                    if (first < 0) first = i;
                    bad++;
                    break;
                }
            }
        }
        assertEquals(0, bad, type + "." + tensor + ": " + bad + " of " + want.length / bs + " blocks differ from llama.cpp, first at byte " + first);
    }

    @ParameterizedTest
    @CsvSource({"q8_0, 0.006", "q4_0, 0.095", "q4_1, 0.095", "q5_0, 0.045", "q5_1, 0.045", "q4_k, 0.095", "q5_k, 0.045", "q6_k, 0.022"})
    void dequantizedLlamaCppTensorIsNearTheOriginal(String type, double rmsBound) {
        for (String tensor : new String[] {"attn_q", "ffn_down"}) {
            TensorInfo ti = gguf.tensor(type + "." + tensor);
            TypeOps ops = TypeOps.of(ti.type());
            int n = (int) ti.rowLength(), rows = (int) ti.rows();
            float[] x = f32(tensor);
            float[] y = TestData.dequantizeAll(ops, gguf.tensorData(ti), rows, n);
            double se = 0, ss = 0;
            for (int i = 0; i < x.length; i++) {
                se += (y[i] - (double) x[i]) * (y[i] - x[i]);
                ss += (double) x[i] * x[i];
            }
            double rel = Math.sqrt(se / ss);
            assertTrue(rel < rmsBound, type + "." + tensor + ": relative RMS error " + rel);
            for (int b = 0; b < x.length / ti.type().blockSize; b++) {
                double bound = RoundTripTest.elementBound(ti.type(), x, b * ti.type().blockSize, ti.type().blockSize);
                if (Double.isNaN(bound)) break;
                for (int j = 0; j < ti.type().blockSize; j++) {
                    int i = b * ti.type().blockSize + j;
                    assertTrue(Math.abs(y[i] - x[i]) <= bound, type + " element " + i + ": " + x[i] + " -> " + y[i]);
                }
            }
        }
    }

    /**
     * The non-linear types against the F32 original: llama.cpp's IQ4 quantizers search the scale, so instead of a step
     * bound each element must be within a fraction of its 32-element block's absmax, and the relative RMS error small.
     * A wrong grid, nibble order or sub-block scale puts other values in place and breaks both bounds by far.
     * MXFP4's shared exponent is fixed by the block's absmax, so it gets RoundTripTest's exact bound per element.
     */
    @ParameterizedTest
    @CsvSource({"iq4_nl, attn_q, 0.085, 0.14", "iq4_nl, ffn_down, 0.085, 0.14", "iq4_xs, attn_q, 0.085, 0.16",
            "iq4_xs, ffn_down, 0.085, 0.16", "mxfp4, gate_exps, 0.13, 0", "mxfp4, down_exps, 0.13, 0"})
    void dequantizedNonLinearTypesAreNearTheOriginal(String type, String tensor, double rmsBound, double blockFraction) {
        TensorInfo ti = gguf.tensor(type + "." + tensor);
        TypeOps ops = TypeOps.of(ti.type());
        int n = (int) ti.rowLength(), rows = (int) ti.rows();
        float[] x = f32(tensor);
        float[] y = TestData.dequantizeAll(ops, gguf.tensorData(ti), rows, n);
        assertEquals(x.length, y.length);
        double se = 0, ss = 0;
        for (int i = 0; i < x.length; i++) {
            se += (y[i] - (double) x[i]) * (y[i] - x[i]);
            ss += (double) x[i] * x[i];
        }
        double rel = Math.sqrt(se / ss);
        assertTrue(rel < rmsBound, type + "." + tensor + ": relative RMS error " + rel);
        for (int b = 0; b < x.length / 32; b++) {
            double amax = 0;
            for (int j = 0; j < 32; j++) amax = Math.max(amax, Math.abs(x[b * 32 + j]));
            double bound = blockFraction > 0 ? blockFraction * amax : RoundTripTest.elementBound(ti.type(), x, b * 32, 32);
            for (int j = 0; j < 32; j++) {
                int i = b * 32 + j;
                assertTrue(Math.abs(y[i] - x[i]) <= bound, type + "." + tensor + " element " + i + ": " + x[i] + " -> " + y[i] + " (bound " + bound + ")");
            }
        }
    }

    @ParameterizedTest
    @CsvSource({"q8_0, ffn_down", "q4_0, ffn_down", "q4_1, ffn_down", "q5_0, ffn_down", "q5_1, ffn_down", "q4_k, ffn_down",
            "q5_k, ffn_down", "q6_k, ffn_down", "iq4_nl, ffn_down", "iq4_xs, ffn_down", "mxfp4, gate_exps", "mxfp4, down_exps"})
    void vectorKernelsAgreeOnLlamaCppBlocks(String type, String tensor) {
        TensorInfo ti = gguf.tensor(type + "." + tensor);
        TypeOps ops = TypeOps.of(ti.type());
        int n = (int) ti.rowLength(), rows = (int) ti.rows(), nb = 6;
        MemorySegment w = gguf.tensorData(ti);
        float[] deq = TestData.dequantizeAll(ops, w, rows, n);
        float[] x = TestData.gaussian(new Random(9), nb * n, 1);
        float[] out = new float[nb * rows];
        ops.gemm(w, n, x, nb, out, rows, 0, rows);
        long rb = ops.rowBytes(n);
        for (int b = 0; b < nb; b++) {
            for (int r = 0; r < rows; r++) {
                float want = ops.dotScalar(w, r * rb, x, b * n, n);
                double tol = 1e-5 * TestData.sumAbsProducts(deq, r * n, x, b * n, n);
                assertEquals(want, out[b * rows + r], tol, type + " row " + r);
            }
        }
    }

    /** The repacked layouts on llama.cpp's blocks: rows decode to ggml's values, matvec is its int8 twin and near the float twin. */
    @ParameterizedTest
    @CsvSource({"q8_0, ffn_down", "q4_0, ffn_down", "q4_k, ffn_down", "q5_k, ffn_down", "q6_k, ffn_down", "iq4_nl, ffn_down",
            "iq4_nl, attn_q", "iq4_xs, ffn_down", "iq4_xs, attn_q", "mxfp4, gate_exps", "mxfp4, down_exps"})
    void planarLayoutsAgreeOnLlamaCppBlocks(String type, String tensor) {
        TensorInfo ti = gguf.tensor(type + "." + tensor);
        TypeOps ops = TypeOps.of(ti.type());
        Planar p = Planar.of(ti.type());
        assertNotNull(p, type + " has no planar layout");
        int n = (int) ti.rowLength(), rows = (int) ti.rows();
        MemorySegment w = gguf.tensorData(ti);
        assertTrue(p.finiteScales(w, rows, n));
        PlanarMatrix m = PlanarTest.pack(p, w, rows, n);
        float[] deq = TestData.dequantizeAll(ops, w, rows, n);
        float[] x = TestData.gaussian(new Random(11), n, 1);
        float[] out = PlanarTest.matvec(m, x, 0, rows);
        int[] prep = PlanarTest.prepared(m, x);
        float[] dec = new float[n];
        for (int r = 0; r < rows; r++) {
            m.row(r, dec, 0);
            assertArrayEquals(java.util.Arrays.copyOfRange(deq, r * n, (r + 1) * n), dec, type + " row " + r + " decode");
            assertEquals(PlanarTest.twin(m, r, prep, 0), out[r], type + " row " + r + ": int8 twin");
            float want = ops.dotScalar(w, r * ops.rowBytes(n), x, 0, n);
            assertTrue(Math.abs(want - out[r]) <= PlanarTest.matvecTol(deq, r, n, x, 0), type + " row " + r + ": twin " + want + " matvec " + out[r]);
        }
    }
}
