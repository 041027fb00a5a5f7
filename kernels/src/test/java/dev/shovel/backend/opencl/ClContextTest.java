package dev.shovel.backend.opencl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Device listing, one program per device, and the compiler log in build errors. */
class ClContextTest {
    @BeforeAll
    static void setUp() { OpenClTestSupport.requireOpenCl(); }

    @Test
    void listsDevicesWithIndexesInOrder() {
        List<OpenClDevice> ds = OpenCL.devices();
        assertFalse(ds.isEmpty());
        for (int i = 0; i < ds.size(); i++) {
            OpenClDevice d = ds.get(i);
            assertTrue(d.index() == i && !d.name().isEmpty() && d.computeUnits() > 0 && d.globalMemBytes() > 0, d.toString());
            assertTrue(d.describe().startsWith("opencl:" + i + " "), d.describe());
        }
        assertTrue(OpenCL.defaultIndex() < ds.size());
    }

    @Test
    void programIsBuiltOncePerDevice() {
        ClContext a = OpenCL.context(-1);
        int builds = ClContext.builds;
        ClBackend b1 = (ClBackend) OpenCL.open(-1, OpenClTestSupport.CPU), b2 = (ClBackend) OpenCL.open(-1, OpenClTestSupport.CPU);
        try {
            assertSame(a, b1.q.ctx);
            assertSame(a, b2.q.ctx);
            assertSame(a, OpenCL.context(OpenCL.defaultIndex()));
            assertEquals(builds, ClContext.builds, "no program built for a second backend");
        } finally {
            b1.close();
            b2.close();
        }
    }

    @Test
    void buildErrorCarriesTheCompilerLog() {
        ClContext c = OpenCL.context(-1);
        OpenClException e = assertThrows(OpenClException.class,
                () -> ClContext.build(c, "__kernel void broken(__global float* x) { x[0] = undeclared_name; }"));
        assertTrue(e.getMessage().contains("failed to build"), e.getMessage());
        assertTrue(e.getMessage().contains("undeclared_name"), "log missing: " + e.getMessage());
    }

    @Test
    void unknownDeviceIndexIsOneLine() {
        OpenClUnavailableException e = assertThrows(OpenClUnavailableException.class, () -> OpenCL.context(99));
        assertTrue(e.getMessage().startsWith("no OpenCL device opencl:99") && !e.getMessage().contains("\n"), e.getMessage());
    }
}
