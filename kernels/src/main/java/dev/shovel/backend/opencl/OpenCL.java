package dev.shovel.backend.opencl;

import static org.lwjgl.opencl.CL10.*;

import dev.shovel.backend.Backend;
import dev.shovel.backend.CpuBackend;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.IntBuffer;
import java.nio.LongBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.lwjgl.PointerBuffer;
import org.lwjgl.opencl.CL;
import org.lwjgl.system.Configuration;
import org.lwjgl.system.MemoryStack;
import org.lwjgl.system.MemoryUtil;

/**
 * Entry point of the OpenCL backend: loads the OpenCL loader through LWJGL on first use (nothing here runs, and no
 * LWJGL class loads, unless a caller asks for OpenCL), lists the devices of every platform and opens a backend.
 */
public final class OpenCL {
    private OpenCL() {}

    public static final String INSTALL_HINT = "install one with: apt-get install pocl-opencl-icd ocl-icd-libopencl1";

    record Handle(long platform, long device) {}

    private static List<OpenClDevice> devices;
    private static List<Handle> handles;
    private static OpenClUnavailableException failure;

    /** Every device of every platform, in the loader's order; fails with a one-line message when there is none. */
    public static synchronized List<OpenClDevice> devices() {
        if (devices == null && failure == null) {
            try {
                discover();
            } catch (OpenClUnavailableException e) {
                failure = e;
            }
        }
        if (failure != null) throw new OpenClUnavailableException(failure.getMessage(), failure);
        return devices;
    }

    /** One line per device for {@code shovel devices}, or one line saying why there is none. */
    public static List<String> describeDevices() {
        List<String> lines = new ArrayList<>();
        try {
            int def = defaultIndex();
            for (OpenClDevice d : devices()) lines.add(d.describe() + (d.index() == def ? "  [default for --device opencl]" : ""));
        } catch (OpenClUnavailableException e) {
            lines.add(String.format("%-9s %s", "opencl", e.getMessage()));
        }
        return lines;
    }

    /** The device {@code --device opencl} picks: the first GPU, else the first device. */
    public static int defaultIndex() {
        for (OpenClDevice d : devices()) if (d.type().equals("GPU")) return d.index();
        return 0;
    }

    /**
     * A backend on device {@code index} ({@code < 0}: {@link #defaultIndex()}); tensors of a type without an OpenCL
     * kernel run on {@code cpu}.
     */
    public static Backend open(int index, CpuBackend cpu) {
        return new ClBackend(context(index), cpu);
    }

    static ClContext context(int index) {
        List<OpenClDevice> all = devices();
        int i = index < 0 ? defaultIndex() : index;
        if (i >= all.size()) {
            throw new OpenClUnavailableException("no OpenCL device opencl:" + i + "; there " + (all.size() == 1 ? "is 1 device" : "are " + all.size() + " devices") + " (see 'shovel devices')");
        }
        Handle h;
        synchronized (OpenCL.class) { h = handles.get(i); }
        return ClContext.of(all.get(i), h.platform(), h.device());
    }

    private static void discover() {
        loadLibrary();
        List<OpenClDevice> found = new ArrayList<>();
        List<Handle> hs = new ArrayList<>();
        try (MemoryStack s = MemoryStack.stackPush()) {
            IntBuffer n = s.mallocInt(1);
            int err = clGetPlatformIDs(null, n);
            if (err == -1001 || err == 0 && n.get(0) == 0) {
                throw new OpenClUnavailableException("OpenCL is not available: the OpenCL loader found no platform (no ICD installed); " + INSTALL_HINT);
            }
            ClErrors.check(err, "clGetPlatformIDs");
            PointerBuffer platforms = s.mallocPointer(n.get(0));
            ClErrors.check(clGetPlatformIDs(platforms, (IntBuffer) null), "clGetPlatformIDs");
            for (int p = 0; p < platforms.capacity(); p++) {
                long platform = platforms.get(p);
                String pname = platformString(platform, CL_PLATFORM_NAME);
                IntBuffer nd = s.mallocInt(1);
                if (clGetDeviceIDs(platform, CL_DEVICE_TYPE_ALL, null, nd) != 0 || nd.get(0) == 0) continue;
                PointerBuffer ids = s.mallocPointer(nd.get(0));
                ClErrors.check(clGetDeviceIDs(platform, CL_DEVICE_TYPE_ALL, ids, (IntBuffer) null), "clGetDeviceIDs");
                for (int d = 0; d < ids.capacity(); d++) {
                    long dev = ids.get(d);
                    found.add(new OpenClDevice(found.size(), pname, deviceString(dev, CL_DEVICE_NAME).trim(), type(dev),
                            deviceInt(dev, CL_DEVICE_MAX_COMPUTE_UNITS), deviceLong(dev, CL_DEVICE_GLOBAL_MEM_SIZE),
                            deviceLong(dev, CL_DEVICE_MAX_MEM_ALLOC_SIZE), deviceString(dev, CL_DEVICE_VERSION).trim()));
                    hs.add(new Handle(platform, dev));
                }
            }
        }
        if (found.isEmpty()) {
            throw new OpenClUnavailableException("OpenCL is not available: no OpenCL device found on any platform; " + INSTALL_HINT);
        }
        devices = List.copyOf(found);
        handles = List.copyOf(hs);
    }

