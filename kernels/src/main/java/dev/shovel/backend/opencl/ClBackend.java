package dev.shovel.backend.opencl;

import static dev.shovel.backend.opencl.ClQueue.argFloat;
import static dev.shovel.backend.opencl.ClQueue.argInt;
import static dev.shovel.backend.opencl.ClQueue.argLong;
import static dev.shovel.backend.opencl.ClQueue.argMem;

import dev.shovel.backend.AttnSpec;
import dev.shovel.backend.Backend;
import dev.shovel.backend.Buf;
import dev.shovel.backend.CpuBackend;
import dev.shovel.backend.CpuWeight;
import dev.shovel.backend.HostBuf;
import dev.shovel.backend.KvCells;
import dev.shovel.backend.KvStore;
import dev.shovel.backend.RopeSpec;
import dev.shovel.backend.Weight;
import dev.shovel.ggml.TypeOps;
import dev.shovel.gguf.GGMLType;
import dev.shovel.gguf.GGUFException;
import dev.shovel.gguf.GGUFFile;
import dev.shovel.gguf.TensorInfo;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The OpenCL backend: weights uploaded once at load, activations and the KV cache in device memory, every op one
 * kernel on one in-order queue. Per forward pass only token ids, positions and cell metadata go in (re-sent only when
 * they change) and only {@link #download} reads back. Weights of a type without a kernel stay on {@code cpu}: their
 * matmul or lookup copies its input down and its output up (one warning per type). Not thread-safe: callers take
 * turns, as {@code Model} does.
 */
public final class ClBackend implements Backend {
    static final int MM_NB = 8, NORM_WG = 64, ATT_WG = 64, ATT_MAX_HEAD_DIM = 512; // as in the .cl sources

    final ClQueue q;
    private final CpuBackend cpu;
    private final Map<String, Weight> weights = new HashMap<>();
    private final List<Long> owned = new ArrayList<>();
    private final Set<GGMLType> warned = EnumSet.noneOf(GGMLType.class);
    private final Map<RopeSpec, Long> ropeFreqs = new HashMap<>();
    private final ClQueue.IntSlot ids, pos, seq, cells, cellPos, cellSeq, rows;
    private int[] cellPosHost = new int[64], cellSeqHost = new int[64];
    /**
     * Matmul and attention with a work-item per output row or head, SIMD within it (CPU devices), instead of a
     * work-group per row or head with coalesced loads (GPUs). -Dshovel.opencl.matmul=rows|groups overrides.
     */
    boolean rowPerItem;
    /** Work-items per matmul row: 32 (one per element of a 32-element unit) or 64 (two units at a time). */
    int mmWg;
    /** Where fallback warnings go (System.err by default). */
    Consumer<String> warn = m -> System.err.println("warning: " + m);

    ClBackend(ClContext ctx, CpuBackend cpu) {
        this.q = new ClQueue(ctx);
        this.cpu = cpu;
        String mm = System.getProperty("shovel.opencl.matmul", ctx.info.type().equals("GPU") ? "groups" : "rows");
        this.rowPerItem = mm.equals("rows");
        this.mmWg = ctx.info.type().equals("GPU") ? 64 : 32;
        ids = q.slot();
        pos = q.slot();
        seq = q.slot();
        cells = q.slot();
        cellPos = q.slot();
        cellSeq = q.slot();
        rows = q.slot();
    }

    public OpenClDevice device() { return q.ctx.info; }

    /** What crossed the bus so far: activation reads and writes, int metadata writes, kernel launches. */
    public record Traffic(long reads, long writes, long intWrites, long launches) {}

    public Traffic traffic() { return new Traffic(q.reads, q.writes, q.intWrites, q.launches); }

    @Override public String name() { return "opencl"; }

    @Override
    public Weight weight(GGUFFile file, TensorInfo t) {
        Weight w = weights.get(t.name());
        if (w == null) {
            w = weight(t.name(), t.type(), Math.toIntExact(t.rows()), Math.toIntExact(t.rowLength()), file.tensorData(t));
            weights.put(t.name(), w);
        }
        return w;
    }

    /**
     * Uploads a [rows][cols] tensor of {@code type} held in {@code data}, or keeps it on the CPU (warning once).
     * {@code data} must stay valid until {@link #close} (a CPU device reads it in place).
     */
    public Weight weight(String name, GGMLType type, int rows, int cols, MemorySegment data) {
        if (!TypeOps.supported(type)) {
            throw new GGUFException("tensor " + name + " has type " + type + ", which Shovel cannot compute yet");
        }
        if (rows == 1) { // norms and biases: F32 on the device
            float[] dense = new float[cols];
            TypeOps.of(type).dequantize(data, 0, dense, 0, cols);
            long mem = q.copyOf(dense);
            owned.add(mem);
            return new ClWeight(name, type, 1, cols, mem, 0, GGMLType.F32);
        }
        long bytes = type.bytesFor((long) rows * cols);
        if (!ClWeight.hasKernel(type) || bytes > device().maxAllocBytes()) {
            if (warned.add(type)) {
                warn.accept(ClWeight.hasKernel(type)
                        ? "tensor " + name + " (" + bytes + " bytes) exceeds the device's largest buffer; it runs on the CPU"
                        : "OpenCL has no " + type + " kernel; tensors of that type (first: " + name + ") run on the CPU");
            }
            return new CpuWeight(name, type, rows, cols, data, TypeOps.of(type), null, null);
        }
        long mem = q.over(data, bytes);
        owned.add(mem);
        return new ClWeight(name, type, rows, cols, mem, 0, type);
    }

    @Override
    public Weight rows(Weight w, int first, int count) {
        if (!(w instanceof ClWeight c)) return cpu.rows(w, first, count);
        if (first < 0 || count <= 0 || first + count > c.rows()) {
            throw new IllegalArgumentException(c.name() + ": rows " + first + "+" + count + " of " + c.rows());
        }
        return new ClWeight(c.name() + "[" + first + ":" + (first + count) + "]", c.type(), count, c.cols(), c.mem(),
                c.offset() + first * c.rowBytes(), c.stored());
    }

    @Override
    public Buf buf(int rows, int cols) {
        return new ClBuf(q.alloc(4L * Math.multiplyExact(rows, cols)), rows, cols);
    }

    @Override
    public KvStore kvStore(int cells, int kDim, int vDim, GGMLType type) {
        if (type != GGMLType.F32 && type != GGMLType.F16) {
            throw new IllegalArgumentException("KV cache type must be f32 or f16, got " + type);
        }
        long k = q.alloc(type.bytesFor((long) cells * kDim)), v = q.alloc(type.bytesFor((long) cells * vDim));
        return new ClKvStore(cells, kDim, vDim, type, k, v);
    }

    private static long mem(Buf b) { return ((ClBuf) b).mem; }

    private static long mem(Weight w) { return ((ClWeight) w).mem(); }

    @Override
    public void getRows(Weight table, int[] ids, int n, Buf out) {
        if (table instanceof CpuWeight) {
            HostBuf h = new HostBuf(n, table.cols());
            cpu.getRows(table, ids, n, h);
            upload(h.data, n, out);
            return;
        }
        ClWeight t = (ClWeight) table;
        for (int i = 0; i < n; i++) {
            if (ids[i] < 0 || ids[i] >= t.rows()) throw new IllegalArgumentException("token id " + ids[i] + " out of range");
        }
        String name = "get_rows_" + t.kernelType();
        long k = q.kernel(name);
        argMem(k, 0, t.mem());
        argLong(k, 1, t.offset());
        argLong(k, 2, t.rowBytes());
        argInt(k, 3, t.cols());
        argMem(k, 4, q.ints(this.ids, ids, n));
        argMem(k, 5, mem(out));
        q.run(k, name, new long[] {t.cols(), n}, null);
    }

    @Override
    public void rmsnorm(Buf x, Weight w, float eps, int dim, Buf out, int n) {
        long k = q.kernel("rmsnorm");
        argMem(k, 0, mem(x));
        argMem(k, 1, w == null ? 0 : mem(w));
        argFloat(k, 2, eps);
        argInt(k, 3, dim);
        argMem(k, 4, mem(out));
        long groups = (long) n * x.cols() / dim;
        q.run(k, "rmsnorm", new long[] {groups * NORM_WG}, new long[] {NORM_WG});
    }

    @Override
    public void layernorm(Buf x, Weight w, Weight b, float eps, Buf out, int n) {
        long k = q.kernel("layernorm");
        argMem(k, 0, mem(x));
        argMem(k, 1, mem(w));
        argMem(k, 2, b == null ? 0 : mem(b));
        argFloat(k, 3, eps);
        argInt(k, 4, x.cols());
        argMem(k, 5, mem(out));
        q.run(k, "layernorm", new long[] {(long) n * NORM_WG}, new long[] {NORM_WG});
    }

    @Override
    public void matmul(Weight w, Buf x, Buf out, int n) {
        if (x.cols() != w.cols() || out.cols() != w.rows()) {
            throw new IllegalArgumentException(w.name() + ": shape mismatch " + x.cols() + " -> " + out.cols());
        }
        if (w instanceof CpuWeight) { // no kernel for its type: this op on the CPU
            HostBuf hx = new HostBuf(n, x.cols()), ho = new HostBuf(n, out.cols());
            download(x, n, hx.data);
            cpu.matmul(w, hx, ho, n);
            upload(ho.data, n, out);
            return;
        }
        ClWeight c = (ClWeight) w;
        String name = (rowPerItem ? "matmul_rows_" : "matmul_") + c.kernelType();
        long k = q.kernel(name);
        argMem(k, 0, c.mem());
        argLong(k, 1, c.offset());
        argLong(k, 2, c.rowBytes());
        argInt(k, 3, c.cols());
        argMem(k, 4, mem(x));
        argInt(k, 5, x.cols());
        argMem(k, 6, mem(out));
        argInt(k, 7, out.cols());
        argInt(k, 8, n);
        if (rowPerItem) q.run(k, name, new long[] {c.rows(), (n + MM_NB - 1) / MM_NB}, rowsLocal(c.rows()));
        else q.run(k, name, new long[] {(long) c.rows() * mmWg, (n + MM_NB - 1) / MM_NB}, new long[] {mmWg, 1});
    }

    /** Work-group of the row-per-item matmul: a few rows, so private accumulators stay small; override for tuning. */
    static final int ROWS_WG = Integer.getInteger("shovel.opencl.rowsWg", 4);

    private static long[] rowsLocal(int rows) {
        int wg = ROWS_WG;
        while (wg > 1 && rows % wg != 0) wg >>= 1;
        return new long[] {wg, 1};
    }

    @Override
    public void addBias(Buf x, Weight bias, int n) {
        long k = q.kernel("add_bias");
        argMem(k, 0, mem(x));
        argMem(k, 1, mem(bias));
        argInt(k, 2, x.cols());
        argInt(k, 3, Math.toIntExact(((ClWeight) bias).offset() / 4)); // a row of a bias table (gpt-oss's experts)
        q.run(k, "add_bias", new long[] {(long) n * x.cols()}, null);
    }

    @Override
    public void rope(Buf x, int nHead, int headDim, RopeSpec spec, int[] pos, int n) {
        long k = q.kernel("rope");
        int half = spec.nRot() / 2;
        argMem(k, 0, mem(x));
        argInt(k, 1, x.cols());
        argInt(k, 2, headDim);
        argInt(k, 3, half);
        argInt(k, 4, spec.neox() ? 1 : 0);
        argMem(k, 5, q.ints(this.pos, pos, n));
        argMem(k, 6, ropeFreqs(spec));
        q.run(k, "rope", new long[] {half, nHead, n}, null);
    }

    private static final float[] NO_SINKS = {0f};
    private final Map<float[], Long> sinkMems = new java.util.IdentityHashMap<>();

    /** A layer's attention sinks on the device, copied once. */
    private long sinks(float[] s) {
        Long m = sinkMems.get(s);
        if (m != null) return m;
        long mem = q.copyOf(s);
        owned.add(mem);
        sinkMems.put(s, mem);
        return mem;
    }

    /** theta_i / pos = posScale * base^(-2i/nRot) / factor_i in double, as two floats (hi, lo) per pair. */
    private long ropeFreqs(RopeSpec spec) {
        Long m = ropeFreqs.get(spec);
        if (m != null) return m;
        int half = spec.nRot() / 2;
        float[] f = new float[2 * half];
        for (int i = 0; i < half; i++) {
            double g = spec.posScale() * Math.pow(spec.base(), -2.0 * i / spec.nRot());
            if (spec.factors() != null) g /= spec.factors()[i];
            f[2 * i] = (float) g;
            f[2 * i + 1] = (float) (g - f[2 * i]);
        }
        long mem = q.copyOf(f);
        owned.add(mem);
        ropeFreqs.put(spec, mem);
        return mem;
    }

    @Override
    public void kvWrite(KvStore store, Buf k, Buf v, int[] cells, int n) {
        ClKvStore kv = (ClKvStore) store;
        String name = kv.type == GGMLType.F16 ? "kv_write_f16" : "kv_write_f32";
        long kr = q.kernel(name);
        argMem(kr, 0, mem(k));
        argMem(kr, 1, mem(v));
        argMem(kr, 2, q.ints(this.cells, cells, n));
        argInt(kr, 3, kv.kDim);
        argInt(kr, 4, kv.vDim);
        argMem(kr, 5, kv.k);
        argMem(kr, 6, kv.v);
        q.run(kr, name, new long[] {Math.max(kv.kDim, kv.vDim), n}, null);
    }

    @Override
    public void attention(Buf qb, KvStore store, KvCells kc, AttnSpec spec, int[] pos, int[] seq, Buf out, int n) {
        ClKvStore kv = (ClKvStore) store;
        if (spec.headDim() > ATT_MAX_HEAD_DIM) {
            throw new OpenClException("OpenCL attention supports head dims up to " + ATT_MAX_HEAD_DIM + ", got " + spec.headDim());
        }
        int used = kc.used();
        if (cellPosHost.length < used) {
            cellPosHost = new int[Math.max(used, 2 * cellPosHost.length)];
            cellSeqHost = new int[cellPosHost.length];
        }
        for (int c = 0; c < used; c++) {
            cellPosHost[c] = kc.cellPos(c);
            cellSeqHost[c] = kc.cellSeq(c);
        }
        String name = (rowPerItem ? "attention_seq_" : "attention_") + (kv.type == GGMLType.F16 ? "f16" : "f32");
        long k = q.kernel(name);
        argMem(k, 0, mem(qb));
        argInt(k, 1, qb.cols());
        argMem(k, 2, kv.k);
        argMem(k, 3, kv.v);
        argInt(k, 4, kv.kDim);
        argInt(k, 5, kv.vDim);
        argMem(k, 6, q.ints(cellPos, cellPosHost, used));
        argMem(k, 7, q.ints(cellSeq, cellSeqHost, used));
        argInt(k, 8, used);
        argMem(k, 9, q.ints(this.pos, pos, n));
        argMem(k, 10, q.ints(this.seq, seq, n));
        argInt(k, 11, spec.nHead());
        argInt(k, 12, spec.nHead() / spec.nHeadKv());
        argInt(k, 13, spec.headDim());
        argFloat(k, 14, spec.scale());
        argInt(k, 15, spec.window());
        argFloat(k, 16, spec.softcap());
        argMem(k, 17, mem(out));
        argInt(k, 18, out.cols());
        argMem(k, 19, spec.sinks() != null ? sinks(spec.sinks()) : sinks(NO_SINKS));
        argInt(k, 20, spec.sinks() != null ? 1 : 0);
        if (rowPerItem) q.run(k, name, new long[] {(long) n * spec.nHead()}, new long[] {1}); // big private arrays
        else q.run(k, name, new long[] {(long) n * spec.nHead() * ATT_WG}, new long[] {ATT_WG});
    }

    @Override
    public void glu(Buf gate, Buf up, boolean gelu, int n) {
        long k = q.kernel("glu");
        argMem(k, 0, mem(gate));
        argMem(k, 1, mem(up));
        argInt(k, 2, gelu ? 1 : 0);
        q.run(k, "glu", new long[] {(long) n * gate.cols()}, null);
    }

    @Override
    public void gelu(Buf x, int n) {
        long k = q.kernel("gelu_inplace");
        argMem(k, 0, mem(x));
        q.run(k, "gelu_inplace", new long[] {(long) n * x.cols()}, null);
    }

    @Override
    public void add(Buf x, Buf y, float scale, int n) {
        long k = q.kernel("add_scaled");
        argMem(k, 0, mem(x));
        argMem(k, 1, mem(y));
        argFloat(k, 2, scale);
        q.run(k, "add_scaled", new long[] {(long) n * x.cols()}, null);
    }

    @Override
    public void scale(Buf x, float scale, int n) {
        long k = q.kernel("scale_inplace");
        argMem(k, 0, mem(x));
        argFloat(k, 1, scale);
        q.run(k, "scale_inplace", new long[] {(long) n * x.cols()}, null);
    }

    @Override
    public void softcap(Buf x, float c, int n) {
        long k = q.kernel("softcap_inplace");
        argMem(k, 0, mem(x));
        argFloat(k, 1, c);
        q.run(k, "softcap_inplace", new long[] {(long) n * x.cols()}, null);
    }

    @Override
    public void gather(Buf src, int[] rows, int n, Buf dst) {
        long k = q.kernel("gather_rows");
        argMem(k, 0, mem(src));
        argMem(k, 1, q.ints(this.rows, rows, n));
        argInt(k, 2, src.cols());
        argMem(k, 3, mem(dst));
        q.run(k, "gather_rows", new long[] {src.cols(), n}, null);
    }

    @Override
    public void download(Buf src, int n, float[] dst) { q.read(mem(src), dst, n * src.cols()); }

    @Override
    public void upload(float[] src, int n, Buf dst) { q.write(src, n * dst.cols(), mem(dst)); }

    @Override
    public void close() {
        q.close();
        for (long m : owned) org.lwjgl.opencl.CL10.clReleaseMemObject(m);
        owned.clear();
        weights.clear();
        ropeFreqs.clear();
    }
}
