package dev.shovel.backend.opencl;

/**
 * One OpenCL device as {@code shovel devices} lists it; {@code index} counts devices across all platforms in the
 * loader's order and is the N of {@code --device opencl:N}.
 */
public record OpenClDevice(int index, String platform, String name, String type, int computeUnits, long globalMemBytes,
                           long maxAllocBytes, String version) {

    /** One line: index, platform, device, type, compute units, memory, OpenCL version. */
    public String describe() {
        return String.format("opencl:%d  %s / %s (%s, %d compute units, %.1f GiB, %s)", index, platform, name, type,
                computeUnits, globalMemBytes / (double) (1L << 30), version);
    }
}
