package dev.shovel.backend.opencl;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.shovel.backend.CpuBackend;
import dev.shovel.backend.WorkerPool;

/**
 * One OpenCL backend per test JVM (kernels compile once). Without a platform the tests are skipped with the reason,
 * or fail when {@code SHOVEL_REQUIRE_OPENCL=1} (CI installs PoCL and sets it).
 */
final class OpenClTestSupport {
    private OpenClTestSupport() {}

    static final CpuBackend CPU = new CpuBackend(new WorkerPool(2));
    private static ClBackend backend;

    private static boolean told;

    static synchronized void requireOpenCl() {
        try {
            OpenCL.devices();
        } catch (OpenClUnavailableException e) {
            if ("1".equals(System.getenv("SHOVEL_REQUIRE_OPENCL"))) fail("SHOVEL_REQUIRE_OPENCL=1 but " + e.getMessage());
            if (!told) System.err.println("OpenCL tests skipped: " + e.getMessage());
            told = true;
            assumeTrue(false, "OpenCL tests skipped: " + e.getMessage());
        }
    }

    static synchronized ClBackend backend() {
        requireOpenCl();
        if (backend == null) backend = (ClBackend) OpenCL.open(-1, CPU);
        return backend;
    }
}
