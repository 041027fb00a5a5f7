package dev.shovel.backend.opencl;

import dev.shovel.backend.Weight;
import dev.shovel.gguf.GGMLType;

/**
 * A weight uploaded at load: rows of {@code stored} blocks from byte {@code offset} of {@code mem} (row slices share
 * the buffer). 1-D tensors (norms, biases) are stored as F32 whatever their file type.
 */
record ClWeight(String name, GGMLType type, int rows, int cols, long mem, long offset, GGMLType stored) implements Weight {

    long rowBytes() { return stored.bytesFor(cols); }

    /** Kernel name suffix of the stored type. */
    String kernelType() { return kernelType(stored); }

    /** Types with OpenCL matmul and getRows kernels. */
    static boolean hasKernel(GGMLType t) {
        return switch (t) {
            case F32, F16, BF16, Q8_0, Q4_0, Q4_1, Q5_0, Q5_1, Q4_K, Q5_K, Q6_K -> true;
            default -> false;
        };
    }

    static String kernelType(GGMLType t) { return t.name().toLowerCase(java.util.Locale.ROOT); }
}
