package dev.shovel.backend.opencl;

import static org.lwjgl.opencl.CL10.*;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.IntBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.lwjgl.PointerBuffer;
import org.lwjgl.system.MemoryStack;

/**
 * One in-order command queue with its kernel objects. Kernels and small uploads are enqueued without waiting; only
 * {@link #read} (and {@link #write} of activations) block, so a forward pass waits once, for its output.
 */
final class ClQueue implements AutoCloseable {
    final ClContext ctx;
    final long queue;
    private final Map<String, Long> kernels = new HashMap<>();
    private final List<IntSlot> slots = new ArrayList<>();
    private MemorySegment staging = MemorySegment.NULL;
    /** Transfers and kernel launches so far: activation reads and writes, int metadata writes, kernels. */
    long reads, writes, intWrites, launches;

    ClQueue(ClContext ctx) {
        this.ctx = ctx;
        try (MemoryStack s = MemoryStack.stackPush()) {
            IntBuffer err = s.mallocInt(1);
            this.queue = clCreateCommandQueue(ctx.context, ctx.device, 0, err);
            ClErrors.check(err.get(0), "clCreateCommandQueue");
        }
    }

    long kernel(String name) {
        Long k = kernels.get(name);
        if (k != null) return k;
        try (MemoryStack s = MemoryStack.stackPush()) {
            IntBuffer err = s.mallocInt(1);
            long h = clCreateKernel(ctx.program, name, err);
            ClErrors.check(err.get(0), "clCreateKernel(" + name + ")");
            kernels.put(name, h);
            return h;
        }
    }

    /** A device buffer of {@code bytes} (at least 4). */
    long alloc(long bytes) {
        try (MemoryStack s = MemoryStack.stackPush()) {
            IntBuffer err = s.mallocInt(1);
            long m = clCreateBuffer(ctx.context, CL_MEM_READ_WRITE, Math.max(4, bytes), err);
            ClErrors.check(err.get(0), "clCreateBuffer(" + bytes + " bytes)");
            return m;
        }
    }

    /** A read-only device buffer holding a copy of {@code bytes} of host memory. */
    long copyOf(MemorySegment src, long bytes) { return readOnly(src, bytes, CL_MEM_COPY_HOST_PTR); }

    /**
     * A read-only device buffer over {@code bytes} of host memory that outlives it (the mapped model file): a CPU
     * device reads it in place instead of keeping a second copy; other devices copy it.
     */
    long over(MemorySegment src, long bytes) {
        return readOnly(src, bytes, ctx.info.type().equals("CPU") ? CL_MEM_USE_HOST_PTR : CL_MEM_COPY_HOST_PTR);
    }

    private long readOnly(MemorySegment src, long bytes, long hostFlag) {
        try (MemoryStack s = MemoryStack.stackPush()) {
            IntBuffer err = s.mallocInt(1);
            long m = nclCreateBuffer(ctx.context, CL_MEM_READ_ONLY | hostFlag, bytes, src.address(),
                    org.lwjgl.system.MemoryUtil.memAddress(err));
            ClErrors.check(err.get(0), "clCreateBuffer(" + bytes + " bytes)");
            return m;
        }
    }

