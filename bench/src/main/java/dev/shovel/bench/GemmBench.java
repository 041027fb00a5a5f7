package dev.shovel.bench;

import dev.shovel.ggml.TypeOps;
import dev.shovel.gguf.GGMLType;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.*;

/**
 * Single-thread GEMM tile (prefill) per weight type: a 2048x2048 weight times a batch of activation rows. Secondary
 * results: {@code gflops} (2 * rows * n * batch per op) and {@code gb} (weight GB/s).
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-Xmx2g"})
@State(Scope.Thread)
public class GemmBench {
    @Param({"F32", "F16", "BF16", "Q8_0", "Q4_0", "Q4_1", "Q5_0", "Q5_1", "Q2_K", "Q3_K", "Q4_K", "Q5_K", "Q6_K", "MXFP4", "IQ4_NL", "IQ4_XS"})
    public String type;

    @Param({"16"})
    public int batch;

    static final int ROWS = 2048, N = 2048;

    private Arena arena;
    private TypeOps ops;
    private MemorySegment w;
    private float[] x, out;

    @AuxCounters(AuxCounters.Type.OPERATIONS)
    @State(Scope.Thread)
    public static class Work {
        public double gflops;
        public double gb;
    }

    @Setup
    public void setup() {
        GGMLType t = GGMLType.parse(type);
        arena = Arena.ofShared();
        ops = TypeOps.of(t);
        w = BenchWeights.make(t, ROWS, N, arena);
        x = BenchWeights.activations(batch * N);
        out = new float[batch * ROWS];
    }

    @TearDown
    public void close() { arena.close(); }

    @Benchmark
    public float[] gemm(Work work) {
        ops.gemm(w, N, x, batch, out, ROWS, 0, ROWS);
        work.gflops += 2.0 * ROWS * N * batch / 1e9;
        work.gb += w.byteSize() / 1e9;
        return out;
    }
}
