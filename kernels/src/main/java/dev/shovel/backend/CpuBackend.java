package dev.shovel.backend;

import dev.shovel.ggml.Planar;
import dev.shovel.ggml.PlanarMatrix;
import dev.shovel.ggml.TypeOps;
import dev.shovel.gguf.GGMLType;
import dev.shovel.gguf.GGUFException;
import dev.shovel.gguf.GGUFFile;
import dev.shovel.gguf.TensorInfo;
import java.lang.foreign.MemorySegment;

/**
 * The CPU backend: weights in place in the mapped file (the types {@link Planar#of} names repacked at load),
 * activations in Java arrays, work split by rows.
 */
public final class CpuBackend implements Backend {
    /** Rows per matmul chunk are chosen so a chunk streams at least this many weight bytes. */
    private static final long CHUNK_BYTES = 1 << 16;
    /** Below this much work (weight bytes x rows), a matmul runs on the calling thread alone. */
    private static final long PARALLEL_BYTES = 1 << 18;

    /** Whether Q8_0, Q4_0 and K-quant (Q2_K..Q6_K) matrices are repacked at load ({@code -Dshovel.planar=false} keeps ggml's layout). */
    static final boolean PLANAR = !"false".equals(System.getProperty("shovel.planar"));

    private final WorkerPool pool;
    private int[][] prep = {new int[0], new int[0], new int[0], new int[0]};
    private final ThreadLocal<float[]> scratch = ThreadLocal.withInitial(() -> new float[256]);

    public CpuBackend(WorkerPool pool) { this.pool = pool; }

    public WorkerPool pool() { return pool; }

    @Override public String name() { return "cpu"; }

    @Override
    public Weight weight(GGUFFile file, TensorInfo t) {
        if (!TypeOps.supported(t.type())) {
            throw new GGUFException("tensor " + t.name() + " has type " + t.type() + ", which Shovel cannot compute yet");
        }
        TypeOps ops = TypeOps.of(t.type());
        int cols = Math.toIntExact(t.rowLength());
        int rows = Math.toIntExact(t.rows());
        float[] dense = null;
        if (rows == 1) {
            dense = new float[cols];
            ops.dequantize(file.tensorData(t), 0, dense, 0, cols);
        }
        MemorySegment src = file.tensorData(t);
        Planar of = PLANAR && rows > 1 ? Planar.of(t.type()) : null;
        int chunks = Math.min(rows, pool.threads() * 4);
        Planar planar = of != null && finiteScales(of, src, rows, cols, chunks) ? of : null;
        if (planar == null) return new CpuWeight(t.name(), t.type(), rows, cols, src, ops, dense, null);
        PlanarMatrix m = PlanarMatrix.of(planar, file.allocate(planar.bytes(rows, cols)), rows, cols);
        pool.run(chunks, c -> planar.pack(src, rows, cols, m.data(), WorkerPool.split(rows, chunks, c),
                WorkerPool.split(rows, chunks, c + 1)));
        if (src.isMapped()) src.unload(); // the planar copy replaces these pages
        return new CpuWeight(t.name(), t.type(), rows, cols, null, ops, null, m);
    }

    /** {@link Planar#finiteScales} over the pool, a range of rows per chunk (it reads, and faults in, the whole file). */
    private boolean finiteScales(Planar planar, MemorySegment src, int rows, int cols, int chunks) {
        long rowBytes = src.byteSize() / rows;
        boolean[] ok = new boolean[chunks];
        pool.run(chunks, c -> {
            long r0 = WorkerPool.split(rows, chunks, c), r1 = WorkerPool.split(rows, chunks, c + 1);
            ok[c] = planar.finiteScales(src.asSlice(r0 * rowBytes, (r1 - r0) * rowBytes), r1 - r0, cols);
        });
        for (boolean b : ok) if (!b) return false;
        return true;
    }