    long copyOf(float[] a) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment seg = arena.allocate(Math.max(4L, 4L * a.length), 64);
            MemorySegment.copy(a, 0, seg, ValueLayout.JAVA_FLOAT, 0, a.length);
            return copyOf(seg, Math.max(4L, 4L * a.length));
        }
    }

    static void argMem(long k, int i, long mem) { ClErrors.check(clSetKernelArg1p(k, i, mem), "clSetKernelArg"); }
    static void argInt(long k, int i, int v) { ClErrors.check(clSetKernelArg1i(k, i, v), "clSetKernelArg"); }
    static void argLong(long k, int i, long v) { ClErrors.check(clSetKernelArg1l(k, i, v), "clSetKernelArg"); }
    static void argFloat(long k, int i, float v) { ClErrors.check(clSetKernelArg1f(k, i, v), "clSetKernelArg"); }

    /** With -Dshovel.opencl.profile=true every kernel is waited for and timed; the totals print at close. */
    private static final boolean PROFILE = Boolean.getBoolean("shovel.opencl.profile");
    private final Map<String, long[]> profile = new java.util.TreeMap<>();

    /** Enqueues {@code k} over {@code global} work-items ({@code local} may be null: the driver picks). */
    void run(long k, String name, long[] global, long[] local) {
        for (long g : global) if (g == 0) return;
        long t0 = PROFILE ? System.nanoTime() : 0;
        try (MemoryStack s = MemoryStack.stackPush()) {
            PointerBuffer gl = s.mallocPointer(global.length);
            for (long g : global) gl.put(g);
            gl.flip();
            PointerBuffer lo = null;
            if (local != null) {
                lo = s.mallocPointer(local.length);
                for (long l : local) lo.put(l);
                lo.flip();
            }
            ClErrors.check(clEnqueueNDRangeKernel(queue, k, global.length, null, gl, lo, null, null),
                    "clEnqueueNDRangeKernel(" + name + ")");
            launches++;
        }
        if (PROFILE) {
            finish();
            long[] p = profile.computeIfAbsent(name, x -> new long[2]);
            p[0]++;
            p[1] += System.nanoTime() - t0;
        }
    }

    private MemorySegment staging(long bytes) {
        if (staging.byteSize() < bytes) staging = Arena.ofAuto().allocate(Math.max(bytes, 2 * staging.byteSize()), 64);
        return staging;
    }

    /** Blocks until {@code n} floats of {@code mem} are in {@code dst}; everything enqueued before has then run. */
    void read(long mem, float[] dst, int n) {
        MemorySegment st = staging(4L * n);
        if (n > 0) {
            ClErrors.check(nclEnqueueReadBuffer(queue, mem, CL_TRUE, 0, 4L * n, st.address(), 0, 0, 0), "clEnqueueReadBuffer");
            reads++;
        } else {
            ClErrors.check(clFinish(queue), "clFinish");
        }
        settled();
        MemorySegment.copy(st, ValueLayout.JAVA_FLOAT, 0, dst, 0, n);
    }

    /** Blocks until {@code n} floats of {@code src} are in {@code mem}. */
    void write(float[] src, int n, long mem) {
        if (n == 0) return;
        MemorySegment st = staging(4L * n);
        MemorySegment.copy(src, 0, st, ValueLayout.JAVA_FLOAT, 0, n);
        ClErrors.check(nclEnqueueWriteBuffer(queue, mem, CL_TRUE, 0, 4L * n, st.address(), 0, 0, 0), "clEnqueueWriteBuffer");
        writes++;
        settled();
    }

    void finish() {
        ClErrors.check(clFinish(queue), "clFinish");
        settled();
    }

    /** Every command enqueued so far has completed: upload staging can be reused. */
    private void settled() { for (IntSlot s : slots) s.pending = false; }

    /** A device int array re-uploaded only when its contents change (positions, cells, token ids). */
    static final class IntSlot {
        long mem;
        int cap;
        int[] last = new int[0];
        int lastN = -1;
        MemorySegment host;
        boolean pending;
    }

    IntSlot slot() {
        IntSlot s = new IntSlot();
        s.cap = 64;
        s.mem = alloc(4L * s.cap);
        s.host = Arena.ofAuto().allocate(4L * s.cap, 64);
        slots.add(s);
        return s;
    }

    /** The device copy of a[0..n), enqueued without waiting when it differs from the last one. */
    long ints(IntSlot s, int[] a, int n) {
        if (n == s.lastN && Arrays.equals(a, 0, n, s.last, 0, n)) return s.mem;
        if (s.pending) finish(); // its staging may still be read by the queue
        if (n > s.cap) {
            clReleaseMemObject(s.mem);
            s.cap = Math.max(n, 2 * s.cap);
            s.mem = alloc(4L * s.cap);
            s.host = Arena.ofAuto().allocate(4L * s.cap, 64);
        }
        if (n > 0) {
            MemorySegment.copy(a, 0, s.host, ValueLayout.JAVA_INT, 0, n);
            ClErrors.check(nclEnqueueWriteBuffer(queue, s.mem, CL_FALSE, 0, 4L * n, s.host.address(), 0, 0, 0), "clEnqueueWriteBuffer");
            s.pending = true;
            intWrites++;
        }
        if (s.last.length < n) s.last = new int[s.cap];
        System.arraycopy(a, 0, s.last, 0, n);
        s.lastN = n;
        return s.mem;
    }

    @Override
    public void close() {
        clFinish(queue);
        profile.forEach((n, p) -> System.err.printf("opencl profile: %-16s %7d launches %10.3f ms %8.1f us each%n",
                n, p[0], p[1] / 1e6, p[1] / 1e3 / p[0]));
        for (long k : kernels.values()) clReleaseKernel(k);
        kernels.clear();
        for (IntSlot s : slots) clReleaseMemObject(s.mem);
        slots.clear();
        clReleaseCommandQueue(queue);
    }
}
