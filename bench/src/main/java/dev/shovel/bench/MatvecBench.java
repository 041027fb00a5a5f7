package dev.shovel.bench;

import dev.shovel.ggml.TypeOps;
import dev.shovel.gguf.GGMLType;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.*;

/**
 * Single-thread matvec (decode step) per weight type: rows x n weights times one activation row. The secondary
 * result {@code gb} is weight bytes streamed per second, in GB/s.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-Xmx2g"})
@State(Scope.Thread)
public class MatvecBench {
    @Param({"F32", "F16", "BF16", "Q8_0", "Q4_0", "Q4_1", "Q5_0", "Q5_1", "Q2_K", "Q3_K", "Q4_K", "Q5_K", "Q6_K", "MXFP4", "IQ4_NL", "IQ4_XS"})
    public String type;

    /** rows x n (n = row length). */
    @Param({"2048x2048", "5632x2048"})
    public String shape;

    private Arena arena;
    private TypeOps ops;
    private MemorySegment w;
    private float[] x, out;
    private int rows, n;
    private double gbPerOp;

    @AuxCounters(AuxCounters.Type.OPERATIONS)
    @State(Scope.Thread)
    public static class Traffic {
        public double gb;
    }

    @Setup
    public void setup() {
        GGMLType t = GGMLType.parse(type);
        String[] s = shape.split("x");
        rows = Integer.parseInt(s[0]);
        n = Integer.parseInt(s[1]);
        arena = Arena.ofShared();
        ops = TypeOps.of(t);
        w = BenchWeights.make(t, rows, n, arena);
        x = BenchWeights.activations(n);
        out = new float[rows];
        gbPerOp = w.byteSize() / 1e9;
    }

    @TearDown
    public void close() { arena.close(); }

    @Benchmark
    public float[] matvec(Traffic traffic) {
        ops.matvec(w, n, x, 0, out, 0, 0, rows);
        traffic.gb += gbPerOp;
        return out;
    }
}