    @Override
    public Weight rows(Weight weight, int first, int count) {
        CpuWeight t = w(weight);
        if (first < 0 || count <= 0 || first + count > t.rows()) {
            throw new IllegalArgumentException(t.name() + ": rows " + first + "+" + count + " of " + t.rows());
        }
        String name = t.name() + "[" + first + ":" + (first + count) + "]";
        if (t.planar() != null) {
            return new CpuWeight(name, t.type(), count, t.cols(), null, t.ops(), null, t.planar().slice(first, count));
        }
        long rb = t.ops().rowBytes(t.cols());
        MemorySegment data = t.data().asSlice(first * rb, count * rb);
        float[] dense = null;
        if (count == 1) { // one row of a 2-D table (gpt-oss's per-expert biases): a vector, as weight() makes them
            dense = new float[t.cols()];
            t.ops().dequantize(data, 0, dense, 0, t.cols());
        }
        return new CpuWeight(name, t.type(), count, t.cols(), data, t.ops(), dense, null);
    }

    @Override public Buf buf(int rows, int cols) { return new HostBuf(rows, cols); }

    @Override
    public KvStore kvStore(int cells, int kDim, int vDim, GGMLType type) { return new CpuKvStore(cells, kDim, vDim, type); }

    @Override
    public KvStore kvStoreShared(int cells, int dim, GGMLType type) { return new CpuKvStore(cells, dim, dim, type, true); }

    private static float[] a(Buf b) { return ((HostBuf) b).data; }

    private static CpuWeight w(Weight w) { return (CpuWeight) w; }

    private float[] scratch(int n) {
        float[] s = scratch.get();
        if (s.length < n) {
            s = new float[Math.max(n, s.length * 2)];
            scratch.set(s);
        }
        return s;
    }

    @Override
    public void getRows(Weight table, int[] ids, int n, Buf out) {
        CpuWeight t = w(table);
        float[] o = a(out);
        for (int i = 0; i < n; i++) {
            if (ids[i] < 0 || ids[i] >= t.rows()) throw new IllegalArgumentException("token id " + ids[i] + " out of range");
            if (t.planar() != null) t.planar().row(ids[i], o, i * t.cols());
            else t.ops().row(t.data(), t.cols(), ids[i], o, i * t.cols());
        }
    }

    @Override
    public void rmsnorm(Buf x, Weight weight, float eps, int dim, Buf out, int n) {
        float[] xa = a(x), oa = a(out);
        float[] wd = weight == null ? null : w(weight).dense();
        int groups = n * x.cols() / dim;
        for (int g = 0; g < groups; g++) {
            int o = g * dim;
            double ss = 0;
            for (int i = 0; i < dim; i++) ss += (double) xa[o + i] * xa[o + i];
            float s = (float) (1.0 / Math.sqrt((float) (ss / dim) + eps));
            for (int i = 0; i < dim; i++) {
                float y = xa[o + i] * s;
                oa[o + i] = wd == null ? y : y * wd[i];
            }
        }
    }

    @Override
    public void layernorm(Buf x, Weight weight, Weight bias, float eps, Buf out, int n) {
        float[] xa = a(x), oa = a(out);
        float[] wd = w(weight).dense(), bd = bias == null ? null : w(bias).dense();
        int dim = x.cols();
        for (int r = 0; r < n; r++) {
            int o = r * dim;
            double sum = 0;
            for (int i = 0; i < dim; i++) sum += xa[o + i];
            float mean = (float) (sum / dim);
            double var = 0;
            for (int i = 0; i < dim; i++) {
                float d = xa[o + i] - mean;
                var += (double) d * d;
            }
            float s = (float) (1.0 / Math.sqrt((float) (var / dim) + eps));
            for (int i = 0; i < dim; i++) {
                float y = (xa[o + i] - mean) * s * wd[i];
                oa[o + i] = bd == null ? y : y + bd[i];
            }
        }
    }

    private final Weight[] one = new Weight[1];
    private final Buf[] oneOut = new Buf[1];

    @Override
    public void matmul(Weight weight, Buf x, Buf out, int n) {
        one[0] = weight;
        oneOut[0] = out;
        matmul(one, x, oneOut, n);
    }

    private Buf[] sameInput = new Buf[4];

    @Override
    public void matmul(Weight[] ws, Buf x, Buf[] outs, int n) {
        if (sameInput.length < ws.length) sameInput = new Buf[ws.length];
        java.util.Arrays.fill(sameInput, 0, ws.length, x);
        matmul(ws, sameInput, outs, n);
        java.util.Arrays.fill(sameInput, null);
    }

