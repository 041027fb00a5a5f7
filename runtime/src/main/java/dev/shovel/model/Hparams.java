package dev.shovel.model;

import dev.shovel.ShovelException;
import dev.shovel.gguf.GGUFFile;
import dev.shovel.gguf.GGUFLimits;
import dev.shovel.gguf.TensorInfo;
import java.util.BitSet;

/**
 * Reads hyper-parameters with their bounds ({@link GGUFLimits}) before anything is sized by them; an error names
 * the key, the value and the limit.
 */
final class Hparams {
    private Hparams() { }

    /** A required integer key in [min, max]. */
    static int get(GGUFFile f, String key, int min, int max) {
        if (!f.has(key)) throw new ShovelException(f.path() + " has no " + key + " key");
        return bounded(key, f.getLong(key), min, max);
    }

    /** An integer key in [min, max], or {@code def} when absent. */
    static int get(GGUFFile f, String key, int def, int min, int max) {
        return f.has(key) ? bounded(key, f.getLong(key), min, max) : def;
    }

    static int bounded(String key, long v, int min, int max) {
        if (v < min || v > max) throw new ShovelException(key + " = " + v + " is outside [" + min + ", " + max + "]");
        return (int) v;
    }

    /** A finite float key, or {@code def}. */
    static float finite(GGUFFile f, String key, float def) {
        float v = f.getFloat(key, def);
        if (!Float.isFinite(v)) throw new ShovelException(key + " = " + v + " is not a finite number");
        return v;
    }

    /**
     * {@code block_count} against the tensors present: every block 0..n-1 has tensors and none has an index at or
     * above n (llama.cpp refuses files with tensors it does not use).
     */
    static void blocks(GGUFFile f, String key, int nLayer) {
        BitSet seen = new BitSet();
        for (TensorInfo t : f.tensors().values()) {
            int b = blockIndex(t.name());
            if (b < 0) continue;
            if (b >= nLayer) {
                throw new ShovelException(key + " = " + nLayer + " but the file has tensor " + t.name() + " of block " + b);
            }
            seen.set(b);
        }
        int missing = seen.nextClearBit(0);
        if (missing < nLayer) {
            throw new ShovelException(key + " = " + nLayer + " but the file has no tensors of block " + missing
                    + " (blocks with tensors: " + seen.cardinality() + ")");
        }
    }

    /** N in "blk.N.…", or -1. */
    static int blockIndex(String name) {
        if (!name.startsWith("blk.")) return -1;
        int end = name.indexOf('.', 4);
        if (end < 5 || end > 13) return -1;
        try {
            return Integer.parseInt(name, 4, end, 10);
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
