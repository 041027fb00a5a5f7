package dev.shovel.backend.opencl;

import static dev.shovel.backend.opencl.OpenClTestSupport.CPU;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shovel.backend.AttnSpec;
import dev.shovel.backend.Buf;
import dev.shovel.backend.CpuWeight;
import dev.shovel.backend.HostBuf;
import dev.shovel.backend.KvCells;
import dev.shovel.backend.KvStore;
import dev.shovel.backend.RopeSpec;
import dev.shovel.backend.Weight;
import dev.shovel.ggml.TypeOps;
import dev.shovel.gguf.GGMLType;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every OpenCL kernel against the CPU: matmul and getRows against each type's scalar twin (dequantize + double sum),
 * the activation ops against {@code CpuBackend}'s plain loops. F32 bound: max|d| <= 1e-4 max|reference|.
 */
class ClKernelTest {
    static ClBackend cl;

    @BeforeAll
    static void setUp() { cl = OpenClTestSupport.backend(); }

    static float[] gaussian(Random r, int n, double sigma) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) (r.nextGaussian() * sigma);
        return a;
    }

    static Buf dev(float[] a, int rows, int cols) {
        Buf b = cl.buf(rows, cols);
        cl.upload(a, rows, b);
        return b;
    }

    static HostBuf host(float[] a, int rows, int cols) {
        HostBuf h = new HostBuf(rows, cols);
        System.arraycopy(a, 0, h.data, 0, rows * cols);
        return h;
    }

    static float[] down(Buf b, int n) {
        float[] o = new float[n * b.cols()];
        cl.download(b, n, o);
        return o;
    }

    static void assertClose(float[] want, float[] got, int len, double rel, String what) {
        double max = 0, d = 0;
        for (int i = 0; i < len; i++) {
            max = Math.max(max, Math.abs(want[i]));
            d = Math.max(d, Math.abs(want[i] - got[i]));
            if (Float.isNaN(got[i]) != Float.isNaN(want[i])) throw new AssertionError(what + ": NaN at " + i);
        }
        assertTrue(max > 0, what + ": reference is all zero");
        assertTrue(d <= rel * max, what + ": max |d| " + d + " > " + rel + " * " + max);
    }

    /** rows x cols of {@code t}: reference-quantized Gaussians, or random block bytes with finite scales. */
    static MemorySegment weights(GGMLType t, Random r, int rows, int cols, boolean randomBytes) {
        TypeOps ops = TypeOps.of(t);
        long rb = ops.rowBytes(cols);
        MemorySegment w = Arena.ofAuto().allocate(rb * rows, 64);
        if (randomBytes && t.blockSize > 1) {
            for (long i = 0; i < w.byteSize(); i++) w.set(ValueLayout.JAVA_BYTE, i, (byte) r.nextInt(256));
            int[] halves = switch (t) {
                case Q8_0, Q4_0, Q5_0 -> new int[] {0};
                case Q4_1, Q5_1, Q4_K, Q5_K -> new int[] {0, 2};
                case Q6_K -> new int[] {208};
                default -> new int[0];
            };
            for (long b = 0; b < w.byteSize() / t.typeSize; b++) {
                for (int h : halves) {
                    w.set(ValueLayout.JAVA_SHORT_UNALIGNED, b * t.typeSize + h, Float.floatToFloat16((float) (r.nextGaussian() * 0.01)));
                }
            }
            return w;
        }
        float[] x = gaussian(r, rows * cols, 1.0);
        for (int row = 0; row < rows; row++) ops.quantize(x, row * cols, w, row * rb, cols);
        return w;
    }


    /** Matmul and attention kernels: a work-item per row (CPU devices), a work-group per row (GPUs; 32 or 64 wide). */
    static final String[] VARIANTS = {"rows", "groups32", "groups64"};

    static void withVariant(String v, Runnable r) {
        boolean rows = cl.rowPerItem;
        int wg = cl.mmWg;
        try {
            cl.rowPerItem = v.equals("rows");
            cl.mmWg = v.equals("groups64") ? 64 : 32;
            r.run();
        } finally {
            cl.rowPerItem = rows;
            cl.mmWg = wg;
        }
    }

    @ParameterizedTest
    @EnumSource(value = GGMLType.class, names = {"F32", "F16", "BF16", "Q8_0", "Q4_0", "Q4_1", "Q5_0", "Q5_1", "Q4_K", "Q5_K", "Q6_K"})
    void matmulMatchesScalarTwin(GGMLType t) {
        Random r = new Random(t.ordinal());
        int[] colsList = t.blockSize == 1 ? new int[] {172, 512} : new int[] {256, 2304};
        for (int cols : colsList) {
            for (boolean rnd : new boolean[] {false, true}) {
                int rows = 37;
                MemorySegment w = weights(t, r, rows, cols, rnd);
                Weight cw = cl.weight("w", t, rows, cols, w);
                assertInstanceOf(ClWeight.class, cw);
                TypeOps ops = TypeOps.of(t);
                for (int n : new int[] {1, 11}) {
                    float[] x = gaussian(r, n * cols, 1.0);
                    float[] want = new float[n * rows];
                    for (int b = 0; b < n; b++) {
                        for (int row = 0; row < rows; row++) want[b * rows + row] = ops.dotScalar(w, row * ops.rowBytes(cols), x, b * cols, cols);
                    }
                    for (String variant : VARIANTS) {
                        Buf out = cl.buf(n, rows);
                        withVariant(variant, () -> cl.matmul(cw, dev(x, n, cols), out, n));
                        assertClose(want, down(out, n), n * rows, 1e-4, t + " " + variant + " cols " + cols + " n " + n + (rnd ? " random blocks" : ""));
                    }
                }
            }
        }
    }

    @ParameterizedTest
    @EnumSource(value = GGMLType.class, names = {"F32", "F16", "BF16", "Q8_0", "Q4_0", "Q4_1", "Q5_0", "Q5_1", "Q4_K", "Q5_K", "Q6_K"})
    void getRowsMatchesDequantize(GGMLType t) {
        Random r = new Random(100 + t.ordinal());
        int cols = t.blockSize == 1 ? 100 : 512, rows = 20;
        MemorySegment w = weights(t, r, rows, cols, t.blockSize > 1);
        Weight cw = cl.weight("emb", t, rows, cols, w);
        int[] ids = {3, 19, 0, 3, 7};
        Buf out = cl.buf(ids.length, cols);
        cl.getRows(cw, ids, ids.length, out);
        float[] got = down(out, ids.length), want = new float[ids.length * cols];
        TypeOps ops = TypeOps.of(t);
        for (int i = 0; i < ids.length; i++) ops.row(w, cols, ids[i], want, i * cols);
        assertClose(want, got, want.length, 1e-6, t + " getRows");
    }

    @Test
    void rowSlicesOfAWeightShareItsBuffer() {
        Random r = new Random(5);
        int rows = 24, cols = 256;
        MemorySegment w = weights(GGMLType.Q4_K, r, rows, cols, false);
        Weight all = cl.weight("fused", GGMLType.Q4_K, rows, cols, w);
        Weight part = cl.rows(all, 8, 10);
        assertEquals(10, part.rows());
        float[] x = gaussian(r, cols, 1);
        Buf out = cl.buf(1, 10);
        cl.matmul(part, dev(x, 1, cols), out, 1);
        float[] got = down(out, 1), want = new float[10];
        TypeOps ops = TypeOps.of(GGMLType.Q4_K);
        for (int i = 0; i < 10; i++) want[i] = ops.dotScalar(w, (8 + i) * ops.rowBytes(cols), x, 0, cols);
        assertClose(want, got, 10, 1e-4, "rows 8..18");
    }

    @Test
    void typesWithoutKernelRunOnTheCpuWithOneWarning() {
        Random r = new Random(6);
        List<String> warnings = new ArrayList<>();
        ClBackend b = (ClBackend) OpenCL.open(-1, CPU);
        try {
            b.warn = warnings::add;
            int rows = 16, cols = 256;
            MemorySegment w = weights(GGMLType.Q3_K, r, rows, cols, false);
            Weight a = b.weight("a", GGMLType.Q3_K, rows, cols, w), c = b.weight("c", GGMLType.Q3_K, rows, cols, w);
            assertInstanceOf(CpuWeight.class, a);
            assertInstanceOf(CpuWeight.class, c);
            assertEquals(1, warnings.size(), warnings.toString());
            assertTrue(warnings.get(0).contains("Q3_K"), warnings.get(0));
            float[] x = gaussian(r, 3 * cols, 1);
            Buf xb = b.buf(3, cols), out = b.buf(3, rows);
            b.upload(x, 3, xb);
            b.matmul(a, xb, out, 3);
            float[] got = new float[3 * rows], want = new float[3 * rows];
            b.download(out, 3, got);
            TypeOps ops = TypeOps.of(GGMLType.Q3_K);
            for (int i = 0; i < 3; i++) for (int row = 0; row < rows; row++) want[i * rows + row] = ops.dotScalar(w, row * ops.rowBytes(cols), x, i * cols, cols);
            assertClose(want, got, want.length, 1e-4, "Q3_K on the CPU");
            Buf e = b.buf(2, cols);
            b.getRows(c, new int[] {5, 1}, 2, e);
            float[] ge = new float[2 * cols], we = new float[2 * cols];
            b.download(e, 2, ge);
            ops.row(w, cols, 5, we, 0);
            ops.row(w, cols, 1, we, cols);
            assertClose(we, ge, we.length, 0, "Q3_K rows");
        } finally {
            b.close();
        }
    }

    static CpuWeight cpuDense(float[] v) {
        MemorySegment s = Arena.ofAuto().allocate(4L * v.length, 64);
        MemorySegment.copy(v, 0, s, ValueLayout.JAVA_FLOAT_UNALIGNED, 0, v.length);
        return new CpuWeight("v", GGMLType.F32, 1, v.length, s, TypeOps.of(GGMLType.F32), v.clone(), null);
    }

    static Weight clDense(float[] v) {
        MemorySegment s = Arena.ofAuto().allocate(4L * v.length, 64);
        MemorySegment.copy(v, 0, s, ValueLayout.JAVA_FLOAT_UNALIGNED, 0, v.length);
        return cl.weight("v" + System.nanoTime(), GGMLType.F32, 1, v.length, s);
    }

    @ParameterizedTest
    @ValueSource(ints = {64, 16})
    void rmsnorm(int dim) {
        Random r = new Random(dim);
        int n = 5, cols = 64;
        float[] x = gaussian(r, n * cols, 2), w = gaussian(r, dim, 1);
        for (boolean withWeight : new boolean[] {true, false}) {
            HostBuf ho = new HostBuf(n, cols);
            CPU.rmsnorm(host(x, n, cols), withWeight ? cpuDense(w) : null, 1e-5f, dim, ho, n);
            Buf xb = dev(x, n, cols);
            cl.rmsnorm(xb, withWeight ? clDense(w) : null, 1e-5f, dim, xb, n); // in place, as the forward pass does
            assertClose(ho.data, down(xb, n), n * cols, 1e-4, "rmsnorm dim " + dim + " weight " + withWeight);
        }
    }

    @Test
    void layernorm() {
        Random r = new Random(8);
        int n = 4, cols = 200;
        float[] x = gaussian(r, n * cols, 3), w = gaussian(r, cols, 1), b = gaussian(r, cols, 1);
        for (int i = 0; i < x.length; i++) x[i] += 1.5f;
        for (boolean bias : new boolean[] {true, false}) {
            HostBuf ho = new HostBuf(n, cols);
            CPU.layernorm(host(x, n, cols), cpuDense(w), bias ? cpuDense(b) : null, 1e-5f, ho, n);
            Buf out = cl.buf(n, cols);
            cl.layernorm(dev(x, n, cols), clDense(w), bias ? clDense(b) : null, 1e-5f, out, n);
            assertClose(ho.data, down(out, n), n * cols, 1e-4, "layernorm bias " + bias);
        }
    }

    @Test
    void ropeBothLayoutsWithFactorsAndScale() {
        Random r = new Random(9);
        int nHead = 3, headDim = 32, n = 4, cols = nHead * headDim;
        int[] pos = {0, 7, 511, 4000};
        float[] factors = new float[12];
        for (int i = 0; i < factors.length; i++) factors[i] = 1 + i * 0.5f;
        RopeSpec[] specs = {
            new RopeSpec(32, 10000f, false, 1f, null), new RopeSpec(32, 500000f, true, 1f, null),
            new RopeSpec(24, 10000f, true, 0.25f, factors), new RopeSpec(24, 10000f, false, 1f, factors)};
        for (RopeSpec spec : specs) {
            float[] x = gaussian(r, n * cols, 1);
            HostBuf h = host(x, n, cols);
            CPU.rope(h, nHead, headDim, spec, pos, n);
            Buf b = dev(x, n, cols);
            cl.rope(b, nHead, headDim, spec, pos, n);
            assertClose(h.data, down(b, n), n * cols, 1e-4, "rope " + spec);
        }
    }

    /** Cells of a test cache: position and sequence per cell. */
    record Cells(int[] pos, int[] seq, int used) implements KvCells {
        @Override public int cellPos(int c) { return pos[c]; }
        @Override public int cellSeq(int c) { return seq[c]; }
    }

    @ParameterizedTest
    @EnumSource(value = GGMLType.class, names = {"F32", "F16"})
    void kvWriteAndAttention(GGMLType kvType) {
        kvWriteAndAttention(kvType, 16); // vector path of the CPU-device kernel
        kvWriteAndAttention(kvType, 12); // scalar path
    }

    void kvWriteAndAttention(GGMLType kvType, int hd) {
        Random r = new Random(10);
        int nHead = 4, nHeadKv = 2, kvDim = nHeadKv * hd, cells = 200;
        AttnSpec[] specs = {
            new AttnSpec(nHead, nHeadKv, hd, 0.25f, 0, 0f), new AttnSpec(nHead, nHeadKv, hd, 0.25f, 50, 0f),
            new AttnSpec(nHead, nHeadKv, hd, 0.25f, 0, 3f),
            new AttnSpec(nHead, nHeadKv, hd, 0.25f, 50, 0f, dev.shovel.backend.AttentionTest.sinks(nHead))};
        // two sequences interleaved over 150 cells, one freed cell, then 3 rows of sequence 0 and 1 of sequence 1
        int used = 150;
        int[] cpos = new int[cells], cseq = new int[cells];
        java.util.Arrays.fill(cseq, -1);
        int p0 = 0, p1 = 0;
        for (int c = 0; c < used; c++) {
            boolean s1 = c % 3 == 2;
            cseq[c] = s1 ? 1 : 0;
            cpos[c] = s1 ? p1++ : p0++;
        }
        cseq[40] = -1;
        KvStore ck = CPU.kvStore(cells, kvDim, kvDim, kvType), gk = cl.kvStore(cells, kvDim, kvDim, kvType);
        // fill every used cell through kvWrite, 50 rows at a time
        for (int c0 = 0; c0 < used; c0 += 50) {
            float[] k = gaussian(r, 50 * kvDim, 1), v = gaussian(r, 50 * kvDim, 1);
            int[] at = new int[50];
            for (int i = 0; i < 50; i++) at[i] = c0 + i;
            CPU.kvWrite(ck, host(k, 50, kvDim), host(v, 50, kvDim), at, 50);
            cl.kvWrite(gk, dev(k, 50, kvDim), dev(v, 50, kvDim), at, 50);
        }
        int n = 4;
        int[] rowPos = {p0 - 3, p0 - 1, 60, p1 - 1}, rowSeq = {0, 0, 0, 1};
        Cells kc = new Cells(cpos, cseq, used);
        float[] qv = gaussian(r, n * nHead * hd, 1);
        for (AttnSpec spec : specs) {
            HostBuf ho = new HostBuf(n, nHead * hd);
            CPU.attention(host(qv, n, nHead * hd), ck, kc, spec, rowPos, rowSeq, ho, n);
            for (String variant : new String[] {"rows", "groups32"}) {
                Buf out = cl.buf(n, nHead * hd);
                withVariant(variant, () -> cl.attention(dev(qv, n, nHead * hd), gk, kc, spec, rowPos, rowSeq, out, n));
                assertClose(ho.data, down(out, n), ho.data.length, 1e-4, kvType + " " + variant + " hd " + hd + " attention " + spec);
            }
        }
        ck.close();
        gk.close();
    }

    @Test
    void elementwiseOps() {
        Random r = new Random(11);
        int n = 3, cols = 70;
        float[] a = gaussian(r, n * cols, 2), b = gaussian(r, n * cols, 2), bias = gaussian(r, cols, 1);
        for (boolean g : new boolean[] {false, true}) {
            HostBuf h = host(a, n, cols);
            CPU.glu(h, host(b, n, cols), g, n);
            Buf d = dev(a, n, cols);
            cl.glu(d, dev(b, n, cols), g, n);
            assertClose(h.data, down(d, n), n * cols, 1e-4, "glu gelu=" + g);
        }
        HostBuf h = host(a, n, cols);
        Buf d = dev(a, n, cols);
        CPU.gelu(h, n);
        cl.gelu(d, n);
        assertClose(h.data, down(d, n), n * cols, 1e-4, "gelu");
        for (float s : new float[] {1f, 0.5f}) {
            CPU.add(h, host(b, n, cols), s, n);
            cl.add(d, dev(b, n, cols), s, n);
            assertClose(h.data, down(d, n), n * cols, 1e-4, "add " + s);
        }
        CPU.scale(h, 3f, n);
        cl.scale(d, 3f, n);
        assertClose(h.data, down(d, n), n * cols, 1e-4, "scale");
        CPU.softcap(h, 2.5f, n);
        cl.softcap(d, 2.5f, n);
        assertClose(h.data, down(d, n), n * cols, 1e-4, "softcap");
        CPU.addBias(h, cpuDense(bias), n);
        cl.addBias(d, clDense(bias), n);
        assertClose(h.data, down(d, n), n * cols, 1e-4, "addBias");
        int[] rows = {2, 0};
        HostBuf hg = new HostBuf(2, cols);
        CPU.gather(host(down(d, n), n, cols), rows, 2, hg); // the device's own rows: gather is a copy
        Buf dg = cl.buf(2, cols);
        cl.gather(d, rows, 2, dg);
        assertClose(hg.data, down(dg, 2), 2 * cols, 0, "gather");
    }

    @Test
    void uploadDownloadRoundTripIsExact() {
        float[] a = gaussian(new Random(12), 3 * 33, 1);
        float[] back = new float[3 * 33];
        cl.download(dev(a, 3, 33), 3, back);
        assertTrue(java.util.Arrays.equals(a, back));
    }
}