    @Override
    public void matmul(Weight[] ws, Buf[] xs, Buf[] outs, int n) {
        long work = 0;
        for (int k = 0; k < ws.length; k++) {
            CpuWeight wt = w(ws[k]);
            if (xs[k].cols() != wt.cols() || outs[k].cols() != wt.rows()) {
                throw new IllegalArgumentException(wt.name() + ": shape mismatch " + xs[k].cols() + " -> " + outs[k].cols());
            }
            work += wt.ops().rowBytes(wt.cols()) * wt.rows() * n;
        }
        if (prep.length < ws.length) {
            prep = java.util.Arrays.copyOf(prep, ws.length);
            for (int k = 0; k < prep.length; k++) if (prep[k] == null) prep[k] = new int[0];
        }
        matmul.set(ws.length, n);
        for (int k = 0; k < ws.length; k++) {
            CpuWeight wt = w(ws[k]);
            int[] p = null;
            PlanarMatrix m = wt.planar();
            if (m != null) { // an input prepared once per layout: q/k/v of one type share it
                for (int j = 0; j < k && p == null; j++) {
                    if (xs[j] == xs[k] && matmul.w[j].planar() != null && matmul.w[j].planar().ops() == m.ops()) p = matmul.p[j];
                }
                if (p == null) p = prepared(k, m.ops(), a(xs[k]), n, wt.cols());
            }
            int rows = wt.rows(), unit = m != null ? m.ops().rowUnit() : 1; // whole group pairs per chunk
            long rowBytes = wt.ops().rowBytes(wt.cols());
            int units = (rows + unit - 1) / unit, perChunk = (int) Math.max(1, CHUNK_BYTES / Math.max(1, rowBytes * unit));
            int chunks = work < PARALLEL_BYTES ? 1 : Math.max(1, Math.min((units + perChunk - 1) / perChunk, pool.threads() * 8));
            matmul.add(k, wt, a(xs[k]), p, a(outs[k]), chunks, unit);
        }
        pool.run(matmul.chunks(), matmul);
        matmul.clear();
    }

    /** x prepared for {@code ops} in prep slot k, the batch rows split over the pool when there are many. */
    private int[] prepared(int k, Planar ops, float[] x, int n, int cols) {
        int size = ops.prepSize(n, cols);
        if (prep[k].length < size) prep[k] = new int[size];
        int[] p = prep[k];
        if (size == 0) return p; // float tiles read x itself
        if (n < 8) ops.prepareRows(x, 0, n, cols, p, 0);
        else {
            prepare.set(ops, x, n, cols, p);
            pool.run(prepare.chunks, prepare);
            prepare.set(null, null, 0, 0, null);
        }
        return p;
    }

    /** Prepares a slice of the batch rows. */
    private static final class PrepareTask implements WorkerPool.Chunked {
        private Planar ops;
        private float[] x;
        private int[] p;
        private int n, cols;
        int chunks;

        void set(Planar ops, float[] x, int n, int cols, int[] p) {
            this.ops = ops;
            this.x = x;
            this.n = n;
            this.cols = cols;
            this.p = p;
            this.chunks = Math.min(n, 8);
        }

        @Override
        public void run(int c) {
            int r0 = WorkerPool.split(n, chunks, c), r1 = WorkerPool.split(n, chunks, c + 1);
            ops.prepareRows(x, r0 * cols, r1 - r0, cols, p, r0 * (cols / 32) * ops.width());
        }
    }

    private final PrepareTask prepare = new PrepareTask();

    /**
     * The matmul job over one or more weights, each with its input, reused so a forward pass allocates nothing per
     * op (its arrays grow to the most weights seen in one job).
     */
    private static final class MatmulTask implements WorkerPool.Chunked {
        CpuWeight[] w = new CpuWeight[4];
        int[][] p = new int[4][];
        private float[][] x = new float[4][], out = new float[4][];
        private int[] first = new int[5], units = new int[4];
        private int n, count;

