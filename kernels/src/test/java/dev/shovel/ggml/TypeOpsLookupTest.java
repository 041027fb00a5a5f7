package dev.shovel.ggml;

import static org.junit.jupiter.api.Assertions.*;

import dev.shovel.gguf.GGMLType;
import dev.shovel.gguf.GGUFException;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

class TypeOpsLookupTest {
    @Test
    void everyTypeWithKernelsIsRegisteredAndOthersAreRefusedByName() {
        for (GGMLType t : List.of(GGMLType.F32, GGMLType.F16, GGMLType.BF16, GGMLType.Q8_0, GGMLType.Q4_0, GGMLType.Q4_1,
                GGMLType.Q5_0, GGMLType.Q5_1, GGMLType.Q2_K, GGMLType.Q3_K, GGMLType.Q4_K, GGMLType.Q5_K, GGMLType.Q6_K,
                GGMLType.IQ4_NL, GGMLType.IQ4_XS, GGMLType.MXFP4)) {
            assertTrue(TypeOps.supported(t), t.toString());
            assertEquals(t, TypeOps.of(t).type());
        }
        assertFalse(TypeOps.supported(GGMLType.IQ2_XXS));
        GGUFException e = assertThrows(GGUFException.class, () -> TypeOps.of(GGMLType.IQ2_XXS));
        assertTrue(e.getMessage().contains("IQ2_XXS"), e.getMessage());
        assertFalse(e.getMessage().contains("\n"));
    }

    @Test
    void concurrentMatvecAndGemmGiveTheSameBitsAsOneThread() throws Exception {
        Random r = new Random(11);
        int n = 512, rows = 64, nb = 6;
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            for (GGMLType t : List.of(GGMLType.Q4_K, GGMLType.Q6_K, GGMLType.Q8_0, GGMLType.F16, GGMLType.IQ4_NL, GGMLType.IQ4_XS, GGMLType.MXFP4)) {
                TypeOps ops = TypeOps.of(t);
                MemorySegment w = TestData.quantized(ops, TestData.gaussian(r, rows * n, 1), rows, n);
                float[] x = TestData.gaussian(r, nb * n, 1);
                float[] want = new float[nb * rows], wantMv = new float[rows];
                ops.gemm(w, n, x, nb, want, rows, 0, rows);
                ops.matvec(w, n, x, 0, wantMv, 0, 0, rows);
                for (int rep = 0; rep < 3; rep++) {
                    float[] got = new float[nb * rows];
                    float[] mv = new float[rows];
                    List<Future<?>> fs = new ArrayList<>();
                    for (int part = 0; part < 4; part++) {
                        int r0 = part * 16 + rep, r1 = Math.min(rows, r0 + 16 + (part == 3 ? 16 : 0));
                        int a = part == 0 ? 0 : r0;
                        fs.add(pool.submit(() -> ops.gemm(w, n, x, nb, got, rows, a, r1)));
                        fs.add(pool.submit(() -> ops.matvec(w, n, x, 0, mv, 0, a, r1)));
                    }
                    for (Future<?> f : fs) f.get();
                    assertArrayEquals(want, got, t + ": gemm split across threads changed results");
                    assertArrayEquals(wantMv, mv, t + ": matvec split across threads changed results");
                }
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
