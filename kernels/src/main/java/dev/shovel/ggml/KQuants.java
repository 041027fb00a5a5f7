package dev.shovel.ggml;

import static dev.shovel.ggml.QuantMath.nearestInt;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Shared pieces of the K-quant reference quantizers (ggml's make_qkx2_quants, make_qx_quants, make_q3_quants) and
 * the 6-bit scale/min packing of Q4_K and Q5_K. Float operations follow ggml's order so blocks come out identical.
 */
final class KQuants {
    private KQuants() {}

    static final int QK_K = 256;
    static final float GROUP_MAX_EPS = 1e-15f;

    /**
     * Fits x[xo..xo+n) ≈ scale * L - min with L in [0, nmax], searching nstep+1 candidate scales for the lowest
     * weighted error. Writes L[lo..lo+n), stores the (positive) min in mins[mi] and returns the scale.
     */
    static float makeQkx2(int n, int nmax, float[] x, int xo, float[] wts, int[] L, int lo, float[] mins, int mi,
                          float rmin, float rdelta, int nstep, boolean useMad) {
        float min = x[xo], max = x[xo];
        float sumW = wts[0], sumX = sumW * x[xo];
        for (int i = 1; i < n; i++) {
            float v = x[xo + i];
            if (v < min) min = v;
            if (v > max) max = v;
            float w = wts[i];
            sumW += w;
            sumX += w * v;
        }
        if (min > 0) min = 0;
        if (max == min) {
            for (int i = 0; i < n; i++) L[lo + i] = 0;
            mins[mi] = -min;
            return 0f;
        }
        float iscale = nmax / (max - min);
        float scale = 1 / iscale;
        float bestError = 0;
        for (int i = 0; i < n; i++) {
            int l = nearestInt(iscale * (x[xo + i] - min));
            L[lo + i] = Math.max(0, Math.min(nmax, l));
            float diff = scale * L[lo + i] + min - x[xo + i];
            diff = useMad ? Math.abs(diff) : diff * diff;
            bestError += wts[i] * diff;
        }
        if (nstep < 1) {
            mins[mi] = -min;
            return scale;
        }
        int[] aux = new int[n];
        for (int is = 0; is <= nstep; is++) {
            iscale = (rmin + rdelta * is + nmax) / (max - min);
            float sumL = 0, sumL2 = 0, sumXL = 0;
            for (int i = 0; i < n; i++) {
                int l = Math.max(0, Math.min(nmax, nearestInt(iscale * (x[xo + i] - min))));
                aux[i] = l;
                float w = wts[i];
                sumL += w * l;
                sumL2 += w * l * l;
                sumXL += w * l * x[xo + i];
            }
            float det = sumW * sumL2 - sumL * sumL;
            if (det > 0) {
                float thisScale = (sumW * sumXL - sumX * sumL) / det;
                float thisMin = (sumL2 * sumX - sumL * sumXL) / det;
                if (thisMin > 0) {
                    thisMin = 0;
                    thisScale = sumXL / sumL2;
                }
                float err = 0;
                for (int i = 0; i < n; i++) {
                    float diff = thisScale * aux[i] + thisMin - x[xo + i];
                    diff = useMad ? Math.abs(diff) : diff * diff;
                    err += wts[i] * diff;
                }
                if (err < bestError) {
                    System.arraycopy(aux, 0, L, lo, n);
                    bestError = err;
                    scale = thisScale;
                    min = thisMin;
                }
            }
        }
        mins[mi] = -min;
        return scale;
    }

    /**
     * Symmetric fit x ≈ scale * (L - nmax) with L in [0, 2 nmax), weights x², trying 19 scales around -nmax/max
     * (make_qx_quants with rmse_type 1 and no importance weights).
     */
    static float makeQx(int n, int nmax, float[] x, int xo, int[] L, int lo) {
        float max = 0, amax = 0;
        for (int i = 0; i < n; i++) {
            float ax = Math.abs(x[xo + i]);
            if (ax > amax) { amax = ax; max = x[xo + i]; }
        }
        if (amax < GROUP_MAX_EPS) {
            for (int i = 0; i < n; i++) L[lo + i] = 0;
            return 0f;
        }
        float iscale = -nmax / max;
        float sumlx = 0, suml2 = 0;
        for (int i = 0; i < n; i++) {
            float v = x[xo + i];
            int l = Math.max(-nmax, Math.min(nmax - 1, nearestInt(iscale * v)));
            L[lo + i] = l + nmax;
            float w = v * v;
            sumlx += w * v * l;
            suml2 += w * l * l;
        }
        float scale = suml2 != 0 ? sumlx / suml2 : 0f;
        float best = scale * sumlx;
        for (int is = -9; is <= 9; is++) {
            if (is == 0) continue;
            iscale = -(nmax + 0.1f * is) / max;
            sumlx = suml2 = 0;
            for (int i = 0; i < n; i++) {
                float v = x[xo + i];
                int l = Math.max(-nmax, Math.min(nmax - 1, nearestInt(iscale * v)));
                float w = v * v;
                sumlx += w * v * l;
                suml2 += w * l * l;
            }
            if (suml2 > 0 && sumlx * sumlx > best * suml2) {
                for (int i = 0; i < n; i++) {
                    L[lo + i] = nmax + Math.max(-nmax, Math.min(nmax - 1, nearestInt(iscale * x[xo + i])));
                }
                scale = sumlx / suml2;
                best = scale * sumlx;
            }
        }
        return scale;
    }

    /** make_q3_quants with rmse: symmetric fit in [-nmax, nmax) refined by coordinate descent; L offset by nmax. */
    static float makeQ3(int n, int nmax, float[] x, int xo, int[] L, int lo) {
        float max = 0, amax = 0;
        for (int i = 0; i < n; i++) {
            float ax = Math.abs(x[xo + i]);
            if (ax > amax) { amax = ax; max = x[xo + i]; }
        }
        if (amax < GROUP_MAX_EPS) {
            for (int i = 0; i < n; i++) L[lo + i] = 0;
            return 0f;
        }
        float iscale = -nmax / max;
        float sumlx = 0, suml2 = 0;
        for (int i = 0; i < n; i++) {
            float v = x[xo + i];
            int l = Math.max(-nmax, Math.min(nmax - 1, nearestInt(iscale * v)));
            L[lo + i] = l;
            float w = v * v;
            sumlx += w * v * l;
            suml2 += w * l * l;
        }
        for (int itry = 0; itry < 5; itry++) {
            int changed = 0;
            for (int i = 0; i < n; i++) {
                float v = x[xo + i];
                float w = v * v;
                float slx = sumlx - w * v * L[lo + i];
                if (slx > 0) {
                    float sl2 = suml2 - w * L[lo + i] * L[lo + i];
                    int nl = Math.max(-nmax, Math.min(nmax - 1, nearestInt(v * sl2 / slx)));
                    if (nl != L[lo + i]) {
                        slx += w * v * nl;
                        sl2 += w * nl * nl;
                        if (sl2 > 0 && slx * slx * suml2 > sumlx * sumlx * sl2) {
                            L[lo + i] = nl;
                            sumlx = slx;
                            suml2 = sl2;
                            changed++;
                        }
                    }
                }
            }
            if (changed == 0) break;
        }
        for (int i = 0; i < n; i++) L[lo + i] += nmax;
        return suml2 > 0 ? sumlx / suml2 : 0f;
    }

    /** Scale j (0..7) of the 12 packed scale bytes at {@code s} (get_scale_min_k4). */
    static int scaleK4(MemorySegment w, long s, int j) {
        if (j < 4) return b(w, s + j) & 63;
        return b(w, s + j + 4) & 0xf | (b(w, s + j - 4) >> 6) << 4;
    }

    /** Min j (0..7) of the 12 packed scale bytes at {@code s}. */
    static int minK4(MemorySegment w, long s, int j) {
        if (j < 4) return b(w, s + j + 4) & 63;
        return b(w, s + j + 4) >> 4 | (b(w, s + j) >> 6) << 4;
    }

    /** {@link #scaleK4} from a block copied to {@code q} (the fused Q4_K dot): array reads are cheaper in its loop. */
    static int scaleK4(byte[] q, int s, int j) {
        if (j < 4) return q[s + j] & 63;
        return q[s + j + 4] & 0xf | ((q[s + j - 4] & 0xff) >> 6) << 4;
    }

    /** {@link #minK4} from a block copied to {@code q}. */
    static int minK4(byte[] q, int s, int j) {
        if (j < 4) return q[s + j + 4] & 63;
        return (q[s + j + 4] & 0xff) >> 4 | ((q[s + j] & 0xff) >> 6) << 4;
    }

    /** Packs 8 six-bit scales and mins into 12 bytes at {@code s}. */
    static void packK4(MemorySegment w, long s, int[] ls, int[] lm) {
        byte[] q = new byte[12];
        for (int j = 0; j < 8; j++) {
            if (j < 4) {
                q[j] = (byte) ls[j];
                q[j + 4] = (byte) lm[j];
            } else {
                q[j + 4] = (byte) (ls[j] & 0xf | (lm[j] & 0xf) << 4);
                q[j - 4] |= (byte) ((ls[j] >> 4) << 6);
                q[j] |= (byte) ((lm[j] >> 4) << 6);
            }
        }
        MemorySegment.copy(q, 0, w, ValueLayout.JAVA_BYTE, s, 12);
    }

    static int b(MemorySegment w, long off) { return w.get(ValueLayout.JAVA_BYTE, off) & 0xff; }

    /** Per-thread array the fused dots leave their vector accumulator in, for {@link Vec#sum(float[])}. */
    private static final ThreadLocal<float[]> ACC = ThreadLocal.withInitial(() -> new float[Vec.L]);

    static float[] acc() { return ACC.get(); }

    /** Per-thread buffer of sub-block sums of the activations. */
    private static final ThreadLocal<float[]> SUMS = ThreadLocal.withInitial(() -> new float[512]);

    /**
     * Sums of x[xOff..xOff+n) over consecutive runs of {@code size}, in a per-thread buffer: the fused K-quant dots
     * take a sub-block's min or offset term as its scale times this sum. Computed once per matvec, in a fixed order.
     */
    static float[] sums(float[] x, int xOff, int n, int size) {
        float[] s = SUMS.get();
        if (s.length < n / size) SUMS.set(s = new float[n / size]);
        for (int i = 0; i < n / size; i++) {
            float t = 0;
            for (int j = 0; j < size; j++) t += x[xOff + i * size + j];
            s[i] = t;
        }
        return s;
    }

    /** Weights av_x + |x| of one 32-element sub-block, as quantize_row_q4_K_ref / q5_K_ref use. */
    static void rmsWeights(float[] x, int xo, float[] wts) {
        float sumX2 = 0;
        for (int l = 0; l < 32; l++) sumX2 += x[xo + l] * x[xo + l];
        float av = (float) Math.sqrt(sumX2 / 32);
        for (int l = 0; l < 32; l++) wts[l] = av + Math.abs(x[xo + l]);
    }
}