        void set(int count, int n) {
            if (w.length < count) {
                w = new CpuWeight[count];
                p = new int[count][];
                x = new float[count][];
                out = new float[count][];
                first = new int[count + 1];
                units = new int[count];
            }
            this.count = count;
            this.n = n;
        }

        void add(int k, CpuWeight wt, float[] in, int[] prep, float[] o, int chunks, int unit) {
            w[k] = wt;
            x[k] = in;
            p[k] = prep;
            out[k] = o;
            units[k] = unit;
            first[k + 1] = first[k] + chunks;
        }

        int chunks() { return first[count]; }

        void clear() {
            java.util.Arrays.fill(w, null);
            java.util.Arrays.fill(p, null);
            java.util.Arrays.fill(x, null);
            java.util.Arrays.fill(out, null);
        }

        @Override
        public void run(int c) {
            int k = 0;
            while (c >= first[k + 1]) k++;
            CpuWeight wk = w[k];
            int rows = wk.rows(), unit = units[k], chunks = first[k + 1] - first[k], u = (rows + unit - 1) / unit, i = c - first[k];
            int r0 = Math.min(rows, WorkerPool.split(u, chunks, i) * unit), r1 = Math.min(rows, WorkerPool.split(u, chunks, i + 1) * unit);
            PlanarMatrix m = wk.planar();
            if (m != null) {
                if (n == 1) m.ops().matvec(m, p[k], out[k], 0, r0, r1);
                else m.ops().gemm(m, x[k], p[k], n, out[k], rows, r0, r1);
            } else if (n == 1) wk.ops().matvec(wk.data(), wk.cols(), x[k], 0, out[k], 0, r0, r1);
            else wk.ops().gemm(wk.data(), wk.cols(), x[k], n, out[k], rows, r0, r1);
        }
    }

    private final MatmulTask matmul = new MatmulTask();

    @Override
    public void addBias(Buf x, Weight bias, int n) {
        float[] xa = a(x), b = w(bias).dense();
        int d = x.cols();
        for (int r = 0; r < n; r++) for (int i = 0; i < d; i++) xa[r * d + i] += b[i];
    }

    @Override
    public void rope(Buf x, int nHead, int headDim, RopeSpec spec, int[] pos, int n) {
        float[] xa = a(x);
        int half = spec.nRot() / 2;
        float[] cs = scratch(2 * half);
        for (int r = 0; r < n; r++) {
            Rope.table(spec, pos[r], cs);
            for (int h = 0; h < nHead; h++) {
                int o = r * x.cols() + h * headDim;
                for (int i = 0; i < half; i++) {
                    int i0 = spec.neox() ? o + i : o + 2 * i;
                    int i1 = spec.neox() ? o + i + half : o + 2 * i + 1;
                    float c = cs[2 * i], s = cs[2 * i + 1];
                    float x0 = xa[i0], x1 = xa[i1];
                    xa[i0] = x0 * c - x1 * s;
                    xa[i1] = x0 * s + x1 * c;
                }
            }
        }
    }

    @Override
    public void kvWrite(KvStore store, Buf k, Buf v, int[] cells, int n) {
        CpuKvStore kv = (CpuKvStore) store;
        float[] ka = a(k), va = a(v);
        for (int r = 0; r < n; r++) {
            kv.ops.quantize(ka, r * kv.kDim, kv.k, cells[r] * kv.kRow, kv.kDim);
            if (kv.v != kv.k) kv.ops.quantize(va, r * kv.vDim, kv.v, cells[r] * kv.vRow, kv.vDim);
        }
    }

    @Override
    public void attention(Buf q, KvStore store, KvCells cells, AttnSpec spec, int[] pos, int[] seq, Buf out, int n) {
        AttentionTask t = attention;
        t.q = a(q);
        t.out = a(out);
        t.qCols = q.cols();
        t.outCols = out.cols();
        t.kv = (CpuKvStore) store;
        t.cells = cells;
        t.spec = spec;
        t.pos = pos;
        t.seq = seq;
        int blocks = t.blocks(n);
        int tasks = blocks * spec.nHeadKv();
        if ((long) cells.used() * spec.headDim() * n * spec.nHead() < 32_768) {
            for (int i = 0; i < tasks; i++) t.run(i); // too small to share
        } else {
            pool.run(tasks, t);
        }
        t.q = t.out = null;
        t.kv = null;
        t.cells = null;
    }

