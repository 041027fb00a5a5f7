package dev.shovel.backend;

import dev.shovel.ggml.TypeOps;
import dev.shovel.gguf.GGMLType;
import dev.shovel.gguf.PageMemory;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/** Off-heap keys and values, F32, F16 or Q8_0, one row per cell, in memory that takes RAM only as cells are written. */
final class CpuKvStore implements KvStore {
    final int cells, kDim, vDim;
    final TypeOps ops;
    final MemorySegment k, v;
    final long kRow, vRow;
    private final Arena arena = Arena.ofShared();

    CpuKvStore(int cells, int kDim, int vDim, GGMLType type) { this(cells, kDim, vDim, type, false); }

    /** With {@code shared}, the values are the keys (kDim == vDim): one copy, written once. */
    CpuKvStore(int cells, int kDim, int vDim, GGMLType type, boolean shared) {
        if (type != GGMLType.F32 && type != GGMLType.F16 && (type != GGMLType.Q8_0 || kDim % 32 != 0 || vDim % 32 != 0)) {
            throw new IllegalArgumentException("KV cache type must be f32, f16 or q8_0 (rows of whole blocks), got " + type);
        }
        this.cells = cells;
        this.kDim = kDim;
        this.vDim = vDim;
        this.ops = TypeOps.of(type);
        this.kRow = type.bytesFor(kDim);
        this.vRow = type.bytesFor(vDim);
        this.k = PageMemory.lazy(arena, kRow * cells); // untouched cells take no RAM
        this.v = shared ? k : PageMemory.lazy(arena, vRow * cells);
    }

    @Override public int cells() { return cells; }

    @Override public void close() { arena.close(); }
}