    /** Loads libOpenCL through LWJGL with its FFM memory backend; the runtime package ships only libOpenCL.so.1. */
    private static void loadLibrary() {
        String lib = System.getProperty("org.lwjgl.opencl.libname", "libOpenCL.so.1");
        try {
            Configuration.MEMORY_BACKEND.set("ffm");
            if (System.getProperty("org.lwjgl.util.Debug") == null && System.getProperty("org.lwjgl.util.DebugStream") == null) {
                // LWJGL prints advice on a failed load; our one-line message replaces it
                Configuration.DEBUG_STREAM.set((Supplier<PrintStream>) () -> new PrintStream(OutputStream.nullOutputStream()));
            }
            Configuration.OPENCL_EXPLICIT_INIT.set(true);
            String user = System.getProperty("org.lwjgl.opencl.libname");
            if (user != null) {
                CL.create(user);
                return;
            }
            try {
                CL.create("libOpenCL.so.1");
            } catch (Throwable first) {
                CL.create();
            }
        } catch (IllegalStateException e) {
            if (!String.valueOf(e.getMessage()).contains("already been created")) throw unavailable(lib, e);
        } catch (Throwable e) {
            throw unavailable(lib, e);
        }
    }

    private static OpenClUnavailableException unavailable(String lib, Throwable e) {
        return new OpenClUnavailableException("OpenCL is not available: no OpenCL loader (" + lib + ") could be loaded; " + INSTALL_HINT, e);
    }

    private static String type(long dev) {
        long t = deviceLong(dev, CL_DEVICE_TYPE);
        if ((t & CL_DEVICE_TYPE_GPU) != 0) return "GPU";
        if ((t & CL_DEVICE_TYPE_CPU) != 0) return "CPU";
        if ((t & CL_DEVICE_TYPE_ACCELERATOR) != 0) return "ACCELERATOR";
        return "OTHER";
    }

    private static String platformString(long platform, int param) {
        try (MemoryStack s = MemoryStack.stackPush()) {
            PointerBuffer size = s.mallocPointer(1);
            ClErrors.check(clGetPlatformInfo(platform, param, (ByteBuffer) null, size), "clGetPlatformInfo");
            ByteBuffer b = MemoryUtil.memAlloc((int) size.get(0));
            try {
                ClErrors.check(clGetPlatformInfo(platform, param, b, null), "clGetPlatformInfo");
                return MemoryUtil.memUTF8(b, Math.max(0, (int) size.get(0) - 1));
            } finally {
                MemoryUtil.memFree(b);
            }
        }
    }

    static String deviceString(long dev, int param) {
        try (MemoryStack s = MemoryStack.stackPush()) {
            PointerBuffer size = s.mallocPointer(1);
            ClErrors.check(clGetDeviceInfo(dev, param, (ByteBuffer) null, size), "clGetDeviceInfo");
            ByteBuffer b = MemoryUtil.memAlloc((int) size.get(0));
            try {
                ClErrors.check(clGetDeviceInfo(dev, param, b, null), "clGetDeviceInfo");
                return MemoryUtil.memUTF8(b, Math.max(0, (int) size.get(0) - 1));
            } finally {
                MemoryUtil.memFree(b);
            }
        }
    }

    static int deviceInt(long dev, int param) {
        try (MemoryStack s = MemoryStack.stackPush()) {
            IntBuffer v = s.mallocInt(1);
            ClErrors.check(clGetDeviceInfo(dev, param, v, null), "clGetDeviceInfo");
            return v.get(0);
        }
    }

    static long deviceLong(long dev, int param) {
        try (MemoryStack s = MemoryStack.stackPush()) {
            LongBuffer v = s.mallocLong(1);
            ClErrors.check(clGetDeviceInfo(dev, param, v, null), "clGetDeviceInfo");
            return v.get(0);
        }
    }
}
