package dev.shovel.backend;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The float steps of attention's tiles. A tile is {@link #KT} key positions, two float vectors: scores come out
 * lane-parallel (keys transposed, so no lane sums), probabilities by the vector exp, weighted values with the value
 * rows streamed under accumulators held in registers.
 */
final class AttnMath {
    private AttnMath() {}

    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final int L = F.length();
    /** Key positions per tile: two vectors. */
    static final int KT = 2 * L;

    /**
     * Scores of queries A and B (at q[qa..], q[qb..], hd each) against a tile's keys, transposed at kt[ko + d * KT + j]:
     * scale * sum over d of q[d] k[d][j], accumulated over d in order, one chain per query and half tile. Out to
     * out[so..so+KT) for A and out[so+KT..so+2KT) for B.
     */
    static void scores2(float[] kt, int ko, float[] q, int qa, int qb, int hd, float scale, float[] out, int so) {
        FloatVector a0 = FloatVector.zero(F), a1 = a0, b0 = a0, b1 = a0;
        for (int d = 0; d < hd; d++) {
            FloatVector k0 = FloatVector.fromArray(F, kt, ko + d * KT), k1 = FloatVector.fromArray(F, kt, ko + d * KT + L);
            FloatVector x = FloatVector.broadcast(F, q[qa + d]), y = FloatVector.broadcast(F, q[qb + d]);
            a0 = k0.fma(x, a0);
            a1 = k1.fma(x, a1);
            b0 = k0.fma(y, b0);
            b1 = k1.fma(y, b1);
        }
        a0.mul(scale).intoArray(out, so);
        a1.mul(scale).intoArray(out, so + L);
        b0.mul(scale).intoArray(out, so + KT);
        b1.mul(scale).intoArray(out, so + KT + L);
    }

    /** The largest of s[so..so+KT). */
    static float max(float[] s, int so) {
        return FloatVector.fromArray(F, s, so).max(FloatVector.fromArray(F, s, so + L)).reduceLanes(VectorOperators.MAX);
    }

    private static final float LOG2E = 1.44269504f, LN2_HI = 0.693359375f, LN2_LO = -2.12194440e-4f;

    /**
     * s[so..so+KT) = exp(s - m) (0 where s - m < -87, -inf included); adds the tile's lanes to l[lo..lo+L). Not the
     * Vector API's EXP, whose bits differ by JIT tier (a row must get the same bits early and late in the process's
     * life): adds, multiplies and FMAs alone. x = k ln 2 + r with |r| <= ln 2 / 2, a degree-6 Taylor polynomial for
     * e^r (relative error below 2e-7), 2^k from the exponent bits. Written out here, not in a helper: a vector passed
     * to a call C2 does not inline is an allocation.
     */
    static void exp(float[] s, int so, float m, float[] l, int lo) {
        FloatVector sum = FloatVector.fromArray(F, l, lo);
        for (int h = 0; h < KT; h += L) {
            FloatVector x = FloatVector.fromArray(F, s, so + h).sub(m);
            VectorMask<Float> tiny = x.compare(VectorOperators.LT, -87f);
            FloatVector xc = x.max(-87f);
            IntVector k = (IntVector) xc.mul(LOG2E).sub(0.5f).convert(VectorOperators.F2I, 0); // x <= 0: truncation rounds
            FloatVector kf = (FloatVector) k.convert(VectorOperators.I2F, 0);
            FloatVector r = kf.fma(FloatVector.broadcast(F, -LN2_HI), xc);
            r = kf.fma(FloatVector.broadcast(F, -LN2_LO), r);
            FloatVector p = FloatVector.broadcast(F, 1f / 720).fma(r, FloatVector.broadcast(F, 1f / 120));
            p = p.fma(r, FloatVector.broadcast(F, 1f / 24));
            p = p.fma(r, FloatVector.broadcast(F, 1f / 6));
            p = p.fma(r, FloatVector.broadcast(F, 0.5f));
            p = p.fma(r, FloatVector.broadcast(F, 1f));
            p = p.fma(r, FloatVector.broadcast(F, 1f));
            FloatVector e = p.mul(k.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats()).blend(0f, tiny);
            e.intoArray(s, so + h);
            sum = sum.add(e);
        }
        sum.intoArray(l, lo);
    }

    /** e^x for one x <= 0: the same steps as a lane of {@link #exp}, so the same bits. */
    static float exp1(float x) {
        if (x < -87f) return 0f;
        int k = (int) (x * LOG2E - 0.5f);
        float kf = k;
        float r = Math.fma(kf, -LN2_HI, x);
        r = Math.fma(kf, -LN2_LO, r);
        float p = Math.fma(1f / 720, r, 1f / 120);
        p = Math.fma(p, r, 1f / 24);
        p = Math.fma(p, r, 1f / 6);
        p = Math.fma(p, r, 0.5f);
        p = Math.fma(p, r, 1f);
        p = Math.fma(p, r, 1f);
        return p * Float.intBitsToFloat(k + 127 << 23);
    }

    /** The lanes of l[lo..lo+L) summed in order. */
    static float sum(float[] l, int lo) {
        float t = 0;
        for (int i = 0; i < L; i++) t += l[lo + i];
        return t;
    }

    static int lanes() { return L; }

    /** acc[ao..ao+hd) += sum over the tile's j of p[po + j] * v[vo + j * hd..], j in order. */
    static void weighted(float[] p, int po, float[] v, int vo, float[] acc, int ao, int hd) {
        int d = 0;
        for (; d <= hd - 2 * L; d += 2 * L) {
            FloatVector a = FloatVector.fromArray(F, acc, ao + d), b = FloatVector.fromArray(F, acc, ao + d + L);
            for (int j = 0; j < KT; j++) {
                FloatVector w = FloatVector.broadcast(F, p[po + j]);
                a = FloatVector.fromArray(F, v, vo + j * hd + d).fma(w, a);
                b = FloatVector.fromArray(F, v, vo + j * hd + d + L).fma(w, b);
            }
            a.intoArray(acc, ao + d);
            b.intoArray(acc, ao + d + L);
        }
        for (; d <= hd - L; d += L) {
            FloatVector a = FloatVector.fromArray(F, acc, ao + d);
            for (int j = 0; j < KT; j++) a = FloatVector.fromArray(F, v, vo + j * hd + d).fma(FloatVector.broadcast(F, p[po + j]), a);
            a.intoArray(acc, ao + d);
        }
        for (; d < hd; d++) {
            float a = acc[ao + d];
            for (int j = 0; j < KT; j++) a = Math.fma(p[po + j], v[vo + j * hd + d], a);
            acc[ao + d] = a;
        }
    }

    /** y[yo..yo+n) *= a. */
    static void scale(float[] y, int yo, int n, float a) {
        int i = 0;
        for (; i <= n - L; i += L) FloatVector.fromArray(F, y, yo + i).mul(a).intoArray(y, yo + i);
        for (; i < n; i++) y[yo + i] *= a;
    }
}
