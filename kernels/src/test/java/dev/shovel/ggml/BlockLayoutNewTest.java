package dev.shovel.ggml;

import static dev.shovel.ggml.BlockLayoutTest.assertDotPicks;
import static dev.shovel.ggml.BlockLayoutTest.bytes;
import static dev.shovel.ggml.BlockLayoutTest.deq;
import static org.junit.jupiter.api.Assertions.*;

import dev.shovel.gguf.GGMLType;
import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.Test;

/** Hand-built blocks for Q4_1, Q5_0, Q5_1, Q2_K, Q3_K, Q4_K, Q5_K and Q6_K (structs of ggml-common.h), values worked out by hand. */
class BlockLayoutNewTest {
    static int[] block(int size) { return new int[size]; }

    @Test
    void q4_1ScaleMinThenNibbles() {
        int[] b = block(20);
        b[0] = 0x00; b[1] = 0x38; // d = 0.5
        b[2] = 0x00; b[3] = 0xbc; // m = -1
        for (int j = 0; j < 16; j++) b[4 + j] = j | (15 - j) << 4;
        MemorySegment w = bytes(b);
        float[] y = deq(GGMLType.Q4_1, w, 32);
        assertEquals(-1f, y[0]);
        assertEquals(-0.5f, y[1]);
        assertEquals(6.5f, y[15]);
        assertEquals(6.5f, y[16]);
        assertEquals(-1f, y[31]);
        assertDotPicks(GGMLType.Q4_1, w, 32, y);
    }

    @Test
    void q5_0FifthBitsFromTheLittleEndianWord() {
        int[] b = block(22);
        b[0] = 0x00; b[1] = 0x3c; // d = 1
        int qh = 0x80100001;       // 5th bits of elements 0, 20, 31
        for (int i = 0; i < 4; i++) b[2 + i] = qh >>> 8 * i & 0xff;
        b[6] = 0x0f;               // element 0 low nibble 15, element 16 high nibble 0
        b[6 + 15] = 0xf0;          // element 15 low 0, element 31 high 15
        b[6 + 4] = 0x30;           // element 20 high nibble 3
        MemorySegment w = bytes(b);
        float[] y = deq(GGMLType.Q5_0, w, 32);
        assertEquals(15f, y[0]);   // (15 | 16) - 16
        assertEquals(-16f, y[1]);
        assertEquals(-16f, y[15]);
        assertEquals(-16f, y[16]);
        assertEquals(3f, y[20]);   // (3 | 16) - 16
        assertEquals(15f, y[31]);
        assertDotPicks(GGMLType.Q5_0, w, 32, y);
    }

    @Test
    void q5_1ScaleMinFifthBitsNibbles() {
        int[] b = block(24);
        b[0] = 0x00; b[1] = 0x34; // d = 0.25
        b[2] = 0x00; b[3] = 0x40; // m = 2
        int qh = 0x00010002;       // elements 1 and 16
        for (int i = 0; i < 4; i++) b[4 + i] = qh >>> 8 * i & 0xff;
        b[8 + 1] = 0x21;
        MemorySegment w = bytes(b);
        float[] y = deq(GGMLType.Q5_1, w, 32);
        assertEquals(2f, y[0]);
        assertEquals(6.25f, y[1]);  // (1 | 16) * 0.25 + 2
        assertEquals(6f, y[16]);    // (0 | 16) * 0.25 + 2
        assertEquals(2.5f, y[17]);  // 2 * 0.25 + 2
        assertDotPicks(GGMLType.Q5_1, w, 32, y);
    }

    /** 12 scale bytes for scales {1,2,3,4,33,34,35,63} and mins {0,1,2,3,40,41,42,60}, packed by hand. */
    static final int[] K4_SCALES = {0x81, 0x82, 0x83, 0xc4, 0x80, 0x81, 0x82, 0xc3, 0x81, 0x92, 0xa3, 0xcf};

    static int[] kBlock(int size, int qsOff) {
        int[] b = block(size);
        b[0] = 0x00; b[1] = 0x3c; // d = 1
        b[2] = 0x00; b[3] = 0x38; // dmin = 0.5
        System.arraycopy(K4_SCALES, 0, b, 4, 12);
        for (int i = 0; i < 128; i++) b[qsOff + i] = i % 16 | (15 - i % 16) << 4;
        return b;
    }

    @Test
    void q4_kSixBitScalesAndChunkedNibbles() {
        MemorySegment w = bytes(kBlock(144, 16));
        float[] y = deq(GGMLType.Q4_K, w, 256);
        assertEquals(0f, y[0]);                // scale 1, min 0, q 0
        assertEquals(1f, y[1]);                // q 1
        assertEquals(29.5f, y[32]);            // scale 2 * 15 - 0.5 * 1
        assertEquals(211f, y[128 + 7]);        // chunk 2 low: 33 * 7 - 0.5 * 40
        assertEquals(251.5f, y[128 + 32 + 7]); // chunk 2 high: 34 * 8 - 0.5 * 41
        assertEquals(600f, y[192 + 32 + 5]);   // chunk 3 high: 63 * 10 - 0.5 * 60
        assertDotPicks(GGMLType.Q4_K, w, 256, y);
    }

    @Test
    void q5_kHighBitsTwoPerChunk() {
        int[] b = kBlock(176, 48);
        b[16] = 0x01;      // qh[0] bit 0: element 0
        b[16 + 7] = 0x10;  // qh[7] bit 4: element 128 + 7
        b[16 + 5] = 0x80;  // qh[5] bit 7: element 192 + 32 + 5
        MemorySegment w = bytes(b);
        float[] y = deq(GGMLType.Q5_K, w, 256);
        assertEquals(16f, y[0]);               // 1 * (0 + 16) - 0
        assertEquals(1f, y[1]);
        assertEquals(29.5f, y[32]);
        assertEquals(739f, y[128 + 7]);        // 33 * 23 - 20
        assertEquals(251.5f, y[128 + 32 + 7]);
        assertEquals(1608f, y[192 + 32 + 5]);  // 63 * 26 - 30
        assertDotPicks(GGMLType.Q5_K, w, 256, y);
    }

