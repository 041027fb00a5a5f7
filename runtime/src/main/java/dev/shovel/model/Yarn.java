package dev.shovel.model;

/**
 * YaRN RoPE scaling (ggml's rope_yarn with ext_factor 1): pair i rotates by theta_extrap * (s (1 - r_i) + r_i), with
 * s = 1 / factor and r_i a ramp from 1 (fast pairs keep their frequency) to 0 (slow pairs are interpolated) between
 * the correction dims of beta_fast and beta_slow; cos and sin are multiplied by {@link #mscale}. As a frequency
 * divisor per pair ({@link dev.shovel.backend.RopeSpec#factors}) and a scale of q and k, it needs no kernel of its own.
 */
final class Yarn {
    private Yarn() {}

    /** Per-pair divisors of the angle, 1 / (s (1 - r_i) + r_i). */
    static float[] factors(int nRot, float base, float factor, int origCtx, float betaFast, float betaSlow) {
        float s = 1f / factor;
        float low = Math.max(0, (float) Math.floor(corrDim(nRot, origCtx, betaFast, base)));
        float high = Math.min(nRot - 1, (float) Math.ceil(corrDim(nRot, origCtx, betaSlow, base)));
        float[] f = new float[nRot / 2];
        for (int i = 0; i < f.length; i++) {
            float y = (i - low) / Math.max(0.001f, high - low), ramp = 1f - Math.min(1f, Math.max(0f, y));
            f[i] = 1f / (s * (1f - ramp) + ramp);
        }
        return f;
    }

    /** The pair index whose wavelength makes {@code rotations} turns over the original context (ggml's corr_dim). */
    private static double corrDim(int nRot, int origCtx, float rotations, float base) {
        return nRot * Math.log(origCtx / (rotations * 2 * Math.PI)) / (2 * Math.log(base));
    }

    /** The magnitude correction of cos and sin, 1 + 0.1 ln(factor). */
    static float mscale(float factor) { return factor <= 1f ? 1f : 1f + 0.1f * (float) Math.log(factor); }
}
