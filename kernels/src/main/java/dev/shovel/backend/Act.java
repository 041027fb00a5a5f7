package dev.shovel.backend;

/** Activation functions. */
public final class Act {
    private Act() {}

    private static final float SQRT_2_OVER_PI = 0.7978845608028654f;

    public static float silu(float x) { return x / (1f + (float) Math.exp(-x)); }

    /** tanh approximation of GELU, as ggml's {@code ggml_gelu_f32}. */
    public static float gelu(float x) {
        return 0.5f * x * (1f + (float) Math.tanh(SQRT_2_OVER_PI * x * (1f + 0.044715f * x * x)));
    }

    /** gpt-oss's clamped SwiGLU (ggml's swiglu_oai): x = min(g, limit), y = clamp(u, -limit, limit), x sigmoid(alpha x) (y + 1). */
    public static float swigluOai(float g, float u, float alpha, float limit) {
        float x = Math.min(g, limit), y = Math.max(Math.min(u, limit), -limit);
        return x / (1f + (float) Math.exp(alpha * -x)) * (y + 1f);
    }
}