    @Test
    void q6_kQuartersOfEachHalf() {
        int[] b = block(210);
        int[] sc = {1, -2, 3, -4, 5, -6, 7, -8, 9, -10, 11, -12, 13, -14, 15, -128};
        for (int i = 0; i < 16; i++) b[192 + i] = sc[i] & 0xff;
        b[208] = 0x00; b[209] = 0x38; // d = 0.5
        b[0] = 0x5a;            // ql[0]: low 10 (element 0), high 5 (element 64)
        b[128] = 0xe4;          // qh[0]: bits 00 (el 0), 01 (el 32), 10 (el 64), 11 (el 96)
        b[64 + 17] = 0xf3;      // second half ql[17]: low 3 (element 145), high 15 (element 209)
        b[128 + 32 + 17] = 0x03;
        MemorySegment w = bytes(b);
        float[] y = deq(GGMLType.Q6_K, w, 256);
        assertEquals(-11f, y[0]);     // 0.5 * 1 * (10 - 32)
        assertEquals(-24f, y[32]);    // 0.5 * 3 * (16 - 32)
        assertEquals(12.5f, y[64]);   // 0.5 * 5 * (37 - 32)
        assertEquals(56f, y[96]);     // 0.5 * 7 * (48 - 32)
        assertEquals(-16f, y[1]);     // 0.5 * 1 * -32
        assertEquals(-95f, y[145]);   // 0.5 * -10 * (51 - 32)
        assertEquals(119f, y[209]);   // 0.5 * -14 * (15 - 32)
        assertEquals(2048f, y[255]);  // 0.5 * -128 * -32
        assertDotPicks(GGMLType.Q6_K, w, 256, y);
    }

    @Test
    void q2_kScaleNibblesAndFourSlicesPerByte() {
        int[] b = block(84);
        for (int i = 0; i < 16; i++) b[i] = i % 15 + 1 | (i % 4) << 4; // scale low nibble, min high nibble
        b[80] = 0x00; b[81] = 0x3c; // d = 1
        b[82] = 0x00; b[83] = 0x38; // dmin = 0.5
        b[16] = 0xe4;               // qs[0]: q 0, 1, 2, 3 for elements 0, 32, 64, 96
        b[16 + 32 + 20] = 0x1b;     // qs[52]: q 3, 2, 1, 0 for elements 148, 180, 212, 244
        MemorySegment w = bytes(b);
        float[] y = deq(GGMLType.Q2_K, w, 256);
        assertEquals(0f, y[0]);       // scale 1 * 0 - 0.5 * 0
        assertEquals(2f, y[32]);      // scale byte 2: 3 * 1 - 0.5 * 2
        assertEquals(10f, y[64]);     // byte 4: 5 * 2 - 0
        assertEquals(20f, y[96]);     // byte 6: 7 * 3 - 0.5 * 2
        assertEquals(29.5f, y[148]);  // byte 9: 10 * 3 - 0.5 * 1
        assertEquals(22.5f, y[180]);  // byte 11: 12 * 2 - 0.5 * 3
        assertEquals(13.5f, y[212]);  // byte 13: 14 * 1 - 0.5 * 1
        assertEquals(-1.5f, y[244]);  // byte 15: 1 * 0 - 0.5 * 3
        assertEquals(-0.5f, y[16]);   // byte 1: 2 * 0 - 0.5 * 1
        assertDotPicks(GGMLType.Q2_K, w, 256, y);
    }

    @Test
    void q3_kHighMaskAndSixBitSignedScales() {
        int[] b = block(110);
        // 6-bit scales u_j = 4j + 3 (signed 4j - 29): low nibbles in bytes 0-7, top bits 0,1,2,3 in bytes 8-11
        int[] sc = {0x33, 0x77, 0xbb, 0xff, 0x33, 0x77, 0xbb, 0xff, 0xe4, 0xe4, 0xe4, 0xe4};
        System.arraycopy(sc, 0, b, 96, 12);
        b[108] = 0x00; b[109] = 0x38; // d = 0.5
        b[32] = 0xe4;        // qs[0]: q 0, 1, 2, 3 for elements 0, 32, 64, 96
        b[0] = 0x0a;         // hmask[0]: bits 1 and 3 -> elements 32 and 96 keep q (no -4)
        b[32 + 32 + 17] = 0x27; // qs[49]: q 3, 1, 2, 0 for elements 145, 177, 209, 241
        b[17] = 0x10;        // hmask[17] bit 4 -> element 145
        MemorySegment w = bytes(b);
        float[] y = deq(GGMLType.Q3_K, w, 256);
        assertEquals(58f, y[0]);      // 0.5 * -29 * (0 - 4)
        assertEquals(58f, y[1]);
        assertEquals(-10.5f, y[32]);  // 0.5 * -21 * 1
        assertEquals(13f, y[64]);     // 0.5 * -13 * (2 - 4)
        assertEquals(-7.5f, y[96]);   // 0.5 * -5 * 3
        assertEquals(10.5f, y[145]);  // 0.5 * 7 * 3
        assertEquals(-22.5f, y[177]); // 0.5 * 15 * (1 - 4)
        assertEquals(-23f, y[209]);   // 0.5 * 23 * (2 - 4)
        assertEquals(-62f, y[241]);   // 0.5 * 31 * (0 - 4)
        assertDotPicks(GGMLType.Q3_K, w, 256, y);
    }
}