    /**
     * Causal attention, tiled: a task takes a block of up to {@link #QB} consecutive batch rows of one sequence and one
     * KV head, and walks that sequence's cells in position order, a tile of {@link AttnMath#KT} positions at a time.
     * Each tile's keys (transposed) and values are converted to float once for every query of the block (its rows
     * times the query heads sharing the KV head); each query keeps an online softmax (running max, sum, weighted
     * values), so no score row as long as the context is kept. A query's arithmetic does not depend on the other
     * queries of its block: a row gives the same result whatever else is in the batch. Reused across calls; its
     * scratch is per thread.
     */
    private static final int QB = 8;

    private final class AttentionTask implements WorkerPool.Chunked {
        float[] q, out;
        int qCols, outCols;
        CpuKvStore kv;
        KvCells cells;
        AttnSpec spec;
        int[] pos, seq;
        int[] blockStart = new int[8];

        /** Splits the batch rows into blocks of up to QB consecutive rows of one sequence; returns their count. */
        int blocks(int n) {
            if (blockStart.length < n + 1) blockStart = new int[Math.max(n + 1, 2 * blockStart.length)];
            int b = 0;
            for (int r = 0; r < n; ) {
                blockStart[b++] = r;
                int e = r + 1;
                while (e < n && e - r < QB && seq[e] == seq[r] && pos[e] > pos[e - 1]) e++;
                r = e;
            }
            blockStart[b] = n;
            return b;
        }

        @Override
        public void run(int t) {
            final int KT = AttnMath.KT;
            int nHead = spec.nHead(), hd = spec.headDim(), group = nHead / spec.nHeadKv();
            int blk = t / spec.nHeadKv(), kvh = t % spec.nHeadKv();
            int r0 = blockStart[blk], r1 = blockStart[blk + 1], sq = seq[r0], window = spec.window();
            int nq = (r1 - r0) * group;
            // scratch: a tile's keys (transposed: hd x KT) and values (KT x hd), a key row, two queries' scores, and
            // per query its weighted values, running max and sum
            int kOff = 0, vOff = kOff + hd * KT, rowOff = vOff + KT * hd, sOff = rowOff + hd, aOff = sOff + 2 * KT;
            int L = AttnMath.lanes(), mOff = aOff + nq * hd, lOff = mOff + nq; // per query, its sum in L lanes
            float[] s = scratch(lOff + nq * L);
            java.util.Arrays.fill(s, aOff, aOff + nq * hd, 0f);
            java.util.Arrays.fill(s, mOff, mOff + nq, Float.NEGATIVE_INFINITY);
            java.util.Arrays.fill(s, lOff, lOff + nq * L, 0f);
            int[] qo = QOFF.get(), p0s = P0.get();
            if (qo.length < nq) QOFF.set(qo = new int[2 * nq]);
            if (p0s.length < r1 - r0) P0.set(p0s = new int[2 * (r1 - r0)]);
            for (int r = r0; r < r1; r++) {
                p0s[r - r0] = window > 0 ? Math.max(0, pos[r] - window + 1) : 0;
                for (int g = 0; g < group; g++) qo[(r - r0) * group + g] = r * qCols + (kvh * group + g) * hd;
            }
            float scale = spec.scale(), cap = spec.softcap();
            long head = kv.ops.rowBytes(kvh * hd); // the KV head's offset in a key row and in a value row
            int lo = Integer.MAX_VALUE, hi = pos[r1 - 1];
            for (int r = r0; r < r1; r++) lo = Math.min(lo, p0s[r - r0]);
            int[] cellOf = CELLS.get();
            for (int j0 = lo - lo % KT; j0 <= hi; j0 += KT) {
                boolean any = false, holes = false;
                for (int j = 0; j < KT; j++) {
                    int c = j0 + j < lo || j0 + j > hi ? -1 : cells.cellAt(sq, j0 + j);
                    cellOf[j] = c;
                    if (c < 0) {
                        holes = true;
                        for (int d = 0; d < hd; d++) s[kOff + d * KT + j] = 0f;
                        java.util.Arrays.fill(s, vOff + j * hd, vOff + (j + 1) * hd, 0f);
                        continue;
                    }
                    any = true;
                    kv.ops.dequantize(kv.k, c * kv.kRow + head, s, rowOff, hd);
                    for (int d = 0; d < hd; d++) s[kOff + d * KT + j] = s[rowOff + d];
                    kv.ops.dequantize(kv.v, c * kv.vRow + head, s, vOff + j * hd, hd);
                }
                if (!any) continue;
                for (int a = 0; a < nq; a += 2) {
                    int b = Math.min(a + 1, nq - 1); // an odd last query runs beside itself: the same arithmetic
                    int ra = r0 + a / group, rb = r0 + b / group;
                    boolean liveA = j0 <= pos[ra] && j0 + KT > p0s[ra - r0], liveB = j0 <= pos[rb] && j0 + KT > p0s[rb - r0];
                    if (!liveA && !liveB) continue;
                    AttnMath.scores2(s, kOff, q, qo[a], qo[b], hd, scale, s, sOff);
                    if (liveA) update(s, a, sOff, cap, holes || j0 < p0s[ra - r0] || j0 + KT - 1 > pos[ra], j0, p0s[ra - r0], pos[ra],
                            cellOf, vOff, aOff, mOff, lOff, hd);
                    if (liveB && b != a) update(s, b, sOff + KT, cap, holes || j0 < p0s[rb - r0] || j0 + KT - 1 > pos[rb], j0, p0s[rb - r0],
                            pos[rb], cellOf, vOff, aOff, mOff, lOff, hd);
                }
            }
            for (int r = r0; r < r1; r++) {
                for (int g = 0; g < group; g++) {
                    int h = kvh * group + g, qi = (r - r0) * group + g, oo = r * outCols + h * hd;
                    float l = AttnMath.sum(s, lOff + qi * L), inv = l == 0 ? 0f : 1f / l;
                    if (spec.sinks() != null) inv = sink(spec.sinks()[h], s[mOff + qi], l);
                    for (int d = 0; d < hd; d++) out[oo + d] = s[aOff + qi * hd + d] * inv;
                }
            }
        }

