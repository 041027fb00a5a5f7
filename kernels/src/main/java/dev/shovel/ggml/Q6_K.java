package dev.shovel.ggml;

import static dev.shovel.ggml.KQuants.QK_K;
import static dev.shovel.ggml.QuantMath.nearestInt;
import static jdk.incubator.vector.VectorOperators.I2F;
import static jdk.incubator.vector.VectorOperators.LSHL;
import static jdk.incubator.vector.VectorOperators.LSHR;
import static jdk.incubator.vector.VectorOperators.ZERO_EXTEND_B2I;

import dev.shovel.gguf.GGMLType;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/**
 * GGML_TYPE_Q6_K: super-blocks of 256 = 128 bytes ql (low 4 bits), 64 bytes qh (high 2 bits), 16 int8 scales, fp16 d.
 * Half h (128 elements) uses ql[64h..], qh[32h..], scales[8h..]; for l in 0..31 the four elements l, l+32, l+64,
 * l+96 are ql[l] low, ql[l+32] low, ql[l] high, ql[l+32] high nibble, with qh[l] bits 0-1, 2-3, 4-5, 6-7;
 * x = d * scale[l/16 + 2i] * (q - 32).
 */
public final class Q6_K extends QuantOps {
    public static final Q6_K INSTANCE = new Q6_K();
    static final int BLOCK = 210, QH = 128, SC = 192, D = 208;

    @Override public GGMLType type() { return GGMLType.Q6_K; }

    private static int sc(MemorySegment w, long bo, int i) { return w.get(ValueLayout.JAVA_BYTE, bo + SC + i); }

    @Override
    public void dequantize(MemorySegment w, long off, float[] out, int outOff, int n) {
        for (int b = 0; b < n / QK_K; b++) {
            long bo = off + (long) b * BLOCK;
            float d = f16(w, bo + D);
            for (int h = 0; h < 2; h++) {
                long ql = bo + 64 * h, qh = bo + QH + 32 * h;
                int o = outOff + b * QK_K + 128 * h;
                for (int l = 0; l < 32; l++) {
                    int is = 8 * h + l / 16;
                    int a = KQuants.b(w, ql + l), c = KQuants.b(w, ql + 32 + l), hh = KQuants.b(w, qh + l);
                    out[o + l] = d * sc(w, bo, is) * ((a & 0xf | (hh & 3) << 4) - 32);
                    out[o + l + 32] = d * sc(w, bo, is + 2) * ((c & 0xf | (hh >> 2 & 3) << 4) - 32);
                    out[o + l + 64] = d * sc(w, bo, is + 4) * ((a >> 4 | (hh >> 4 & 3) << 4) - 32);
                    out[o + l + 96] = d * sc(w, bo, is + 6) * ((c >> 4 | (hh >> 6) << 4) - 32);
                }
            }
        }
    }

