package dev.shovel.backend.opencl;

import static org.lwjgl.opencl.CL10.*;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.IntBuffer;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import org.lwjgl.PointerBuffer;
import org.lwjgl.system.MemoryStack;
import org.lwjgl.system.MemoryUtil;

/**
 * One device's context and built program, shared by every backend on it for the life of the process: the kernels
 * are compiled once per device. Backends create their own queue and kernel objects from it.
 */
final class ClContext {
    static final String[] SOURCES = {"matmul.cl", "ops.cl"};

    private static final Map<Long, ClContext> BY_DEVICE = new HashMap<>();

    final OpenClDevice info;
    final long platform, device, context, program;

    private ClContext(OpenClDevice info, long platform, long device) {
        this.info = info;
        this.platform = platform;
        this.device = device;
        try (MemoryStack s = MemoryStack.stackPush()) {
            IntBuffer err = s.mallocInt(1);
            PointerBuffer props = s.mallocPointer(3).put(CL_CONTEXT_PLATFORM).put(platform).put(0).flip();
            this.context = clCreateContext(props, device, null, 0, err);
            ClErrors.check(err.get(0), "clCreateContext on " + info.name());
        }
        this.program = build(this, source());
    }

    /** The context of a device, built on first use. */
    static synchronized ClContext of(OpenClDevice info, long platform, long device) {
        ClContext c = BY_DEVICE.get(device);
        if (c == null) {
            c = new ClContext(info, platform, device);
            BY_DEVICE.put(device, c);
        }
        return c;
    }

    /** Number of programs built in this process (one per device unless a test builds its own). */
    static int builds;

    /** Compiles {@code src} for the context's device; a failure carries the compiler log. */
    static long build(ClContext c, String src) {
        try (MemoryStack s = MemoryStack.stackPush()) {
            IntBuffer err = s.mallocInt(1);
            long p = clCreateProgramWithSource(c.context, src, err);
            ClErrors.check(err.get(0), "clCreateProgramWithSource");
            int rc = clBuildProgram(p, c.device, "", null, 0);
            synchronized (ClContext.class) { builds++; }
            if (rc != CL_SUCCESS) {
                String log = buildLog(p, c.device);
                clReleaseProgram(p);
                throw new OpenClException("OpenCL kernels failed to build on " + c.info.name() + " (" + ClErrors.name(rc)
                        + "); compiler log:\n" + log.strip());
            }
            return p;
        }
    }

    private static String buildLog(long program, long device) {
        try (MemoryStack s = MemoryStack.stackPush()) {
            PointerBuffer size = s.mallocPointer(1);
            if (clGetProgramBuildInfo(program, device, CL_PROGRAM_BUILD_LOG, (ByteBuffer) null, size) != 0) return "(no log)";
            ByteBuffer b = MemoryUtil.memAlloc((int) Math.max(1, size.get(0)));
            try {
                clGetProgramBuildInfo(program, device, CL_PROGRAM_BUILD_LOG, b, null);
                return MemoryUtil.memUTF8(b, Math.max(0, (int) size.get(0) - 1));
            } finally {
                MemoryUtil.memFree(b);
            }
        }
    }

    static String source() {
        StringBuilder sb = new StringBuilder();
        for (String name : SOURCES) {
            try (InputStream in = ClContext.class.getResourceAsStream(name)) {
                if (in == null) throw new OpenClException("OpenCL kernel source " + name + " is missing from the jar");
                sb.append(new String(in.readAllBytes(), StandardCharsets.UTF_8)).append('\n');
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return sb.toString();
    }
}
