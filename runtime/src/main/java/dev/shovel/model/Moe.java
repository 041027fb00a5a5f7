package dev.shovel.model;

import dev.shovel.ShovelException;
import dev.shovel.gguf.GGUFFile;
import dev.shovel.gguf.GGUFLimits;

/**
 * A mixture-of-experts feed-forward block, as llama.cpp's {@code build_moe_ffn}: a router ({@code ffn_gate_inp})
 * scores the experts per token, the top {@code nUsed} run their SiLU-gated FFN ({@code ffn_*_exps}) and the outputs
 * are summed with the routing weights; shared experts ({@code ffn_*_shexp}) run on every token.
 *
 * @param expertFf     width of one expert's FFN
 * @param sharedFf     width of the shared experts' FFN (all of them as one), 0 without
 * @param gating       how routing weights are formed
 * @param normTopK     the selected weights are divided by their sum
 * @param weightsScale the routing weights are multiplied by this
 * @param sharedGate   the shared FFN's output is multiplied by sigmoid({@code ffn_gate_inp_shexp} · x) (qwen2moe)
 * @param leadingDense the first layers keep a dense FFN (deepseek2)
 * @param swigluLimit  0: SiLU-gated experts; otherwise gpt-oss's clamped SwiGLU with this limit (alpha 1.702)
 */
public record Moe(int nExpert, int nUsed, int expertFf, int sharedFf, Gating gating, boolean normTopK,
                  float weightsScale, boolean sharedGate, int leadingDense, float swigluLimit) {

    /** gpt-oss's SwiGLU: x sigmoid(1.702 x). */
    public static final float OAI_ALPHA = 1.702f;

    /** SOFTMAX: top-k of softmax over all experts; SOFTMAX_WEIGHT: top-k of the raw logits, softmax over those k. */
    public enum Gating { SOFTMAX, SOFTMAX_WEIGHT }

    /** Whether layer {@code l} routes its FFN through experts. */
    public boolean at(int l) { return l >= leadingDense; }

    /** The settings of the file, or null for a dense model. */
    static Moe from(GGUFFile f, String arch, int nFf, int nLayer) {
        String p = arch + ".";
        int n = Hparams.get(f, p + "expert_count", 0, 0, GGUFLimits.MAX_EXPERTS);
        if (n == 0) return null;
        int used = Hparams.get(f, p + "expert_used_count", 0, 0, n);
        if (used <= 0) {
            throw new ShovelException("bad expert counts: " + p + "expert_count " + n + ", " + p + "expert_used_count " + used);
        }
        int ff = switch (arch) {
            case "llama" -> nFf; // Mixtral: the experts are feed_forward_length wide
            default -> Hparams.get(f, p + "expert_feed_forward_length", nFf / used, 1, GGUFLimits.MAX_WIDTH);
        };
        int shared = switch (arch) {
            case "qwen2moe" -> Hparams.get(f, p + "expert_shared_feed_forward_length", nFf, 0, GGUFLimits.MAX_WIDTH);
            default -> Hparams.get(f, p + "expert_shared_count", 0, 0, GGUFLimits.MAX_WIDTH / ff) * ff;
        };
        // as llama.cpp: Mixtral and qwen3moe always renormalize the top k, qwen2moe and gpt-oss never; deepseek2 reads
        // its keys for that, the weights scale and the gating function
        boolean ds = arch.equals("deepseek2");
        boolean norm = ds ? f.getBool(p + "expert_weights_norm", false) : arch.equals("llama") || arch.equals("qwen3moe");
        float scale = ds ? Hparams.finite(f, p + "expert_weights_scale", 1f) : 1f;
        boolean oai = arch.equals("gpt-oss");
        int dense = Hparams.get(f, p + "leading_dense_block_count", 0, 0, nLayer);
        int func = ds ? f.getInt(p + "expert_gating_func", 1) : 1;
        if (func != 1) throw new ShovelException(p + "expert_gating_func " + func + " (sigmoid routing) is not supported yet; softmax (1) is");
        if (ff <= 0 || shared < 0 || dense < 0 || dense > nLayer) {
            throw new ShovelException("bad expert sizes: expert ff " + ff + ", shared ff " + shared + ", leading dense blocks " + dense);
        }
        return new Moe(n, used, ff, shared, oai ? Gating.SOFTMAX_WEIGHT : Gating.SOFTMAX, norm,
                scale, arch.equals("qwen2moe"), dense, oai ? 7f : 0f);
    }

    /**
     * Routes one token: from the router's {@code nExpert} logits at {@code logits[off..]}, the chosen experts (best
     * first) into {@code ids} and their weights into {@code w}; {@code p} is scratch of nExpert floats.
     */
    public void route(float[] logits, int off, float[] p, int[] ids, float[] w) {
        if (gating == Gating.SOFTMAX) softmax(logits, off, nExpert, p, 0);
        else System.arraycopy(logits, off, p, 0, nExpert);
        for (int k = 0; k < nUsed; k++) { // selection by repeated maximum: the first of equal scores wins
            int best = -1;
            for (int e = 0; e < nExpert; e++) {
                if (taken(ids, k, e)) continue;
                if (best < 0 || p[e] > p[best]) best = e;
            }
            ids[k] = best;
            w[k] = p[best];
        }
        if (gating == Gating.SOFTMAX_WEIGHT) softmax(w, 0, nUsed, w, 0);
        if (normTopK) {
            float sum = 0;
            for (int k = 0; k < nUsed; k++) sum += w[k];
            sum = Math.max(sum, 6.103515625e-5f); // ggml clamps the divisor
            for (int k = 0; k < nUsed; k++) w[k] /= sum;
        }
        if (weightsScale != 1f) for (int k = 0; k < nUsed; k++) w[k] *= weightsScale;
    }

    private static boolean taken(int[] ids, int k, int e) {
        for (int i = 0; i < k; i++) if (ids[i] == e) return true;
        return false;
    }

    /** out[o..o+n) = softmax(x[off..off+n)), the sum in double as ggml's soft_max. */
    static void softmax(float[] x, int off, int n, float[] out, int o) {
        float max = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) max = Math.max(max, x[off + i]);
        double sum = 0;
        for (int i = 0; i < n; i++) sum += out[o + i] = (float) Math.exp(x[off + i] - max);
        float inv = (float) (1.0 / sum);
        for (int i = 0; i < n; i++) out[o + i] *= inv;
    }

    /** One line for {@code info}. */
    String describe() {
        String d = "experts: " + nExpert + ", " + nUsed + " used per token, expert ff " + expertFf + ", gating "
                + (gating == Gating.SOFTMAX ? "softmax" : "softmax over the top " + nUsed) + (normTopK ? ", top-k renormalized" : "");
        if (weightsScale != 1f) d += ", weights x " + weightsScale;
        if (sharedFf > 0) d += ", shared experts ff " + sharedFf + (sharedGate ? " with a sigmoid gate" : "");
        if (swigluLimit > 0) d += ", clamped SwiGLU (limit " + swigluLimit + ")";
        if (leadingDense > 0) d += ", first " + leadingDense + (leadingDense == 1 ? " layer" : " layers") + " dense";
        return d;
    }
}