    @Override
    public void quantize(float[] in, int inOff, MemorySegment w, long off, int n) {
        int[] L = new int[QK_K];
        float[] scales = new float[16];
        for (int b = 0; b < n / QK_K; b++) {
            long bo = off + (long) b * BLOCK;
            int xo = inOff + b * QK_K;
            float maxScale = 0, maxAbs = 0;
            for (int ib = 0; ib < 16; ib++) {
                scales[ib] = KQuants.makeQx(16, 32, in, xo + 16 * ib, L, 16 * ib);
                if (Math.abs(scales[ib]) > maxAbs) { maxAbs = Math.abs(scales[ib]); maxScale = scales[ib]; }
            }
            if (maxAbs < KQuants.GROUP_MAX_EPS) {
                w.asSlice(bo, BLOCK).fill((byte) 0);
                continue;
            }
            float iscale = -128f / maxScale;
            putF16(w, bo + D, 1 / iscale);
            for (int ib = 0; ib < 16; ib++) {
                w.set(ValueLayout.JAVA_BYTE, bo + SC + ib, (byte) Math.min(127, nearestInt(iscale * scales[ib])));
            }
            float d = f16(w, bo + D);
            for (int j = 0; j < 16; j++) {
                float dj = d * sc(w, bo, j);
                if (dj == 0) continue;
                for (int i = 0; i < 16; i++) {
                    L[16 * j + i] = Math.max(-32, Math.min(31, nearestInt(in[xo + 16 * j + i] / dj))) + 32;
                }
            }
            for (int h = 0; h < 2; h++) {
                long ql = bo + 64 * h, qh = bo + QH + 32 * h;
                int j = 128 * h;
                for (int l = 0; l < 32; l++) {
                    int q1 = L[j + l], q2 = L[j + l + 32], q3 = L[j + l + 64], q4 = L[j + l + 96];
                    w.set(ValueLayout.JAVA_BYTE, ql + l, (byte) (q1 & 0xf | (q3 & 0xf) << 4));
                    w.set(ValueLayout.JAVA_BYTE, ql + l + 32, (byte) (q2 & 0xf | (q4 & 0xf) << 4));
                    w.set(ValueLayout.JAVA_BYTE, qh + l, (byte) (q1 >> 4 | (q2 >> 4) << 2 | (q3 >> 4) << 4 | (q4 >> 4) << 6));
                }
            }
        }
    }

    /** Low 4 bits plus the 2 high bits already in place (bits 4-5), minus 32, times the sub-block scale. */
    private static FloatVector w6(IntVector low4, IntVector high2, float scale) {
        return Vec.toFloat(low4.or(high2.and(0x30)).sub(32)).mul(scale);
    }

    @Override
    void decode(MemorySegment w, long off, float[] dst, int n) {
        for (int b = 0; b < n / QK_K; b++) {
            long bo = off + (long) b * BLOCK;
            float d = f16(w, bo + D);
            for (int h = 0; h < 2; h++) {
                long ql = bo + 64 * h, qh = bo + QH + 32 * h;
                int o = b * QK_K + 128 * h;
                for (int k = 0; k < 32; k += Vec.L) slice(w, bo, ql + k, qh + k, 8 * h + k / 16, d, dst, o + k);
            }
        }
    }

    // The vector work of one slice is a method of its own with no vector parameters: decode inlined whole is too big
    // for C2, which then leaves calls in it and boxes the vectors they pass.
    private static void slice(MemorySegment w, long bo, long ql, long qh, int is, float d, float[] dst, int o) {
        IntVector a = Vec.ints(w, ql), c = Vec.ints(w, ql + 32), hh = Vec.ints(w, qh);
        w6(Vec.lo(a), hh.lanewise(VectorOperators.LSHL, 4), d * sc(w, bo, is)).intoArray(dst, o);
        w6(Vec.lo(c), hh.lanewise(VectorOperators.LSHL, 2), d * sc(w, bo, is + 2)).intoArray(dst, o + 32);
        w6(Vec.hi(a), hh, d * sc(w, bo, is + 4)).intoArray(dst, o + 64);
        w6(Vec.hi(c), hh.lanewise(VectorOperators.LSHR, 2), d * sc(w, bo, is + 6)).intoArray(dst, o + 96);
    }

    /** Per-thread copy of the block being multiplied: vector loads from an array keep the fused dot within C2's budget. */
    private static final ThreadLocal<byte[]> BLK = ThreadLocal.withInitial(() -> new byte[BLOCK]);

