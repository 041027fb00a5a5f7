package dev.shovel.backend;

/** Rotary-embedding angles, shared by the backends. */
public final class Rope {
    private Rope() {}

    /** Fills cs[2i] = cos(theta_i), cs[2i+1] = sin(theta_i) for the pairs of one position. */
    public static void table(RopeSpec spec, int pos, float[] cs) {
        int half = spec.nRot() / 2;
        double p = pos * (double) spec.posScale();
        for (int i = 0; i < half; i++) {
            double theta = p * Math.pow(spec.base(), -2.0 * i / spec.nRot());
            if (spec.factors() != null) theta /= spec.factors()[i];
            cs[2 * i] = (float) Math.cos(theta);
            cs[2 * i + 1] = (float) Math.sin(theta);
        }
    }
}
