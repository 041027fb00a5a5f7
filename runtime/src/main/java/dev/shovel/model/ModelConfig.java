package dev.shovel.model;

import dev.shovel.ShovelException;
import dev.shovel.backend.AttnSpec;
import dev.shovel.backend.RopeSpec;
import dev.shovel.ggml.TypeOps;
import dev.shovel.gguf.GGUFFile;
import dev.shovel.gguf.GGUFLimits;
import dev.shovel.gguf.GGUFValueType;
import dev.shovel.gguf.TensorInfo;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Hyper-parameters of a model, read from the {@code <arch>.*} GGUF keys and the tensors present. Architectures differ
 * only through {@link Architecture}, the scales here, and the per-layer {@link LayerSpec}s.
 *
 * @param embdScale     token embeddings are multiplied by this (gemma: sqrt(n_embd); granite: embedding_scale)
 * @param residualScale each block's output is multiplied by this before the residual add (granite)
 * @param logitScale    logits are multiplied by this (granite: 1 / logit_scale)
 * @param finalSoftcap  logits become c * tanh(logits / c) when c > 0 (gemma2)
 * @param ropeAttnFactor RoPE'd Q and K are multiplied by this ({@code rope.scaling.attn_factor}, LongRoPE)
 * @param ropeOrigCtx   contexts larger than this use {@link LayerSpec#ropeLong()}
 * @param moe           the mixture-of-experts FFN, or null for a dense model
 * @param mla           multi-head latent attention (deepseek2), or null; then headDim is its cached row
 */
public record ModelConfig(
        Architecture arch,
        int nEmbd,
        int nLayer,
        int nHead,
        int nHeadKv,
        int headDim,
        int nFf,
        int nVocab,
        int ctxTrain,
        float normEps,
        float embdScale,
        float residualScale,
        float logitScale,
        float finalSoftcap,
        float ropeAttnFactor,
        int ropeOrigCtx,
        boolean tiedOutput,
        List<LayerSpec> layers,
        Moe moe,
        Mla mla) {

    public static final List<String> SUPPORTED = Architecture.SUPPORTED;

    public int qDim() { return nHead * headDim; }
    public int kvDim() { return nHeadKv * headDim; }
    public LayerSpec layer(int l) { return layers.get(l); }

    public static ModelConfig from(GGUFFile f) {
        String name = f.getString("general.architecture", null);
        if (name == null) throw new ShovelException(f.path() + " has no general.architecture key");
        Architecture a = Architecture.of(name);
        String p = name + ".";
        // the hyper-parameters as a set, bounded before anything is sized by them
        int nEmbd = Hparams.get(f, p + "embedding_length", 1, GGUFLimits.MAX_WIDTH);
        int nLayer = Hparams.get(f, p + "block_count", 1, GGUFLimits.MAX_LAYERS);
        Hparams.blocks(f, p + "block_count", nLayer);
        int nHead = Hparams.get(f, p + "attention.head_count", 1, GGUFLimits.MAX_HEADS);
        int nHeadKv = Hparams.get(f, p + "attention.head_count_kv", nHead, 1, nHead);
        if (nHead % nHeadKv != 0) {
            throw new ShovelException("bad head counts: " + p + "attention.head_count " + nHead + " is not a multiple of "
                    + p + "attention.head_count_kv " + nHeadKv);
        }
        if (!f.has(p + "attention.key_length") && nEmbd % nHead != 0) {
            throw new ShovelException(p + "attention.head_count " + nHead + " does not divide " + p + "embedding_length " + nEmbd);
        }
        int headDim = Hparams.get(f, p + "attention.key_length", nEmbd / nHead, 1, GGUFLimits.MAX_WIDTH / nHead);
        int vDim = Hparams.get(f, p + "attention.value_length", headDim, 1, GGUFLimits.MAX_WIDTH / nHead);
        boolean mlaArch = name.equals("deepseek2");
        if (vDim != headDim && !mlaArch) { // MLA caches one latent row: its keys and values are views of it
            throw new ShovelException("value_length " + vDim + " differs from key_length " + headDim + " (not supported)");
        }
        TensorInfo embd = f.tensor("token_embd.weight");
        if (embd == null) throw new ShovelException(f.path() + " has no token_embd.weight tensor");
        if (embd.dims().length != 2) throw new ShovelException("tensor token_embd.weight has shape " + embd.shape() + ", expected 2 dimensions");
        int nVocab = Hparams.bounded("token_embd.weight rows (the vocabulary)", embd.dims()[1], 1, GGUFLimits.MAX_VOCAB);
        float eps = a.layerNorm() ? f.getFloat(p + "attention.layer_norm_epsilon", 1e-5f)
                : f.getFloat(p + "attention.layer_norm_rms_epsilon", 1e-5f);
        int ctxTrain = Hparams.get(f, p + "context_length", 2048, 1, GGUFLimits.MAX_CONTEXT);
        int ropeOrigCtx = Hparams.get(f, p + "rope.scaling.original_context_length", ctxTrain, 1, GGUFLimits.MAX_CONTEXT);

        // scales and soft-caps (llama.cpp's f_*_scale / f_*_softcapping; 0 in a key means "off")
        float embdScale = a.scaleEmbd() ? (float) Math.sqrt(nEmbd) : 1f;
        float residualScale = 1f, logitScale = 1f, attnSoftcap = 0f, finalSoftcap = 0f;
        float attnScale = 1f / (float) Math.sqrt(headDim);
        switch (name) {
            case "granite" -> {
                embdScale = orElse(f.getFloat(p + "embedding_scale", 0f), 1f);
                residualScale = orElse(f.getFloat(p + "residual_scale", 0f), 1f);
                logitScale = 1f / orElse(f.getFloat(p + "logit_scale", 0f), 1f);
                attnScale = orElse(f.getFloat(p + "attention.scale", 0f), attnScale);
            }
            case "gemma2" -> {
                attnSoftcap = f.getFloat(p + "attn_logit_softcapping", 50f);
                finalSoftcap = f.getFloat(p + "final_logit_softcapping", 30f);
            }
            case "gemma3" -> finalSoftcap = f.getFloat(p + "final_logit_softcapping", 0f);
            default -> { }
        }
        // Gemma 2/3 27B scale queries by 1/sqrt(n_embd/n_head) (query_pre_attn_scalar, not in GGUF); llama.cpp
        // recognises those models by their layer counts
        if (name.equals("gemma2") && nLayer == 46 || name.equals("gemma3") && nLayer == 62) {
            attnScale = 1f / (float) Math.sqrt(nEmbd / nHead);
        }

        // sliding-window layers: gemma2 every other layer, gemma3 five of six, olmo2 three of four
        int window = switch (name) {
            case "gemma2" -> Hparams.get(f, p + "attention.sliding_window", 4096, 0, GGUFLimits.MAX_CONTEXT);
            case "gemma3", "olmo2", "gpt-oss" -> Hparams.get(f, p + "attention.sliding_window", 0, 0, GGUFLimits.MAX_CONTEXT);
            default -> 0;
        };
        int period = switch (name) {
            case "gemma2", "gpt-oss" -> 2;
            case "gemma3" -> 6;
            default -> 4;
        };
        boolean[] sliding = window > 0 ? slidingLayers(f, p + "attention.sliding_window_pattern", nLayer, period)
                : new boolean[nLayer];

        // RoPE: base, linear scaling, frequency factors (Llama 3.1 rope_freqs, phi3 LongRoPE long/short)
        int nRot = Hparams.get(f, p + "rope.dimension_count", headDim, 0, GGUFLimits.MAX_WIDTH);
        Mla mla = mlaArch ? Mla.from(f, p, nRot) : null;
        if (mla != null) {
            if (mla.kvRow() != headDim || nHeadKv != 1) {
                throw new ShovelException("deepseek2: key_length " + headDim + " and head_count_kv " + nHeadKv
                        + " do not describe an MLA cache of kv_lora_rank + rope = " + mla.kvRow() + " in one head");
            }
            attnScale = 1f / (float) Math.sqrt(mla.qHead());
        }
        if (nRot > headDim || nRot % 2 != 0) {
            throw new ShovelException(p + "rope.dimension_count = " + nRot + " must be even and at most the head size " + headDim);
        }
        float base = Hparams.finite(f, p + "rope.freq_base", 10000f);
        if (!(base > 0)) throw new ShovelException(p + "rope.freq_base = " + base + " must be positive");
        float freqScale = freqScale(f, p);
        float[] freqs = factors(f, "rope_freqs.weight", nRot);
        float[] shortF = freqs != null ? freqs : factors(f, "rope_factors_short.weight", nRot);
        float[] longF = freqs != null ? null : factors(f, "rope_factors_long.weight", nRot);
        float attnFactor = f.getFloat(p + "rope.scaling.attn_factor", 1f);
        if (f.getString(p + "rope.scaling.type", "").equals("yarn")) { // YaRN: per-pair frequencies, scaled q and k
            float factor = f.getFloat(p + "rope.scaling.factor", 1f);
            if (!(factor > 0)) factor = 1f; // 0 means no scaling, as in llama.cpp
            float[] y = Yarn.factors(nRot, base, factor, ropeOrigCtx,
                    f.getFloat(p + "rope.scaling.yarn_beta_fast", 32f), f.getFloat(p + "rope.scaling.yarn_beta_slow", 1f));
            if (shortF != null) for (int i = 0; i < y.length; i++) y[i] *= shortF[i];
            shortF = y;
            if (mla == null) attnFactor *= Yarn.mscale(factor);
            else { // deepseek2: cos and sin stay unscaled; the scores carry mscale^2, mscale from yarn_log_multiplier
                float ms = 1f + f.getFloat(p + "rope.scaling.yarn_log_multiplier", 0f) * (float) Math.log(factor);
                attnScale *= ms * ms;
            }
        }
        if (attnFactor != 1f && nRot != headDim) {
            throw new ShovelException("rope.scaling.attn_factor with partial rotary dimensions is not supported");
        }
        // local layers of gemma3 rotate with their own base (default 10000) and no scaling
        float baseSwa = f.getFloat(p + "rope.freq_base_swa", name.equals("gemma3") ? 10000f : base);
        float scaleSwa = name.equals("gemma3") ? 1f : freqScale;
        boolean rope = !name.equals("granite") || f.getBool(p + "rope.scaling.finetuned", true);

        List<LayerSpec> layers = new ArrayList<>();
        for (int l = 0; l < nLayer; l++) {
            boolean noRope = !rope || name.equals("smollm3") && (l + 1) % 4 == 0; // smollm3: NoPE every 4th layer
            float b = sliding[l] ? baseSwa : base, s = sliding[l] ? scaleSwa : freqScale;
            RopeSpec r = noRope ? null : new RopeSpec(nRot, b, a.ropeNeox(), s, shortF);
            RopeSpec rl = noRope || longF == null ? null : new RopeSpec(nRot, b, a.ropeNeox(), s, longF);
            float[] sinks = f.tensor("blk." + l + ".attn_sinks.weight") == null ? null
                    : vector(f, "blk." + l + ".attn_sinks.weight", nHead); // gpt-oss
            layers.add(new LayerSpec(r, rl, new AttnSpec(nHead, nHeadKv, headDim, attnScale, sliding[l] ? window : 0,
                    attnSoftcap, sinks)));
        }
        int nFf = Hparams.get(f, p + "feed_forward_length", 1, GGUFLimits.MAX_WIDTH);
        return new ModelConfig(a, nEmbd, nLayer, nHead, nHeadKv, headDim, nFf, nVocab,
                ctxTrain, eps, embdScale, residualScale, logitScale, finalSoftcap, attnFactor,
                ropeOrigCtx, f.tensor("output.weight") == null,
                List.copyOf(layers), Moe.from(f, name, nFf, nLayer), mla);
    }

    private static float orElse(float v, float def) { return v == 0f ? def : v; }

    /** Position multiplier of linear RoPE scaling; other scaling types are refused rather than ignored. */
    private static float freqScale(GGUFFile f, String p) {
        String type = f.getString(p + "rope.scaling.type", "linear");
        float factor = f.getFloat(p + "rope.scaling.factor", f.getFloat(p + "rope.scale_linear", 0f));
        return switch (type) {
            case "none", "yarn" -> 1f; // YaRN: see Yarn
            case "linear", "longrope" -> factor == 0f ? 1f : 1f / factor;
            default -> throw new ShovelException("rope scaling type '" + type + "' is not supported");
        };
    }

    private static float[] factors(GGUFFile f, String tensor, int nRot) {
        TensorInfo t = f.tensor(tensor);
        if (t == null) return null;
        if (t.elements() != nRot / 2) {
            throw new ShovelException(tensor + " has " + t.elements() + " entries, expected n_rot/2 = " + nRot / 2);
        }
        return vector(f, tensor, nRot / 2);
    }

    /** The values of a 1-D tensor of {@code n} entries. */
    private static float[] vector(GGUFFile f, String tensor, int n) {
        TensorInfo t = f.tensor(tensor);
        if (t.dims().length != 1 || t.elements() != n) throw new ShovelException(tensor + " has shape " + t.shape() + ", expected [" + n + "]");
        float[] v = new float[n];
        TypeOps.of(t.type()).dequantize(f.tensorData(t), 0, v, 0, n);
        return v;
    }

    /**
     * Which layers use the sliding window: {@code key} holds a period n (layer l slides iff l % n < n - 1, so the
     * last of every n is global; 0 = all slide) or one flag per layer; absent, the architecture's default period.
     */
    static boolean[] slidingLayers(GGUFFile f, String key, int nLayer, int defaultPeriod) {
        boolean[] s = new boolean[nLayer];
        int[] v = f.getIntArray(key);
        if (v != null && f.get(key).type() == GGUFValueType.ARRAY) {
            if (v.length != nLayer) throw new ShovelException(key + " has " + v.length + " entries for " + nLayer + " layers");
            for (int l = 0; l < nLayer; l++) s[l] = v[l] != 0;
            return s;
        }
        int n = v != null ? v[0] : defaultPeriod;
        for (int l = 0; l < nLayer; l++) s[l] = n == 0 || l % n < n - 1;
        return s;
    }

    /** The derived configuration, one topic per line. */
    public String describe() {
        List<String> lines = new ArrayList<>(List.of(
                "architecture: " + arch.name() + " (" + traits() + ")",
                "n_embd: " + nEmbd + ", n_layer: " + nLayer + ", n_ff: " + nFf + ", n_vocab: " + nVocab,
                "n_head: " + nHead + ", n_head_kv: " + nHeadKv + ", head_dim: " + headDim,
                "context (training): " + ctxTrain + ", norm eps: " + normEps));
        AttnSpec a0 = layers.get(0).attn();
        String scales = "attention scale " + a0.scale() + (a0.softcap() > 0 ? ", attention soft-cap " + a0.softcap() : "");
        if (embdScale != 1f) scales += ", embedding scale " + embdScale;
        if (residualScale != 1f) scales += ", residual scale " + residualScale;
        lines.add(scales);
        // one line per kind of layer, with the layers of that kind
        java.util.Map<String, List<Integer>> kinds = new java.util.LinkedHashMap<>();
        for (int l = 0; l < nLayer; l++) kinds.computeIfAbsent(describe(layers.get(l)), k -> new ArrayList<>()).add(l);
        kinds.forEach((d, ls) -> lines.add((ls.size() == 1 ? "layer " : "layers ") + ranges(ls) + ": " + d));
        if (mla != null) lines.add("multi-head latent attention: kv_lora " + mla.kvLora() + (mla.qLora() > 0 ? ", q_lora " + mla.qLora() : "")
                + ", per head qk " + mla.qkNope() + " + rope " + mla.qkRope() + ", v " + mla.vHead() + "; cache row " + mla.kvRow());
        if (moe != null) lines.add(moe.describe());
        String out = "output: " + (tiedOutput ? "tied to token_embd" : "output.weight");
        if (logitScale != 1f) out += ", logits x " + logitScale;
        if (finalSoftcap > 0) out += ", final soft-cap " + finalSoftcap;
        lines.add(out);
        return String.join("\n", lines);
    }

    /** 0-4, 6-10, 12 */
    static String ranges(List<Integer> ls) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < ls.size(); ) {
            int j = i;
            while (j + 1 < ls.size() && ls.get(j + 1) == ls.get(j) + 1) j++;
            if (sb.length() > 0) sb.append(", ");
            sb.append(ls.get(i));
            if (j > i) sb.append('-').append(ls.get(j));
            i = j + 1;
        }
        return sb.toString();
    }

    private String traits() {
        List<String> t = new ArrayList<>();
        t.add(arch.layerNorm() ? "layernorm" : "rmsnorm");
        t.add(arch.ffn().name().toLowerCase());
        if (!arch.preNorm()) t.add("no pre-norms");
        if (arch.postNorm()) t.add("post-norms");
        if (arch.qkNorm()) t.add("q/k norms");
        return String.join(", ", t);
    }

    private String describe(LayerSpec s) {
        String w = s.sliding() ? "sliding window " + s.attn().window() : "global attention";
        if (s.attn().sinks() != null) w += " with sinks";
        RopeSpec r = s.rope();
        if (r == null) return w + ", no rope";
        String d = w + ", rope " + (r.neox() ? "neox" : "normal") + " n_rot " + r.nRot() + " base " + r.base();
        if (r.posScale() != 1f) d += " linear x" + (1 / r.posScale());
        if (r.factors() != null) d += (s.ropeLong() != null ? " short factors " : " freq factors ") + Arrays.toString(r.factors());
        if (s.ropeLong() != null) d += ", long factors above " + ropeOrigCtx + " tokens " + Arrays.toString(s.ropeLong().factors());
        if (ropeAttnFactor != 1f) d += ", attn factor " + ropeAttnFactor;
        return d;
    }
}