        /**
         * 1 / the softmax denominator with a sink logit sk beside the keys (running max m, sum l): the weighted
         * values, summed relative to m, are rescaled when the sink is the larger.
         */
        private static float sink(float sk, float m, float l) {
            if (sk <= m) return 1f / (l + (float) Math.exp(sk - m));
            float corr = m == Float.NEGATIVE_INFINITY ? 0f : (float) Math.exp(m - sk);
            return corr / (l * corr + 1f);
        }

        /** One query's online-softmax step over a tile's scores at s[so..so+KT): mask, max, rescale, exp, weighted values. */
        private static void update(float[] s, int qi, int so, float cap, boolean mask, int j0, int p0, int p, int[] cellOf,
                                   int vOff, int aOff, int mOff, int lOff, int hd) {
            final int KT = AttnMath.KT;
            if (cap > 0) for (int j = 0; j < KT; j++) s[so + j] = cap * (float) Math.tanh(s[so + j] / cap);
            if (mask) {
                for (int j = 0; j < KT; j++) {
                    int jp = j0 + j;
                    if (jp < p0 || jp > p || cellOf[j] < 0) s[so + j] = Float.NEGATIVE_INFINITY;
                }
            }
            float max = AttnMath.max(s, so);
            if (max == Float.NEGATIVE_INFINITY) return;
            float m = s[mOff + qi];
            int ao = aOff + qi * hd;
            if (max > m) {
                if (m != Float.NEGATIVE_INFINITY) {
                    float corr = AttnMath.exp1(m - max);
                    AttnMath.scale(s, lOff + qi * AttnMath.lanes(), AttnMath.lanes(), corr);
                    AttnMath.scale(s, ao, hd, corr);
                }
                s[mOff + qi] = m = max;
            }
            AttnMath.exp(s, so, m, s, lOff + qi * AttnMath.lanes());
            AttnMath.weighted(s, so, s, vOff, s, ao, hd);
        }
    }

