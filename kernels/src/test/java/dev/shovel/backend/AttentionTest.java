package dev.shovel.backend;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shovel.ChildJvm;
import dev.shovel.gguf.GGMLType;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The CPU's tiled attention against a plain two-pass softmax in double over the same cache contents (read back from the
 * store), for long sequences (many tiles), two interleaved sequences with a freed cell, query-head groups of 1, 4 and
 * 8, head sizes off the vector width, a sliding window and a softcap; and each row alone against the same row in a
 * batch, bit for bit.
 */
public class AttentionTest {
    static final WorkerPool POOL = new WorkerPool(2);
    static final CpuBackend CPU = new CpuBackend(POOL);

    @AfterAll
    static void close() { POOL.close(); }

    record Cells(int[] pos, int[] seq, int used) implements KvCells {
        @Override public int cellPos(int c) { return pos[c]; }
        @Override public int cellSeq(int c) { return seq[c]; }
    }

    static float[] gaussian(Random r, int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float) r.nextGaussian();
        return x;
    }

    static HostBuf host(float[] x, int rows, int cols) {
        HostBuf b = new HostBuf(rows, cols);
        System.arraycopy(x, 0, b.data, 0, x.length);
        return b;
    }

    /** Sink logits per head, from far below to far above typical scores (so both of their branches run). */
    public static float[] sinks(int nHead) {
        float[] s = new float[nHead];
        for (int h = 0; h < nHead; h++) s[h] = -6f + 12f * h / Math.max(1, nHead - 1);
        return s;
    }

    /** Plain attention for one row and head, in double, over cells read back as floats. */
    static double[] reference(float[] kAll, float[] vAll, Cells cells, AttnSpec spec, float[] q, int qo, int p, int sq, int h) {
        int hd = spec.headDim(), kvh = h / (spec.nHead() / spec.nHeadKv()), kvDim = spec.nHeadKv() * hd;
        int p0 = spec.window() > 0 ? Math.max(0, p - spec.window() + 1) : 0;
        double[] sc = new double[p + 1];
        int[] cellOf = new int[p + 1];
        double max = Double.NEGATIVE_INFINITY;
        for (int j = p0; j <= p; j++) {
            cellOf[j] = cells.cellAt(sq, j);
            if (cellOf[j] < 0) continue;
            double d = 0;
            for (int i = 0; i < hd; i++) d += (double) q[qo + i] * kAll[cellOf[j] * kvDim + kvh * hd + i];
            d *= spec.scale();
            if (spec.softcap() > 0) d = spec.softcap() * Math.tanh(d / spec.softcap());
            sc[j] = d;
            max = Math.max(max, d);
        }
        double sink = spec.sinks() != null ? spec.sinks()[h] : Double.NEGATIVE_INFINITY; // a logit with no value
        max = Math.max(max, sink);
        double sum = Math.exp(sink - max);
        double[] o = new double[hd];
        for (int j = p0; j <= p; j++) {
            if (cellOf[j] < 0) continue;
            double e = Math.exp(sc[j] - max);
            sum += e;
            for (int i = 0; i < hd; i++) o[i] += e * vAll[cellOf[j] * kvDim + kvh * hd + i];
        }
        for (int i = 0; i < hd; i++) o[i] /= sum;
        return o;
    }

    @Test
    void tiledMatchesPlainSoftmaxAndEachRowAloneBitForBit() { check(); }

    /** The same check under 256-bit and 128-bit vectors, in a child JVM limited with -XX:MaxVectorSize. */
    @ParameterizedTest
    @CsvSource({"32, 8", "16, 4"})
    void otherVectorSizes(int maxVectorBytes, int lanes) throws Exception {
        ChildJvm.assertOkWithVectors(AttentionTest.class, maxVectorBytes, lanes);
    }

    public static void main(String[] args) {
        try {
            check();
        } catch (AssertionError e) {
            System.out.println("failed: " + e.getMessage());
            System.exit(1);
        } finally {
            POOL.close();
        }
        System.out.println("ok " + AttnMath.lanes());
    }

    static void check() {
        Random r = new Random(5);
        int[][] shapes = {{8, 1, 64}, {8, 2, 80}, {4, 4, 12}, {6, 2, 128}}; // heads, kv heads, head dim
        for (GGMLType type : new GGMLType[] {GGMLType.F32, GGMLType.F16}) {
            for (int[] sh : shapes) {
                int nHead = sh[0], nHeadKv = sh[1], hd = sh[2], kvDim = nHeadKv * hd, cells = 700, used = 600;
                int[] cpos = new int[cells], cseq = new int[cells];
                Arrays.fill(cseq, -1);
                int p0 = 0, p1 = 0;
                for (int c = 0; c < used; c++) { // two sequences interleaved, sequence 1 in every third cell
                    boolean s1 = c % 3 == 2;
                    cseq[c] = s1 ? 1 : 0;
                    cpos[c] = s1 ? p1++ : p0++;
                }
                cseq[100] = -1; // a freed cell: a hole in sequence 0
                Cells kc = new Cells(cpos, cseq, used);
                KvStore store = CPU.kvStore(cells, kvDim, kvDim, type);
                float[] k = gaussian(r, used * kvDim), v = gaussian(r, used * kvDim);
                int[] at = new int[used];
                for (int i = 0; i < used; i++) at[i] = i;
                CPU.kvWrite(store, host(k, used, kvDim), host(v, used, kvDim), at, used);
                // what the store holds, as floats (F16 rounds)
                CpuKvStore cs = (CpuKvStore) store;
                float[] kAll = new float[used * kvDim], vAll = new float[used * kvDim];
                for (int c = 0; c < used; c++) {
                    cs.ops.dequantize(cs.k, c * cs.kRow, kAll, c * kvDim, kvDim);
                    cs.ops.dequantize(cs.v, c * cs.vRow, vAll, c * kvDim, kvDim);
                }
                // a prompt-like block of 6 rows of sequence 0 (the last positions), a decode row of sequence 1, and an
                // early row of sequence 0
                int[] rowPos = {p0 - 6, p0 - 5, p0 - 4, p0 - 3, p0 - 2, p0 - 1, p1 - 1, 40}, rowSeq = {0, 0, 0, 0, 0, 0, 1, 0};
                int n = rowPos.length;
                float[] q = gaussian(r, n * nHead * hd);
                AttnSpec[] specs = {new AttnSpec(nHead, nHeadKv, hd, 1f / (float) Math.sqrt(hd), 0, 0f),
                        new AttnSpec(nHead, nHeadKv, hd, 1f / (float) Math.sqrt(hd), 70, 0f),
                        new AttnSpec(nHead, nHeadKv, hd, 0.5f, 0, 4f),
                        new AttnSpec(nHead, nHeadKv, hd, 1f / (float) Math.sqrt(hd), 70, 0f, sinks(nHead))};
                for (AttnSpec spec : specs) {
                    HostBuf qb = new HostBuf(n, nHead * hd);
                    System.arraycopy(q, 0, qb.data, 0, q.length);
                    HostBuf out = new HostBuf(n, nHead * hd);
                    CPU.attention(qb, store, kc, spec, rowPos, rowSeq, out, n);
                    String what = type + " heads " + nHead + "/" + nHeadKv + " hd " + hd + " " + spec;
                    for (int row = 0; row < n; row++) {
                        for (int h = 0; h < nHead; h++) {
                            double[] want = reference(kAll, vAll, kc, spec, q, row * nHead * hd + h * hd, rowPos[row], rowSeq[row], h);
                            for (int i = 0; i < hd; i++) {
                                float got = out.data[row * nHead * hd + h * hd + i];
                                assertTrue(Math.abs(got - want[i]) <= 2e-5 + 2e-5 * Math.abs(want[i]),
                                        what + " row " + row + " head " + h + " [" + i + "]: " + got + " vs " + want[i]);
                            }
                        }
                        // the row alone: the same bits
                        HostBuf q1 = new HostBuf(1, nHead * hd), o1 = new HostBuf(1, nHead * hd);
                        System.arraycopy(q, row * nHead * hd, q1.data, 0, nHead * hd);
                        CPU.attention(q1, store, kc, spec, new int[] {rowPos[row]}, new int[] {rowSeq[row]}, o1, 1);
                        assertArrayEquals(o1.data, Arrays.copyOfRange(out.data, row * nHead * hd, (row + 1) * nHead * hd), what + " row " + row + " alone");
                    }
                }
                store.close();
            }
        }
    }
}
