package dev.shovel.bench;

import dev.shovel.backend.AttnSpec;
import dev.shovel.backend.Buf;
import dev.shovel.backend.CpuBackend;
import dev.shovel.backend.CpuWeight;
import dev.shovel.backend.HostBuf;
import dev.shovel.backend.KvCells;
import dev.shovel.backend.KvStore;
import dev.shovel.backend.RopeSpec;
import dev.shovel.backend.WorkerPool;
import dev.shovel.gen.Sampler;
import dev.shovel.gen.SamplerParams;
import dev.shovel.ggml.TypeOps;
import dev.shovel.gguf.GGMLType;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.*;

/**
 * The non-matmul ops of a forward pass at the TinyLlama-1.1B shape (dim 2048, 32 heads of 64, 4 KV heads), one
 * thread, on {@code batch} rows: rmsnorm, rope, attention over {@code ctx} cached positions (scores, softmax,
 * weighted values; F16 cache), and sampling from 32000 logits (softmax, top-k, top-p). Scores are operations/s.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-Xmx2g"})
@State(Scope.Thread)
public class OpsBench {
    static final int DIM = 2048, HEADS = 32, KV_HEADS = 4, HEAD = 64, VOCAB = 32000;

    @Param({"1", "64"})
    public int batch;

    @Param({"512"})
    public int ctx;

    private WorkerPool pool;
    private CpuBackend cpu;
    private Buf x, out, q, k, v, att;
    private CpuWeight norm;
    private KvStore kv;
    private KvCells cells;
    private int[] pos, seq;
    private RopeSpec rope;
    private AttnSpec attn;
    private Sampler sampler;
    private float[] logits;
    private final int[] history = new int[64];

    @Setup
    public void setup() {
        pool = new WorkerPool(1);
        cpu = new CpuBackend(pool);
        float[] r = BenchWeights.activations(batch * DIM);
        x = buf(batch, DIM, r);
        out = cpu.buf(batch, DIM);
        q = buf(batch, DIM, r);
        float[] w = BenchWeights.activations(DIM);
        norm = new CpuWeight("norm", GGMLType.F32, 1, DIM, MemorySegment.ofArray(w), TypeOps.of(GGMLType.F32), w, null);
        rope = new RopeSpec(HEAD, 10000f, false, 1f, null);
        attn = new AttnSpec(HEADS, KV_HEADS, HEAD, 0.125f, 0, 0);
        int cellCount = ctx + batch;
        kv = cpu.kvStore(cellCount, KV_HEADS * HEAD, KV_HEADS * HEAD, GGMLType.F16);
        k = buf(cellCount, KV_HEADS * HEAD, BenchWeights.activations(cellCount * KV_HEADS * HEAD));
        v = buf(cellCount, KV_HEADS * HEAD, BenchWeights.activations(cellCount * KV_HEADS * HEAD));
        int[] all = new int[cellCount];
        for (int i = 0; i < cellCount; i++) all[i] = i;
        cpu.kvWrite(kv, k, v, all, cellCount);
        cells = new KvCells() {
            @Override public int used() { return cellCount; }
            @Override public int cellPos(int cell) { return cell; }
            @Override public int cellSeq(int cell) { return 0; }
            @Override public int cellAt(int seq, int pos) { return seq == 0 && pos < cellCount ? pos : -1; }
        };
        pos = new int[batch];
        seq = new int[batch];
        for (int i = 0; i < batch; i++) pos[i] = ctx + i;
        att = cpu.buf(batch, DIM);
        sampler = new Sampler(SamplerParams.DEFAULT.withSeed(1), VOCAB);
        logits = BenchWeights.activations(VOCAB);
    }

    private Buf buf(int rows, int cols, float[] src) {
        HostBuf b = (HostBuf) cpu.buf(rows, cols);
        System.arraycopy(src, 0, b.data, 0, b.data.length);
        return b;
    }

    @TearDown
    public void close() {
        kv.close();
        pool.close();
    }

    @Benchmark
    public Buf rmsnorm() {
        cpu.rmsnorm(x, norm, 1e-5f, DIM, out, batch);
        return out;
    }

    @Benchmark
    public Buf rope() {
        cpu.rope(q, HEADS, HEAD, rope, pos, batch);
        return q;
    }

    @Benchmark
    public Buf attention() {
        cpu.attention(q, kv, cells, attn, pos, seq, att, batch);
        return att;
    }

    @Benchmark
    public int sample() { return sampler.sample(logits, 0, history, 0); }
}
