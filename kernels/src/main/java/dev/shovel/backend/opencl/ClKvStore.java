package dev.shovel.backend.opencl;

import dev.shovel.backend.KvStore;
import dev.shovel.gguf.GGMLType;
import java.lang.ref.Cleaner;

/** One layer's keys and values in device memory, F32 or F16, one row per cell. */
final class ClKvStore implements KvStore {
    final int cells, kDim, vDim;
    final GGMLType type;
    final long k, v;
    private final Cleaner.Cleanable kc, vc;

    ClKvStore(int cells, int kDim, int vDim, GGMLType type, long k, long v) {
        this.cells = cells;
        this.kDim = kDim;
        this.vDim = vDim;
        this.type = type;
        this.k = k;
        this.v = v;
        this.kc = ClMem.track(this, k);
        this.vc = ClMem.track(this, v);
    }

    @Override public int cells() { return cells; }

    @Override
    public void close() {
        kc.clean();
        vc.clean();
    }
}
