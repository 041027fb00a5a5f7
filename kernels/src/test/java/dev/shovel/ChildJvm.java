package dev.shovel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs a test's main class in a child JVM limited to {@code maxVectorBytes} vectors; asserts it printed "ok LANES". */
public final class ChildJvm {
    private ChildJvm() {}

    public static void assertOkWithVectors(Class<?> main, int maxVectorBytes, int lanes) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = List.of(java, "-XX:MaxVectorSize=" + maxVectorBytes, "--add-modules", "jdk.incubator.vector",
                "-cp", System.getProperty("java.class.path"), main.getName());
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "child JVM timed out");
        String out = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.exitValue(), out);
        assertTrue(out.contains("ok " + lanes), out);
    }
}
