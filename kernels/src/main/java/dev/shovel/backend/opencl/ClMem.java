package dev.shovel.backend.opencl;

import static org.lwjgl.opencl.CL10.clReleaseMemObject;

import java.lang.ref.Cleaner;

/** Releases device buffers that are closed explicitly or become unreachable (OpenCL frees them once idle). */
final class ClMem {
    private ClMem() {}

    static final Cleaner CLEANER = Cleaner.create();

    /** A release action for {@code mem}, run at most once. */
    static Cleaner.Cleanable track(Object owner, long mem) {
        return CLEANER.register(owner, () -> clReleaseMemObject(mem));
    }
}
