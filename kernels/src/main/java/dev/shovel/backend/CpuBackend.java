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
 * The CPU backend: weights in place in the mapped file (Q8_0 and Q4_0 repacked at load, see {@link Planar}),
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
    private final int[][] prep = {new int[0], new int[0], new int[0], new int[0]};
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
        Planar planar = of != null && of.finiteScales(src, rows, cols) ? of : null;
        if (planar == null) return new CpuWeight(t.name(), t.type(), rows, cols, src, ops, dense, null);
        PlanarMatrix m = PlanarMatrix.of(planar, file.allocate(planar.bytes(rows, cols)), rows, cols);
        int chunks = Math.min(rows, pool.threads() * 4);
        pool.run(chunks, c -> planar.pack(src, rows, cols, m.data(), WorkerPool.split(rows, chunks, c),
                WorkerPool.split(rows, chunks, c + 1)));
        if (src.isMapped()) src.unload(); // the planar copy replaces these pages
        return new CpuWeight(t.name(), t.type(), rows, cols, null, ops, null, m);
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
        return new CpuWeight(name, t.type(), count, t.cols(), t.data().asSlice(first * rb, count * rb), t.ops(), null, null);
    }

    @Override public Buf buf(int rows, int cols) { return new HostBuf(rows, cols); }

    @Override
    public KvStore kvStore(int cells, int kDim, int vDim, GGMLType type) { return new CpuKvStore(cells, kDim, vDim, type); }

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

    @Override
    public void matmul(Weight[] ws, Buf x, Buf[] outs, int n) {
        if (ws.length > matmul.w.length) {
            Backend.super.matmul(ws, x, outs, n);
            return;
        }
        long work = 0;
        for (int k = 0; k < ws.length; k++) {
            CpuWeight wt = w(ws[k]);
            if (x.cols() != wt.cols() || outs[k].cols() != wt.rows()) {
                throw new IllegalArgumentException(wt.name() + ": shape mismatch " + x.cols() + " -> " + outs[k].cols());
            }
            work += wt.ops().rowBytes(wt.cols()) * wt.rows() * n;
        }
        matmul.set(ws.length, a(x), n);
        for (int k = 0; k < ws.length; k++) {
            CpuWeight wt = w(ws[k]);
            int[] p = null;
            PlanarMatrix m = wt.planar();
            if (m != null) { // x prepared once per layout: q/k/v of one type share it
                for (int j = 0; j < k && p == null; j++) if (matmul.w[j].planar() != null && matmul.w[j].planar().ops() == m.ops()) p = matmul.p[j];
                if (p == null) p = prepared(k, m.ops(), a(x), n, wt.cols());
            }
            int rows = wt.rows(), unit = m != null ? m.ops().rowUnit() : 1; // whole group pairs per chunk
            long rowBytes = wt.ops().rowBytes(wt.cols());
            int units = (rows + unit - 1) / unit, perChunk = (int) Math.max(1, CHUNK_BYTES / Math.max(1, rowBytes * unit));
            int chunks = work < PARALLEL_BYTES ? 1 : Math.max(1, Math.min((units + perChunk - 1) / perChunk, pool.threads() * 8));
            matmul.add(k, wt, p, a(outs[k]), chunks, unit);
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

    /** The matmul job over one or more weights of one input, reused so a forward pass allocates nothing per op. */
    private static final class MatmulTask implements WorkerPool.Chunked {
        final CpuWeight[] w = new CpuWeight[4];
        final int[][] p = new int[4][];
        private final float[][] out = new float[4][];
        private final int[] first = new int[5], units = new int[4];
        private float[] x;
        private int n, count;

        void set(int count, float[] x, int n) {
            this.count = count;
            this.x = x;
            this.n = n;
        }

        void add(int k, CpuWeight wt, int[] prep, float[] o, int chunks, int unit) {
            w[k] = wt;
            p[k] = prep;
            out[k] = o;
            units[k] = unit;
            first[k + 1] = first[k] + chunks;
        }

        int chunks() { return first[count]; }

        void clear() {
            java.util.Arrays.fill(w, null);
            java.util.Arrays.fill(p, null);
            java.util.Arrays.fill(out, null);
            x = null;
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
                else m.ops().gemm(m, x, p[k], n, out[k], rows, r0, r1);
            } else if (n == 1) wk.ops().matvec(wk.data(), wk.cols(), x, 0, out[k], 0, r0, r1);
            else wk.ops().gemm(wk.data(), wk.cols(), x, n, out[k], rows, r0, r1);
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
            kv.ops.quantize(va, r * kv.vDim, kv.v, cells[r] * kv.vRow, kv.vDim);
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
        t.used = cells.used();
        int tasks = n * spec.nHead();
        if ((long) t.used * spec.headDim() * tasks < 32_768) {
            for (int i = 0; i < tasks; i++) t.run(i); // too small to share
        } else {
            pool.run(tasks, t);
        }
        t.q = t.out = null;
        t.kv = null;
        t.cells = null;
    }

    /**
     * One (row, head) of causal attention over the cells of the row's sequence, visited in position order (so the
     * result does not depend on where the cache placed them); reused across calls.
     */
    private final class AttentionTask implements WorkerPool.Chunked {
        float[] q, out;
        int qCols, outCols, used;
        CpuKvStore kv;
        KvCells cells;
        AttnSpec spec;
        int[] pos, seq;

        @Override
        public void run(int t) {
            int nHead = spec.nHead(), hd = spec.headDim(), group = nHead / spec.nHeadKv();
            int r = t / nHead, h = t % nHead, kvh = h / group;
            long elt = kv.kRow / kv.kDim;
            int p = pos[r], sq = seq[r], window = spec.window();
            int p0 = window > 0 ? Math.max(0, p - window + 1) : 0, len = p - p0 + 1;
            float[] s = scratch(Math.max(kv.cells, len) + hd); // sized by the cache, so decode never regrows it
            int qo = r * qCols + h * hd, oo = r * outCols + h * hd;
            float scale = spec.scale(), cap = spec.softcap();
            float max = Float.NEGATIVE_INFINITY;
            for (int j = 0; j < len; j++) {
                int c = cells.cellAt(sq, p0 + j);
                if (c < 0) {
                    s[j] = Float.NEGATIVE_INFINITY;
                    continue;
                }
                float sc = kv.ops.dot(kv.k, c * kv.kRow + (long) kvh * hd * elt, q, qo, hd) * scale;
                if (cap > 0) sc = cap * (float) Math.tanh(sc / cap);
                s[j] = sc;
                if (sc > max) max = sc;
            }
            double sum = 0;
            for (int j = 0; j < len; j++) {
                float e = s[j] == Float.NEGATIVE_INFINITY ? 0f : (float) Math.exp(s[j] - max);
                s[j] = e;
                sum += e;
            }
            float inv = sum == 0 ? 0f : (float) (1.0 / sum);
            java.util.Arrays.fill(out, oo, oo + hd, 0f);
            for (int j = 0; j < len; j++) {
                if (s[j] != 0f) kv.ops.axpy(kv.v, cells.cellAt(sq, p0 + j) * kv.vRow + (long) kvh * hd * elt, s[j] * inv, out, oo, hd);
            }
        }
    }

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
    public void download(Buf src, int n, float[] dst) { System.arraycopy(a(src), 0, dst, 0, n * src.cols()); }

    @Override
    public void upload(float[] src, int n, Buf dst) { System.arraycopy(src, 0, a(dst), 0, n * dst.cols()); }

    @Override public void close() {}
}
