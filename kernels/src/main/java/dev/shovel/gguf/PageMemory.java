package dev.shovel.gguf;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

/**
 * Large zeroed blocks for repacked weights: on Linux, anonymous mmap aligned to 2 MiB and advised for transparent huge
 * pages (the kernel hands out zeroed pages, so nothing is written twice, and a 2 MiB page takes one fault and one TLB
 * entry where 4 KiB pages take 512); elsewhere, or without native access, the arena's own (zero-filled) memory.
 */
public final class PageMemory {
    private PageMemory() {}

    /**
     * Zeroed memory that takes no RAM until written (an anonymous mapping of 4 KiB pages, freed with the arena), for
     * buffers filled from the start, such as a KV cache; the arena's zero-filled memory where mmap is unavailable.
     */
    public static MemorySegment lazy(Arena arena, long bytes) {
        if (bytes >= HUGE && Libc.MMAP != null) {
            try {
                MemorySegment base = (MemorySegment) Libc.MMAP.invokeExact(MemorySegment.NULL, bytes, PROT_RW, MAP_PRIVATE_ANON, -1, 0L);
                long addr = base.address();
                if (addr != -1L && addr != 0L) return base.reinterpret(bytes, arena, s -> unmap(addr, bytes));
            } catch (Throwable t) {
                // the arena's memory below
            }
        }
        return arena.allocate(bytes, 64);
    }

    private static final long HUGE = 2L << 20;
    private static final int PROT_RW = 3, MAP_PRIVATE_ANON = 0x22, MADV_HUGEPAGE = 14;
    /** libc's mmap, munmap and madvise, looked up on the first block that wants them (nulls where unavailable). */
    private static final class Libc {
        static final MethodHandle MMAP, MUNMAP, MADVISE;

        static {
            MethodHandle mmap = null, munmap = null, madvise = null;
            try {
                if (System.getProperty("os.name", "").startsWith("Linux") && PageMemory.class.getModule().isNativeAccessEnabled()
                        && !Boolean.getBoolean("shovel.noHugePages")) {
                    Linker l = Linker.nativeLinker();
                    var libc = l.defaultLookup();
                    mmap = l.downcallHandle(libc.find("mmap").orElseThrow(),
                            FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG));
                    munmap = l.downcallHandle(libc.find("munmap").orElseThrow(), FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG));
                    madvise = l.downcallHandle(libc.find("madvise").orElseThrow(), FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT));
                }
            } catch (RuntimeException | LinkageError e) {
                mmap = munmap = madvise = null; // the arena's memory then
            }
            MMAP = mmap;
            MUNMAP = munmap;
            MADVISE = madvise;
        }
    }

    /**
     * Carves 64-byte aligned blocks out of 64 MiB (or larger) mappings, so the huge pages are shared by neighbouring
     * tensors and only the last, partly used page of each mapping is partly wasted. Freed when the arena closes.
     */
    static final class Pool {
        private static final long CHUNK = 64L << 20;
        private final Arena arena;
        private MemorySegment chunk;
        private long used;

        Pool(Arena arena) { this.arena = arena; }

        synchronized MemorySegment allocate(long bytes) {
            if (bytes < HUGE || Libc.MMAP == null) return arena.allocate(bytes, 64);
            long at = (used + 63) & ~63L;
            if (chunk == null || at + bytes > chunk.byteSize()) {
                MemorySegment c = map(Math.max(CHUNK, bytes));
                if (c == null) return arena.allocate(bytes, 64);
                chunk = c;
                at = 0;
            }
            used = at + bytes;
            return chunk.asSlice(at, bytes);
        }

        /** A zeroed mapping of at least {@code bytes}, its start on a 2 MiB boundary, advised for huge pages; null on failure. */
        private MemorySegment map(long bytes) {
            long size = (bytes + HUGE - 1) / HUGE * HUGE, total = size + HUGE; // room to align the start
            try {
                MemorySegment base = (MemorySegment) Libc.MMAP.invokeExact(MemorySegment.NULL, total, PROT_RW, MAP_PRIVATE_ANON, -1, 0L);
                long addr = base.address();
                if (addr == -1L || addr == 0L) return null; // MAP_FAILED
                long aligned = (addr + HUGE - 1) / HUGE * HUGE;
                int ignored = (int) Libc.MADVISE.invokeExact(MemorySegment.ofAddress(aligned), size, MADV_HUGEPAGE);
                return MemorySegment.ofAddress(aligned).reinterpret(size, arena, s -> unmap(addr, total));
            } catch (Throwable t) {
                return null;
            }
        }
    }

    private static void unmap(long addr, long total) {
        try {
            int ignored = (int) Libc.MUNMAP.invokeExact(MemorySegment.ofAddress(addr), total);
        } catch (Throwable t) {
            // nothing to do: the process keeps the mapping
        }
    }
}
