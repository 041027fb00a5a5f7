package dev.shovel.ggml;

import static org.junit.jupiter.api.Assertions.*;

import dev.shovel.gguf.GGMLType;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.junit.jupiter.api.Test;

/**
 * Blocks built byte by byte from ggml's block structs (ggml-common.h), with the expected values worked out by hand,
 * checked through dequantize, dot (vector path) and the reference quantizer.
 */
class BlockLayoutTest {
    static MemorySegment bytes(int... b) { // shared with BlockLayoutNewTest
        MemorySegment s = TestData.alloc(b.length);
        for (int i = 0; i < b.length; i++) s.set(ValueLayout.JAVA_BYTE, i, (byte) b[i]);
        return s;
    }

    static int[] concat(int[]... parts) {
        int n = 0;
        for (int[] p : parts) n += p.length;
        int[] out = new int[n];
        int o = 0;
        for (int[] p : parts) { System.arraycopy(p, 0, out, o, p.length); o += p.length; }
        return out;
    }

    static int[] repeat(int v, int n) {
        int[] a = new int[n];
        java.util.Arrays.fill(a, v);
        return a;
    }

    static float[] deq(GGMLType t, MemorySegment w, int n) {
        float[] out = new float[n];
        TypeOps.of(t).dequantize(w, 0, out, 0, n);
        return out;
    }

    static byte[] read(MemorySegment s) { return s.toArray(ValueLayout.JAVA_BYTE); }