    /**
     * One row without a decode buffer: each block is copied to a small array, its 6-bit values are built in int lanes
     * and multiplied unshifted; the offset of 32 comes off at the end as 32 * d * scale times the sum of x over each
     * 16-element sub-block ({@code xs}). Only the JDK's force-inlined vector calls appear in the loop: past C2's node
     * budget our own helpers would stay calls, and the vectors passed to them would be boxed.
     */
    private static float fused(MemorySegment w, long off, float[] x, int xOff, int n, float[] xs, byte[] q, float[] acc) {
        FloatVector a1 = FloatVector.zero(Vec.F), a2 = a1;
        float offset = 0;
        for (int b = 0; b < n / QK_K; b++) {
            MemorySegment.copy(w, ValueLayout.JAVA_BYTE, off + (long) b * BLOCK, q, 0, BLOCK);
            float d = f16(q, D);
            for (int h = 0; h < 2; h++) {
                int xh = xOff + b * QK_K + 128 * h;
                for (int k = 0; k < 32; k += Vec.L) {
                    int ql = 64 * h + k, is = SC + 8 * h + k / 16;
                    IntVector a = (IntVector) ByteVector.fromArray(Vec.B, q, ql).convertShape(ZERO_EXTEND_B2I, Vec.I, 0);
                    IntVector c = (IntVector) ByteVector.fromArray(Vec.B, q, ql + 32).convertShape(ZERO_EXTEND_B2I, Vec.I, 0);
                    IntVector hh = (IntVector) ByteVector.fromArray(Vec.B, q, QH + 32 * h + k).convertShape(ZERO_EXTEND_B2I, Vec.I, 0);
                    FloatVector f1 = (FloatVector) a.and(15).or(hh.and(3).lanewise(LSHL, 4)).convert(I2F, 0);
                    FloatVector f2 = (FloatVector) c.and(15).or(hh.and(12).lanewise(LSHL, 2)).convert(I2F, 0);
                    FloatVector f3 = (FloatVector) a.lanewise(LSHR, 4).or(hh.and(48)).convert(I2F, 0);
                    FloatVector f4 = (FloatVector) c.lanewise(LSHR, 4).or(hh.lanewise(LSHR, 2).and(48)).convert(I2F, 0);
                    a1 = f1.mul(FloatVector.fromArray(Vec.F, x, xh + k)).fma(FloatVector.broadcast(Vec.F, d * q[is]), a1);
                    a2 = f2.mul(FloatVector.fromArray(Vec.F, x, xh + 32 + k)).fma(FloatVector.broadcast(Vec.F, d * q[is + 2]), a2);
                    a1 = f3.mul(FloatVector.fromArray(Vec.F, x, xh + 64 + k)).fma(FloatVector.broadcast(Vec.F, d * q[is + 4]), a1);
                    a2 = f4.mul(FloatVector.fromArray(Vec.F, x, xh + 96 + k)).fma(FloatVector.broadcast(Vec.F, d * q[is + 6]), a2);
                }
            }
            for (int i = 0; i < 16; i++) offset += d * q[SC + i] * xs[16 * b + i];
        }
        a1.add(a2).intoArray(acc, 0);
        return Vec.sum(acc) - 32 * offset;
    }

    @Override
    public float dot(MemorySegment w, long off, float[] x, int xOff, int n) {
        if (!Vec.OK) return dotScalar(w, off, x, xOff, n);
        return fused(w, off, x, xOff, n, KQuants.sums(x, xOff, n, 16), BLK.get(), KQuants.acc());
    }

    @Override
    public void matvec(MemorySegment w, int n, float[] x, int xOff, float[] out, int outOff, int r0, int r1) {
        if (!Vec.OK) {
            QuantOps.matvec(this, w, n, x, xOff, out, outOff, r0, r1);
            return;
        }
        float[] xs = KQuants.sums(x, xOff, n, 16);
        byte[] q = BLK.get();
        float[] acc = KQuants.acc();
        long rb = rowBytes(n);
        for (int r = r0; r < r1; r++) out[outOff + r] = fused(w, r * rb, x, xOff, n, xs, q, acc);
    }

    @Override
    public void gemm(MemorySegment w, int n, float[] x, int nb, float[] out, int outStride, int r0, int r1) {
        BlockOps.gemm(this, w, n, x, nb, out, outStride, r0, r1);
    }
}
