package dev.shovel.ggml;

import static dev.shovel.ggml.BlockLayoutTest.assertDotPicks;
import static dev.shovel.ggml.BlockLayoutTest.bytes;
import static dev.shovel.ggml.BlockLayoutTest.deq;
import static org.junit.jupiter.api.Assertions.*;

import dev.shovel.gguf.GGMLType;
import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.Test;

/** Hand-built blocks for IQ4_NL, IQ4_XS and MXFP4 (structs of ggml-common.h), values written out from the format. */
class BlockLayoutIQTest {
    /** Byte j = j | (15 - j) << 4: element j takes entry j, element 16 + j entry 15 - j. */
    static int[] ramp(int[] b, int at) {
        for (int j = 0; j < 16; j++) b[at + j] = j | (15 - j) << 4;
        return b;
    }

    @Test
    void iq4_nlScaleThenNibblesOnTheNonLinearGrid() {
        int[] b = ramp(new int[18], 2);
        b[0] = 0x00; b[1] = 0x38; // d = 0.5
        float[] want = {-63.5f, -52f, -41.5f, -32.5f, -24.5f, -17.5f, -11f, -5f, 0.5f, 6.5f, 12.5f, 19f, 26.5f, 34.5f, 44.5f, 56.5f,
                56.5f, 44.5f, 34.5f, 26.5f, 19f, 12.5f, 6.5f, 0.5f, -5f, -11f, -17.5f, -24.5f, -32.5f, -41.5f, -52f, -63.5f};
        MemorySegment w = bytes(b);
        assertArrayEquals(want, deq(GGMLType.IQ4_NL, w, 32));
        assertDotPicks(GGMLType.IQ4_NL, w, 32, want);
    }

    @Test
    void iq4_xsSixBitSubScalesFromScalesLAndScalesH() {
        int[] b = new int[136];
        b[0] = 0x00; b[1] = 0x3c; // d = 1
        // ls per sub-block: 32 (0), 33 (1), 31 (-1), 0 (-32), 63 (31), 34 (2), 16 (-16), 48 (16)
        int[] ls = {32, 33, 31, 0, 63, 34, 16, 48};
        b[4] = 0x10; b[5] = 0x0f; b[6] = 0x2f; b[7] = 0x00; // low nibbles, two per byte
        int h = 0b11_01_10_11_00_01_10_10; // high 2 bits, sub-block 7 first: 3, 1, 2, 3, 0, 1, 2, 2
        b[2] = h & 0xff; b[3] = h >> 8;
        for (int ib = 0; ib < 8; ib++) assertEquals(ls[ib], (b[4 + ib / 2] >> 4 * (ib % 2) & 0xf) | (h >> 2 * ib & 3) << 4, "fixture ls " + ib);
        for (int ib = 0; ib < 8; ib++) ramp(b, 8 + 16 * ib);
        int[] grid = {-127, -104, -83, -65, -49, -35, -22, -10, 1, 13, 25, 38, 53, 69, 89, 113};
        float[] want = new float[256];
        for (int ib = 0; ib < 8; ib++) {
            for (int j = 0; j < 16; j++) {
                want[32 * ib + j] = (ls[ib] - 32) * grid[j];
                want[32 * ib + 16 + j] = (ls[ib] - 32) * grid[15 - j];
            }
        }
        MemorySegment w = bytes(b);
        float[] y = deq(GGMLType.IQ4_XS, w, 256);
        for (int i = 0; i < 256; i++) assertEquals(want[i], y[i], 0f, "element " + i); // sub-block 0 gives -0.0 and 0.0
        assertEquals(-127f * 31, want[4 * 32]);
        assertDotPicks(GGMLType.IQ4_XS, w, 256, want);
    }

    @Test
    void mxfp4ExponentThenE2M1Nibbles() {
        int[] b = ramp(new int[17], 1);
        b[0] = 127; // 2^(127-127) for E2M1, i.e. 0.5 for the doubled table
        float[] want = {0, 0.5f, 1, 1.5f, 2, 3, 4, 6, 0, -0.5f, -1, -1.5f, -2, -3, -4, -6,
                -6, -4, -3, -2, -1.5f, -1, -0.5f, 0, 6, 4, 3, 2, 1.5f, 1, 0.5f, 0};
        MemorySegment w = bytes(b);
        float[] y = deq(GGMLType.MXFP4, w, 32);
        for (int i = 0; i < 32; i++) assertEquals(want[i], y[i], 0f, "element " + i);
        assertDotPicks(GGMLType.MXFP4, w, 32, want);
    }

    @Test
    void mxfp4ScaleIsTwoToTheEMinus128ForEveryExponentByte() {
        for (int e = 0; e < 256; e++) {
            int[] b = new int[17];
            b[0] = e;
            b[1] = 0x61; // element 0: 1 (E2M1 0.5), element 16: 8 (E2M1 4)
            float[] y = deq(GGMLType.MXFP4, bytes(b), 32);
            assertEquals(Math.scalb(1f, e - 128), y[0], 0f, "e=" + e);
            assertEquals((float) Math.scalb(8.0, e - 128), y[16], 0f, "e=" + e); // 2^(e-125), infinite past float's range
        }
    }
}
