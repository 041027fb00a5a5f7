package dev.shovel.opencl;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.shovel.backend.opencl.OpenCL;
import dev.shovel.backend.opencl.OpenClUnavailableException;

/** Skips a test visibly without an OpenCL platform, or fails it when {@code SHOVEL_REQUIRE_OPENCL=1} (CI). */
final class OpenClAssume {
    private OpenClAssume() {}

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
}