    /** Each element through the vector dot, by dotting with one-hot vectors. */
    static void assertDotPicks(GGMLType t, MemorySegment w, int n, float[] want) {
        TypeOps ops = TypeOps.of(t);
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = 1;
            assertEquals(want[i], ops.dot(w, 0, x, 0, n), 0f, t + " element " + i + " via dot");
            x[i] = 0;
        }
    }

    @Test
    void f32IsLittleEndianFloats() {
        // 1.5f = 0x3fc00000, -2.25f = 0xc0100000
        MemorySegment w = bytes(0x00, 0x00, 0xc0, 0x3f, 0x00, 0x00, 0x10, 0xc0);
        assertArrayEquals(new float[] {1.5f, -2.25f}, deq(GGMLType.F32, w, 2));
        MemorySegment q = TestData.alloc(8);
        F32.INSTANCE.quantize(new float[] {1.5f, -2.25f}, 0, q, 0, 2);
        assertArrayEquals(read(w), read(q));
    }

    @Test
    void f16HalfBitsIncludingSubnormalsAndInfinities() {
        int[] bits = {0x3c00, 0xc000, 0x7bff, 0x0001, 0x0400, 0x8000, 0x3555, 0x03ff};
        float[] want = {1f, -2f, 65504f, 0x1p-24f, 0x1p-14f, -0f, 0.333251953125f, 1023 * 0x1p-24f};
        int n = 64; // long enough for the vector path
        int[] b = new int[2 * n];
        float[] all = new float[n];
        for (int i = 0; i < n; i++) {
            int h = bits[i % bits.length];
            b[2 * i] = h & 0xff;
            b[2 * i + 1] = h >> 8;
            all[i] = want[i % bits.length];
        }
        MemorySegment w = bytes(b);
        assertArrayEquals(all, deq(GGMLType.F16, w, n));
        assertDotPicks(GGMLType.F16, w, n, all);

        // infinities and NaN through the vector path
        int[] inf = new int[2 * n];
        for (int i = 0; i < n; i++) { inf[2 * i] = 0x00; inf[2 * i + 1] = 0x7c; }
        float[] ones = new float[n];
        java.util.Arrays.fill(ones, 1f);
        assertEquals(Float.POSITIVE_INFINITY, F16.INSTANCE.dot(bytes(inf), 0, ones, 0, n));
        inf[2 * 3 + 1] = 0xfc;
        assertEquals(Float.NEGATIVE_INFINITY, deq(GGMLType.F16, bytes(inf), n)[3]);
        ones[3] = -1;
        assertEquals(Float.POSITIVE_INFINITY, F16.INSTANCE.dot(bytes(inf), 0, ones, 0, n));
        int[] nan = inf.clone();
        nan[2 * 7] = 0x00; nan[2 * 7 + 1] = 0x7e;
        assertTrue(Float.isNaN(F16.INSTANCE.dot(bytes(nan), 0, ones, 0, n)));

        MemorySegment q = TestData.alloc(4);
        F16.INSTANCE.quantize(new float[] {1f / 3, 65520f}, 0, q, 0, 2); // 65520 rounds to +inf
        assertArrayEquals(new byte[] {0x55, 0x35, 0x00, 0x7c}, read(q));
    }

    @Test
    void bf16UpperHalfOfFloatsRoundedToNearestEven() {
        int[] bits = {0x3f80, 0xc0a0, 0x4049, 0x0001, 0x8000};
        float[] want = {1f, -5f, 3.140625f, Float.intBitsToFloat(0x00010000), -0f};
        int n = 40;
        int[] b = new int[2 * n];
        float[] all = new float[n];
        for (int i = 0; i < n; i++) {
            b[2 * i] = bits[i % 5] & 0xff;
            b[2 * i + 1] = bits[i % 5] >> 8;
            all[i] = want[i % 5];
        }
        MemorySegment w = bytes(b);
        assertArrayEquals(all, deq(GGMLType.BF16, w, n));
        assertDotPicks(GGMLType.BF16, w, n, all);
        // ties go to even: 0x3f808000 -> 0x3f80, 0x3f818000 -> 0x3f82; NaN stays NaN (quiet)
        assertEquals((short) 0x3f80, BF16.fromFloat(Float.intBitsToFloat(0x3f808000)));
        assertEquals((short) 0x3f82, BF16.fromFloat(Float.intBitsToFloat(0x3f818000)));
        assertEquals((short) 0x3f81, BF16.fromFloat(Float.intBitsToFloat(0x3f808001)));
        assertTrue(Float.isNaN(BF16.toFloat(BF16.fromFloat(Float.NaN))));
    }

    @Test
    void q8_0ScaleThenSignedBytes() {
        // block_q8_0 { ggml_half d; int8_t qs[32]; } with d = 0.5 (0x3800)
        int[] qs = new int[32];
        for (int j = 0; j < 32; j++) qs[j] = (j * 9 - 128) & 0xff; // -128, -119, ..., 151->-105
        MemorySegment w = bytes(concat(new int[] {0x00, 0x38}, qs));
        float[] y = deq(GGMLType.Q8_0, w, 32);
        assertEquals(-64f, y[0]);
        assertEquals(-59.5f, y[1]);
        assertEquals(0.5f * (byte) (31 * 9 - 128), y[31]);
        assertEquals(-1f, y[14]); // 14*9-128 = -2
        assertDotPicks(GGMLType.Q8_0, w, 32, y);
    }

    @Test
    void q8_0QuantizerRoundsHalvesAwayFromZero() {
        float[] x = new float[32];
        x[0] = -127f; // amax 127 -> d = 1
        x[1] = -2.5f;
        x[2] = 2.5f;
        x[3] = 0.49999997f;
        x[4] = 126.5f;
        x[5] = -0.5f;
        MemorySegment q = TestData.alloc(34);
        Q8_0.INSTANCE.quantize(x, 0, q, 0, 32);
        byte[] b = read(q);
        assertEquals(0x00, b[0]);
        assertEquals(0x3c, b[1]); // d = 1.0
        assertArrayEquals(new byte[] {-127, -3, 3, 0, 127, -1, 0}, java.util.Arrays.copyOfRange(b, 2, 9));
    }

    @Test
    void q4_0LowNibblesFirstHalfHighNibblesSecondHalf() {
        // block_q4_0 { ggml_half d; uint8_t qs[16]; }, d = 0.5; byte j = j | (15 - j) << 4
        int[] qs = new int[16];
        for (int j = 0; j < 16; j++) qs[j] = j | (15 - j) << 4;
        MemorySegment w = bytes(concat(new int[] {0x00, 0x38}, qs));
        float[] y = deq(GGMLType.Q4_0, w, 32);
        float[] want = {-4, -3.5f, -3, -2.5f, -2, -1.5f, -1, -0.5f, 0, 0.5f, 1, 1.5f, 2, 2.5f, 3, 3.5f,
                3.5f, 3, 2.5f, 2, 1.5f, 1, 0.5f, 0, -0.5f, -1, -1.5f, -2, -2.5f, -3, -3.5f, -4};
        assertArrayEquals(want, y);
        assertDotPicks(GGMLType.Q4_0, w, 32, want);
    }

    @Test
    void q4_0QuantizerMapsTheSignedMaxToMinusEight() {
        float[] x = new float[32];
        x[0] = -8f;      // max by magnitude, negative: d = -8 / -8 = 1
        x[1] = 7.9f;     // 16.4 -> clipped to 15
        x[2] = 0.5f;     // 9.0 -> 9
        x[3] = -0.5f;    // 8.0 -> 8
        x[4] = -0.51f;   // 7.99 -> 7
        x[16] = 3f;      // 11.5 -> 11 (high nibble of byte 0)
        x[17] = -3f;     // 5.5 -> 5
        MemorySegment q = TestData.alloc(18);
        Q4_0.INSTANCE.quantize(x, 0, q, 0, 32);
        byte[] b = read(q);
        assertEquals(0x00, b[0]);
        assertEquals(0x3c, b[1]);
        assertEquals((byte) (0 | 11 << 4), b[2]);
        assertEquals((byte) (15 | 5 << 4), b[3]);
        assertEquals((byte) (9 | 8 << 4), b[4]);
        assertEquals((byte) (8 | 8 << 4), b[5]);
        assertEquals((byte) (7 | 8 << 4), b[6]);
    }
}