    private static final ThreadLocal<int[]> CELLS = ThreadLocal.withInitial(() -> new int[AttnMath.KT]);
    private static final ThreadLocal<int[]> QOFF = ThreadLocal.withInitial(() -> new int[64]), P0 = ThreadLocal.withInitial(() -> new int[8]);

    private final AttentionTask attention = new AttentionTask();

    @Override
    public void glu(Buf gate, Buf up, boolean gelu, int n) {
        int len = n * gate.cols(), chunks = len < 1 << 16 ? 1 : pool.threads() * 4; // a prompt's batch: worth the pool
        glu.set(a(gate), a(up), gelu, len, chunks);
        pool.run(chunks, glu);
        glu.set(null, null, false, 0, 0);
    }

    /** gate = act(gate) * up over a slice of the elements. */
    private static final class GluTask implements WorkerPool.Chunked {
        private float[] g, u;
        private boolean gelu;
        private int len, chunks;

        void set(float[] g, float[] u, boolean gelu, int len, int chunks) {
            this.g = g;
            this.u = u;
            this.gelu = gelu;
            this.len = len;
            this.chunks = chunks;
        }

        @Override
        public void run(int c) {
            int i0 = WorkerPool.split(len, chunks, c), i1 = WorkerPool.split(len, chunks, c + 1);
            for (int i = i0; i < i1; i++) g[i] = (gelu ? Act.gelu(g[i]) : Act.silu(g[i])) * u[i];
        }
    }

    private final GluTask glu = new GluTask();

    @Override
    public void gelu(Buf x, int n) {
        float[] xa = a(x);
        int len = n * x.cols();
        for (int i = 0; i < len; i++) xa[i] = Act.gelu(xa[i]);
    }

    @Override
    public void add(Buf x, Buf y, float scale, int n) {
        float[] xa = a(x), ya = a(y);
        int len = n * x.cols();
        if (scale == 1f) for (int i = 0; i < len; i++) xa[i] += ya[i];
        else for (int i = 0; i < len; i++) xa[i] += scale * ya[i];
    }

    @Override
    public void scale(Buf x, float scale, int n) {
        float[] xa = a(x);
        int len = n * x.cols();
        for (int i = 0; i < len; i++) xa[i] *= scale;
    }

    @Override
    public void softcap(Buf x, float c, int n) {
        float[] xa = a(x);
        int len = n * x.cols();
        for (int i = 0; i < len; i++) xa[i] = c * (float) Math.tanh(xa[i] / c);
    }

    @Override
    public void gather(Buf src, int[] rows, int n, Buf dst) {
        float[] s = a(src), d = a(dst);
        int c = src.cols();
        for (int i = 0; i < n; i++) System.arraycopy(s, rows[i] * c, d, i * c, c);
    }

    @Override
    public void scatterAdd(Buf src, int[] rows, float[] scale, int n, Buf dst, int dstRows) {
        float[] s = a(src), d = a(dst);
        int c = src.cols();
        for (int i = 0; i < n; i++) {
            int so = i * c, dOff = rows[i] * c;
            float k = scale[i];
            for (int j = 0; j < c; j++) d[dOff + j] += k * s[so + j];
        }
    }

    @Override
    public void gluOai(Buf gate, Buf up, float alpha, float limit, int n) {
        float[] g = a(gate), u = a(up);
        for (int i = 0, len = n * gate.cols(); i < len; i++) g[i] = Act.swigluOai(g[i], u[i], alpha, limit);
    }

    @Override
    public void copyCols(Buf src, int srcCol, Buf dst, int dstCol, int width, int n) {
        float[] s = a(src), d = a(dst);
        for (int r = 0; r < n; r++) System.arraycopy(s, r * src.cols() + srcCol, d, r * dst.cols() + dstCol, width);
    }

    @Override public void zero(Buf x, int n) { java.util.Arrays.fill(a(x), 0, n * x.cols(), 0f); }

    @Override
    public void download(Buf src, int n, float[] dst) { System.arraycopy(a(src), 0, dst, 0, n * src.cols()); }

    @Override
    public void upload(float[] src, int n, Buf dst) { System.arraycopy(src, 0, a(dst), 0, n * dst.cols()); }

    @Override public void close() {}
}
