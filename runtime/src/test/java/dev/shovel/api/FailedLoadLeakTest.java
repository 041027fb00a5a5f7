package dev.shovel.api;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.shovel.ShovelException;
import dev.shovel.model.HostileFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** A model that fails to load leaves no mapped file, worker thread or temporary file behind. */
class FailedLoadLeakTest {

    @Test
    void nothingStaysBehind() throws Exception {
        assumeTrue(Files.isReadable(Path.of("/proc/self/maps")), "needs Linux's /proc/self/maps");
        Path dir = HostileFiles.dir().toAbsolutePath().normalize();
        Set<String> tmpBefore = tmpFiles();
        // failing in the reader, in the configuration, in the tokenizer and in the weights (after the worker pool and
        // the first layers' weights exist), and after a successful load and close
        for (String name : List.of("truncated-data", "block-count-more", "scores-short", "tensor-shape-wrong", "tensor-missing", "base")) {
            Path file = dir.resolve(name + ".gguf");
            ModelOptions o = ModelOptions.defaults().withThreads(2).withCtxSize(32);
            long before = workers(-1);
            if (name.equals("base")) {
                Model.load(file, o).close();
            } else {
                assertThrows(ShovelException.class, () -> Model.load(file, o), name);
            }
            assertFalse(Files.readString(Path.of("/proc/self/maps")).contains(file.toString()), name + " is still mapped");
            assertEquals(before, workers(before), name + " left worker threads");
        }
        assertEquals(tmpBefore, tmpFiles(), "temporary files");
    }

    /** Live worker threads of all pools, waited for to come down to {@code expected} (closed pools' threads end soon). */
    private static long workers(long expected) throws InterruptedException {
        long n = 0;
        for (int i = 0; i < 100; i++) {
            n = Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().startsWith("shovel-worker-") && t.isAlive()).count();
            if (n == expected || expected < 0) return n;
            Thread.sleep(10);
        }
        return n;
    }

    private static Set<String> tmpFiles() throws Exception {
        try (Stream<Path> s = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
            return s.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("shovel")).collect(Collectors.toSet());
        }
    }
}
