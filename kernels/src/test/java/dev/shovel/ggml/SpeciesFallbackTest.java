package dev.shovel.ggml;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The kernels under other vector sizes than this machine's: 256-bit (AVX2, 8 float lanes) and 128-bit (4 lanes,
 * which takes the scalar fallback), each in a child JVM limited with -XX:MaxVectorSize.
 */
class SpeciesFallbackTest {
    @ParameterizedTest
    @CsvSource({"32, 8", "16, 4"})
    void twinChecksPassWithOtherVectorSizes(int maxVectorBytes, int lanes) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = List.of(java, "-XX:MaxVectorSize=" + maxVectorBytes, "--add-modules", "jdk.incubator.vector",
                "-cp", System.getProperty("java.class.path"), TwinCheckMain.class.getName());
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "child JVM timed out");
        String out = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.exitValue(), out);
        assertTrue(out.contains("ok " + lanes), out);
    }
}
