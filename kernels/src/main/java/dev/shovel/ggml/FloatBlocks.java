package dev.shovel.ggml;

import java.lang.foreign.MemorySegment;

/** A grouped layout whose 32-element blocks decode to floats with rows in lanes, the float GEMM tiles' input. */
interface FloatBlocks {
    /** Block blk (of nb per row) of group g, as ggml's dequantize: element e's G rows at buf[o + e * G..]. */
    void decodeBlock(MemorySegment w, long g, int nb, int blk, float[] buf, int o);
}
