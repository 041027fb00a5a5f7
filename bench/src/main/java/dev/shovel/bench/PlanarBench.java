package dev.shovel.bench;

import dev.shovel.ggml.Planar;
import dev.shovel.ggml.PlanarMatrix;
import dev.shovel.gguf.GGMLType;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.*;

/**
 * Single-thread matvec and GEMM of the planar layout (Q8_0, Q4_0, MXFP4, IQ4_NL, Q4_K, Q6_K, IQ4_XS here) that the CPU backend repacks these types into at
 * load (compare with {@link MatvecBench} and {@link GemmBench} on the ggml layout). Secondary results as there.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-Xmx2g"})
@State(Scope.Thread)
public class PlanarBench {
    @Param({"Q8_0", "Q4_0", "MXFP4", "IQ4_NL", "Q4_K", "Q6_K", "IQ4_XS"})
    public String type;

    /** rows x n (n = row length). */
    @Param({"2048x2048", "5632x2048"})
    public String shape;

    @Param({"16"})
    public int batch;

    private Arena arena;
    private Planar ops;
    private PlanarMatrix m;
    private float[] x, out;
    private int[] p1, pb;
    private int rows, n;
    private double gbPerOp;

    @AuxCounters(AuxCounters.Type.OPERATIONS)
    @State(Scope.Thread)
    public static class Work {
        public double gflops;
        public double gb;
    }

    @Setup
    public void setup() {
        GGMLType t = GGMLType.parse(type);
        String[] s = shape.split("x");
        rows = Integer.parseInt(s[0]);
        n = Integer.parseInt(s[1]);
        arena = Arena.ofShared();
        ops = Planar.of(t);
        MemorySegment w = BenchWeights.make(t, rows, n, arena);
        m = PlanarMatrix.of(ops, arena.allocate(ops.bytes(rows, n), 64), rows, n);
        ops.pack(w, rows, n, m.data(), 0, rows);
        x = BenchWeights.activations(batch * n);
        p1 = new int[ops.prepSize(1, n)];
        ops.prepare(x, 0, 1, n, p1);
        pb = new int[ops.prepSize(batch, n)];
        ops.prepare(x, 0, batch, n, pb);
        out = new float[batch * rows];
        gbPerOp = m.data().byteSize() / 1e9;
    }

    @TearDown
    public void close() { arena.close(); }

    @Benchmark
    public float[] matvec(Work work) {
        ops.matvec(m, p1, out, 0, 0, rows);
        work.gb += gbPerOp;
        work.gflops += 2.0 * rows * n / 1e9;
        return out;
    }

    @Benchmark
    public float[] gemm(Work work) {
        ops.gemm(m, x, pb, batch, out, rows, 0, rows);
        work.gb += gbPerOp;
        work.gflops += 2.0 * rows * n * batch / 1e9;
        return out;
    }
}
