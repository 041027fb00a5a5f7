package dev.shovel.gguf;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A tensor that lies past the 4 GiB mark, in a file that stays sparse on disk. */
class GGUFSparseTest {
    @TempDir Path dir;

    @Test
    void tensorPastFourGiBReadsBack() throws Exception {
        long rows = 4097, n = 1L << 20; // 4 GiB + 1 MiB of I8
        long bigBytes = rows * n;
        float[] tail = new float[64];
        for (int i = 0; i < tail.length; i++) tail[i] = i * 0.5f - 3;
        Path p = dir.resolve("big.gguf");
        new GGUFWriter()
                .putString("general.architecture", "llama")
                .addTensor("big", GGMLType.I8, new long[] {n, rows}, seg -> {
                    // touch only a few bytes; the rest stays a hole of zeros
                    seg.set(ValueLayout.JAVA_BYTE, 0, (byte) 11);
                    seg.set(ValueLayout.JAVA_BYTE, seg.byteSize() - 1, (byte) 22);
                })
                .addF32("tail", new long[] {tail.length}, tail)
                .write(p);

        assertTrue(Files.size(p) > bigBytes);
        long allocated = allocatedBytes(p);
        if (allocated >= 0) assertTrue(allocated < 64L << 20, "file is not sparse: " + allocated + " bytes allocated");

        try (GGUFFile g = GGUFFile.open(p)) {
            TensorInfo big = g.tensor("big");
            assertEquals(bigBytes, big.bytes());
            assertEquals(rows, big.rows());
            MemorySegment b = g.tensorData(big);
            assertEquals(11, b.get(ValueLayout.JAVA_BYTE, 0));
            assertEquals(0, b.get(ValueLayout.JAVA_BYTE, 1L << 32)); // in the hole
            assertEquals(22, b.get(ValueLayout.JAVA_BYTE, bigBytes - 1));
            TensorInfo t = g.tensor("tail");
            assertTrue(g.dataOffset() + t.offset() > 1L << 32, "tail should lie past 4 GiB");
            assertEquals(0, t.offset() % g.alignment());
            MemorySegment d = g.tensorData(t);
            for (int i = 0; i < tail.length; i++) assertEquals(tail[i], d.getAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED, i));
        }
    }

    /** Blocks allocated on disk (via stat), or -1 where stat is unavailable. */
    static long allocatedBytes(Path p) throws IOException, InterruptedException {
        try {
            Process pr = new ProcessBuilder("stat", "-c", "%b %B", p.toString()).redirectErrorStream(true).start();
            String out = new String(pr.getInputStream().readAllBytes()).trim();
            if (pr.waitFor() != 0) return -1;
            String[] f = out.split("\\s+");
            return Long.parseLong(f[0]) * Long.parseLong(f[1]);
        } catch (IOException | NumberFormatException e) {
            Assumptions.abort("stat not available: " + e.getMessage());
            return -1;
        }
    }
}
