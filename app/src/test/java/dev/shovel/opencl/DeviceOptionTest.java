package dev.shovel.opencl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shovel.ShovelException;
import dev.shovel.api.Device;
import dev.shovel.api.EmbeddedModel;
import dev.shovel.cli.Main;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Device choice without needing a device: parsing, the {@code devices} listing, one-line failures when OpenCL is
 * missing (in child JVMs with the loader or the platforms hidden), and no OpenCL class loading without the flag.
 */
class DeviceOptionTest {
    static final String HINT = "apt-get install pocl-opencl-icd ocl-icd-libopencl1";

    @Test
    void parsesDevices() {
        assertEquals(Device.CPU, Device.parse("cpu"));
        assertEquals(Device.opencl(), Device.parse("OpenCL"));
        assertEquals(Device.opencl(2), Device.parse("opencl:2"));
        assertEquals("opencl:2", Device.opencl(2).toString());
        for (String bad : new String[] {"cuda", "opencl:", "opencl:-1", "opencl:x"}) {
            ShovelException e = assertThrows(ShovelException.class, () -> Device.parse(bad));
            assertTrue(e.getMessage().contains("cpu, opencl or opencl:N") || e.getMessage().contains(">= 0"), e.getMessage());
        }
    }

    record Run(int code, String out, String err) {}

    static synchronized Run cli(String... args) {
        PrintStream o = System.out, e = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            return new Run(Main.run(args), out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(o);
            System.setErr(e);
        }
    }

    @Test
    void gpuLayersNeedsAnOpenClDevice() {
        Run r = cli("-p", "hi", "-n", "1", "--gpu-layers", "3");
        assertEquals(1, r.code());
        assertEquals("error: --gpu-layers needs --device opencl", r.err().strip());
    }

    @Test
    void devicesListsTheCpuAndOpenClOrWhyNot() {
        Run r = cli("devices");
        assertEquals(0, r.code(), r.err());
        String[] lines = r.out().strip().split("\n");
        assertTrue(lines[0].startsWith("cpu "), r.out());
        assertTrue(lines.length >= 2, r.out());
        assertTrue(lines[1].startsWith("opencl:0 ") || lines[1].startsWith("opencl ") && lines[1].contains(HINT), r.out());
    }

    /** Runs the CLI in a child JVM; returns exit code and stdout + stderr. */
    static Run child(List<String> jvmArgs, java.util.Map<String, String> env, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"));
        cmd.addAll(jvmArgs);
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), "dev.shovel.cli.Main"));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().putAll(env);
        Path out = Files.createTempFile("shovel-child", ".out"), err = Files.createTempFile("shovel-child", ".err");
        pb.redirectOutput(out.toFile()).redirectError(err.toFile());
        try {
            int code = pb.start().waitFor();
            return new Run(code, Files.readString(out), Files.readString(err));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    static String errorLine(Run r) {
        List<String> lines = r.err().lines().filter(l -> !l.startsWith("WARNING: Using incubator")).toList();
        assertEquals(1, lines.size(), "one line: " + r.err());
        return lines.get(0);
    }

    @Test
    void withoutALoaderOpenClFailsWithOneLineSayingHowToInstall() throws Exception {
        String model = EmbeddedModel.path().toString();
        Run r = child(List.of("-Dorg.lwjgl.opencl.libname=libShovelNoSuchOpenCL.so", "-verbose:class"), java.util.Map.of(),
                "-m", model, "-p", "hi", "-n", "1", "--device", "opencl");
        assertEquals(1, r.code(), r.err());
        String line = errorLine(r);
        assertTrue(line.startsWith("error: OpenCL is not available: no OpenCL loader") && line.contains(HINT), line);
        assertTrue(r.out().contains("org.lwjgl."), "control: asking for OpenCL loads LWJGL");
    }

    @Test
    void withoutAPlatformOpenClFailsWithOneLineSayingHowToInstall() throws Exception {
        Run r = child(List.of(), java.util.Map.of("OCL_ICD_VENDORS", "/nonexistent-shovel-icd", "OCL_ICD_FILENAMES", ""),
                "-m", EmbeddedModel.path().toString(), "-p", "hi", "-n", "1", "--device", "opencl");
        assertEquals(1, r.code(), r.err());
        String line = errorLine(r);
        assertTrue(line.startsWith("error: OpenCL is not available: ") && line.contains(HINT), line);
        if (Files.exists(Path.of("/usr/lib/x86_64-linux-gnu/libOpenCL.so.1"))) assertTrue(line.contains("no platform"), line);
    }

    @Test
    void withoutTheFlagNothingOpenClIsLoaded() throws Exception {
        Run r = child(List.of("-verbose:class"), java.util.Map.of(), "-m", EmbeddedModel.path().toString(), "-p", "Once",
                "-n", "3", "--temp", "0", "-t", "1");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("dev.shovel.api.Model "), "control: class loading is logged");
        assertFalse(r.out().contains("org.lwjgl"), "LWJGL was loaded");
        assertFalse(r.out().contains("dev.shovel.backend.opencl"), "the OpenCL backend was loaded");
    }
}
