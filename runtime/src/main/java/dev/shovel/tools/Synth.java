package dev.shovel.tools;

import dev.shovel.ggml.TypeOps;
import dev.shovel.gguf.GGMLType;
import dev.shovel.gguf.GGUFFile;
import dev.shovel.gguf.GGUFValue;
import dev.shovel.gguf.GGUFValueType;
import dev.shovel.gguf.GGUFWriter;
import dev.shovel.model.Architecture;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeSet;

/**
 * Writes a random-weight GGUF of any supported architecture and shape, with the tensors and keys llama.cpp's
 * converter writes for it, initialised like the project's reference models: linear weights W[out][in] ~ N(0, 1/in),
 * {@code token_embd} and {@code output} ~ N(0, 4/n_embd), norm weights 1 + 0.1·N(0,1), biases 0.1·N(0,1); a
 * tied model divides {@code token_embd} by 4 and multiplies {@code output_norm} by 4 so that it does not just
 * repeat its input. Each row has its own seed (from the spec seed, tensor name and row index), so files are
 * identical for a seed whatever the thread count and whatever the weight type (quantization aside). Tensors are
 * generated and quantized slab by slab while the file is written.
 */
public final class Synth {
    private Synth() {}

    /** One tensor of the plan: ggml dims ([row length, rows] for matrices), type, and its init (or fixed values). */
    public record Tensor(String name, long[] dims, GGMLType type, double mean, double std, float[] values) {
        Tensor(String name, long[] dims, GGMLType type, double mean, double std) { this(name, dims, type, mean, std, null); }
    }

    public static void write(SynthSpec spec, Path out) {
        Map<String, GGUFValue> vocab = vocabulary(spec);
        int nVocab = ((String[]) vocab.get("tokenizer.ggml.tokens").value()).length;
        QuantMix mix = QuantMix.parse(spec.weights());
        List<Tensor> plan = plan(spec, nVocab);
        TreeSet<String> missing = new TreeSet<>();
        for (Tensor t : plan) if (!TypeOps.supported(t.type())) missing.add(t.type().name());
        if (!missing.isEmpty()) {
            throw new ToolsException("weights " + mix.name() + " need tensor type(s) " + String.join(", ", missing)
                    + ", which have no quantizer yet");
        }
        String arch = spec.architecture();
        GGUFWriter w = new GGUFWriter()
                .putString("general.architecture", arch)
                .putString("general.name", spec.name())
                .putU32("general.file_type", mix.fileType());
        if (plan.stream().anyMatch(t -> t.type() != GGMLType.F32 && t.type() != GGMLType.F16 && t.type() != GGMLType.BF16 && t.dims().length > 1)) {
            w.putU32("general.quantization_version", 2);
        }
        String a = arch + ".";
        boolean layerNorm = Architecture.of(arch).layerNorm();
        w.putU32(a + "context_length", spec.contextLength())
                .putU32(a + "embedding_length", spec.nEmbd())
                .putU32(a + "block_count", spec.nLayer())
                .putU32(a + "feed_forward_length", arch.equals("llama") && spec.nExpert() > 0 ? spec.expertFf() : spec.nFf())
                .putU32(a + "attention.head_count", spec.nHead())
                .putU32(a + "attention.head_count_kv", spec.nHeadKv())
                .putF32(a + "rope.freq_base", spec.ropeBase())
                .putU32(a + "rope.dimension_count", spec.headDim())
                .putF32(a + (layerNorm ? "attention.layer_norm_epsilon" : "attention.layer_norm_rms_epsilon"), spec.normEps())
                .putU32(a + "vocab_size", nVocab);
        if (spec.nExpert() > 0) {
            w.putU32(a + "expert_count", spec.nExpert()).putU32(a + "expert_used_count", spec.nExpertUsed());
            if (!arch.equals("llama")) w.putU32(a + "expert_feed_forward_length", spec.expertFf()); // Mixtral: feed_forward_length
        }
        if (spec.keyLength() > 0 || arch.startsWith("gemma") || arch.startsWith("qwen3")) {
            w.putU32(a + "attention.key_length", spec.headDim()).putU32(a + "attention.value_length", spec.headDim());
        }
        archKeys(spec, w);
        w.putAll(vocab);
        for (Tensor t : plan) {
            long tensorSeed = mix64(spec.seed() * 0x9E3779B97F4A7C15L + fnv(t.name()));
            int n = (int) t.dims()[0];
            long rows = Arrays.stream(t.dims()).reduce(1, Math::multiplyExact) / n; // experts: [in, out, n_expert]
            w.addTensor(t.name(), t.type(), t.dims(), seg -> RowEncoder.encode(seg, t.type(), n, rows, (r, buf) -> {
                if (t.values() != null) {
                    System.arraycopy(t.values(), 0, buf, 0, n);
                    return;
                }
                SplittableRandom rng = new SplittableRandom(mix64(tensorSeed + r * 0xBF58476D1CE4E5B9L));
                float mean = (float) t.mean(), std = (float) t.std();
                for (int i = 0; i < n; i++) buf[i] = mean + std * (float) rng.nextGaussian();
            }));
        }
        try {
            w.write(out);
        } catch (IOException e) {
            throw new ToolsException("cannot write " + out + ": " + e.getMessage(), e);
        }
    }

    /** The keys an architecture's converter adds, with the real models' values where the spec has none. */
    private static void archKeys(SynthSpec spec, GGUFWriter w) {
        String a = spec.architecture() + ".";
        switch (spec.architecture()) {
            case "gemma2" -> w.putU32(a + "attention.sliding_window", spec.slidingWindow() > 0 ? spec.slidingWindow() : 4096)
                    .putF32(a + "attn_logit_softcapping", 50f)
                    .putF32(a + "final_logit_softcapping", 30f);
            case "gemma3" -> w.putU32(a + "attention.sliding_window", spec.slidingWindow() > 0 ? spec.slidingWindow() : 512);
            case "gpt-oss" -> w.putU32(a + "attention.sliding_window", spec.slidingWindow() > 0 ? spec.slidingWindow() : 128)
                    .putString(a + "rope.scaling.type", "yarn") // the real models' YaRN
                    .putF32(a + "rope.scaling.factor", 32f)
                    .putU32(a + "rope.scaling.original_context_length", 4096);
            case "granite" -> w.putF32(a + "embedding_scale", 12f) // Granite 3.1 2B's multipliers
                    .putF32(a + "residual_scale", 0.22f)
                    .putF32(a + "attention.scale", 0.015625f)
                    .putF32(a + "logit_scale", 8f);
            case "phi3" -> {
                if (spec.ropeOrigCtx() > 0) {
                    double scale = (double) spec.contextLength() / spec.ropeOrigCtx();
                    w.putU32(a + "rope.scaling.original_context_length", spec.ropeOrigCtx())
                            .putF32(a + "rope.scaling.attn_factor", scale <= 1 ? 1f
                                    : (float) Math.sqrt(1 + Math.log(scale) / Math.log(spec.ropeOrigCtx())));
                }
            }
            default -> { }
        }
    }

    /**
     * The tensors {@link #write} produces for {@code spec} with a vocabulary of {@code nVocab} tokens, in file order:
     * the names and shapes llama.cpp's converter writes for the architecture.
     */
    public static List<Tensor> plan(SynthSpec spec, int nVocab) {
        check(spec, nVocab);
        Architecture a = Architecture.of(spec.architecture());
        String arch = spec.architecture();
        boolean fused = arch.equals("phi3"), oss = arch.equals("gpt-oss");
        boolean qkvBias = arch.equals("qwen2") || arch.equals("qwen2moe") || a.layerNorm() || oss, allBias = a.layerNorm();
        QuantMix mix = QuantMix.parse(spec.weights());
        int e = spec.nEmbd(), ff = spec.nFf(), hd = spec.headDim(), q = hd * spec.nHead(), kv = hd * spec.nHeadKv();
        int nl = spec.nLayer();
        boolean tied = spec.tiedOutput();
        double embStd = 2 / Math.sqrt(e), shrink = tied ? 4 : 1;
        List<Tensor> ts = new ArrayList<>();
        ts.add(new Tensor("token_embd.weight", new long[] {e, nVocab},
                mix.typeOf(QuantMix.Role.TOKEN_EMBD, 0, nl, e, tied), 0, embStd / shrink));
        ts.add(new Tensor("output_norm.weight", new long[] {e}, GGMLType.F32, shrink, 0.1 * shrink));
        if (allBias) ts.add(bias("output_norm.bias", e));
        if (!tied) {
            ts.add(new Tensor("output.weight", new long[] {e, nVocab},
                    mix.typeOf(QuantMix.Role.OUTPUT, 0, nl, e, false), 0, embStd));
        }
        if (fused && spec.ropeOrigCtx() > 0) { // LongRoPE: per-pair frequency divisors for short and long contexts
            int half = hd / 2;
            float[] shortF = new float[half], longF = new float[half];
            for (int i = 0; i < half; i++) {
                shortF[i] = 1 + 0.5f * i / half;
                longF[i] = 1 + 40f * (float) Math.pow(i / Math.max(1.0, half - 1.0), 2);
            }
            ts.add(new Tensor("rope_factors_long.weight", new long[] {half}, GGMLType.F32, 0, 0, longF));
            ts.add(new Tensor("rope_factors_short.weight", new long[] {half}, GGMLType.F32, 0, 0, shortF));
        }
        for (int l = 0; l < nl; l++) {
            String p = "blk." + l + ".";
            if (a.preNorm()) {
                ts.add(norm(p + "attn_norm.weight", e));
                if (allBias) ts.add(bias(p + "attn_norm.bias", e));
            }
            if (fused) {
                ts.add(linear(mix, p + "attn_qkv.weight", QuantMix.Role.ATTN_QKV, l, nl, e, q + 2 * kv));
            } else {
                ts.add(linear(mix, p + "attn_q.weight", QuantMix.Role.ATTN_Q, l, nl, e, q));
                ts.add(linear(mix, p + "attn_k.weight", QuantMix.Role.ATTN_K, l, nl, e, kv));
                ts.add(linear(mix, p + "attn_v.weight", QuantMix.Role.ATTN_V, l, nl, e, kv));
            }
            if (qkvBias) {
                ts.add(bias(p + "attn_q.bias", q));
                ts.add(bias(p + "attn_k.bias", kv));
                ts.add(bias(p + "attn_v.bias", kv));
            }
            if (a.qkNorm()) { // olmo2 normalises whole vectors, the others each head
                ts.add(norm(p + "attn_q_norm.weight", arch.equals("olmo2") ? q : hd));
                ts.add(norm(p + "attn_k_norm.weight", arch.equals("olmo2") ? kv : hd));
            }
            ts.add(linear(mix, p + "attn_output.weight", QuantMix.Role.ATTN_OUTPUT, l, nl, q, e));
            if (allBias || oss) ts.add(bias(p + "attn_output.bias", e));
            if (oss) ts.add(new Tensor(p + "attn_sinks.weight", new long[] {spec.nHead()}, GGMLType.F32, 0, 1));
            if (a.postNorm()) ts.add(norm(p + "post_attention_norm.weight", e));
            if (a.preNorm()) {
                ts.add(norm(p + a.ffnNorm() + ".weight", e));
                if (allBias) ts.add(bias(p + "ffn_norm.bias", e));
            }
            if (spec.nExpert() > 0) { // the router (never quantized) and the experts as 3-D tensors [in, out, n_expert]
                int n = spec.nExpert(), xf = spec.expertFf();
                ts.add(new Tensor(p + "ffn_gate_inp.weight", new long[] {e, n}, GGMLType.F32, 0, 1 / Math.sqrt(e)));
                if (oss) ts.add(bias(p + "ffn_gate_inp.bias", n));
                ts.add(experts(mix, p + "ffn_gate_exps.weight", QuantMix.Role.EXP_GATE, l, nl, e, xf, n));
                ts.add(experts(mix, p + "ffn_up_exps.weight", QuantMix.Role.EXP_UP, l, nl, e, xf, n));
                ts.add(experts(mix, p + "ffn_down_exps.weight", QuantMix.Role.EXP_DOWN, l, nl, xf, e, n));
                if (oss) {
                    ts.add(new Tensor(p + "ffn_gate_exps.bias", new long[] {xf, n}, GGMLType.F32, 0, 0.1));
                    ts.add(new Tensor(p + "ffn_up_exps.bias", new long[] {xf, n}, GGMLType.F32, 0, 0.1));
                    ts.add(new Tensor(p + "ffn_down_exps.bias", new long[] {e, n}, GGMLType.F32, 0, 0.1));
                }
                continue;
            }
            if (a.ffn() == Architecture.Ffn.GELU) {
                ts.add(linear(mix, p + "ffn_up.weight", QuantMix.Role.FFN_UP, l, nl, e, ff));
            } else if (fused) { // gate rows then up rows
                ts.add(linear(mix, p + "ffn_up.weight", QuantMix.Role.FFN_UP, l, nl, e, 2 * ff));
            } else {
                ts.add(linear(mix, p + "ffn_gate.weight", QuantMix.Role.FFN_GATE, l, nl, e, ff));
                ts.add(linear(mix, p + "ffn_up.weight", QuantMix.Role.FFN_UP, l, nl, e, ff));
            }
            if (allBias) ts.add(bias(p + "ffn_up.bias", ff));
            ts.add(linear(mix, p + "ffn_down.weight", QuantMix.Role.FFN_DOWN, l, nl, ff, e));
            if (allBias) ts.add(bias(p + "ffn_down.bias", e));
            if (a.postNorm()) ts.add(norm(p + "post_ffw_norm.weight", e));
        }
        checkSingleType(mix, ts);
        return ts;
    }

    private static Tensor norm(String name, int n) { return new Tensor(name, new long[] {n}, GGMLType.F32, 1, 0.1); }

    private static Tensor bias(String name, int n) { return new Tensor(name, new long[] {n}, GGMLType.F32, 0, 0.1); }

    private static Tensor linear(QuantMix mix, String name, QuantMix.Role role, int l, int nl, int in, int out) {
        return new Tensor(name, new long[] {in, out}, mix.typeOf(role, l, nl, in, false), 0, 1 / Math.sqrt(in));
    }

    private static Tensor experts(QuantMix mix, String name, QuantMix.Role role, int l, int nl, int in, int out, int n) {
        return new Tensor(name, new long[] {in, out, n}, mix.typeOf(role, l, nl, in, false), 0, 1 / Math.sqrt(in));
    }

    /** A single-type spec must not fall back silently: every 2-D weight gets exactly the asked type. */
    private static void checkSingleType(QuantMix mix, List<Tensor> ts) {
        GGMLType want = mix.single();
        if (want == null) return;
        for (Tensor t : ts) {
            if (t.dims().length >= 2 && t.type() != want && !t.name().endsWith("ffn_gate_inp.weight")) { // routers stay F32
                throw new ToolsException(t.name() + " has rows of " + t.dims()[0] + ", not a multiple of " + want
                        + "'s block size " + want.blockSize + "; pick another shape or weight type");
            }
        }
    }

    private static void check(SynthSpec s, int nVocab) {
        if (!Architecture.SUPPORTED.contains(s.architecture())) {
            throw new ToolsException("unsupported architecture '" + s.architecture() + "' for a synthetic model (supported: "
                    + String.join(", ", Architecture.SUPPORTED) + ")");
        }
        if (s.nEmbd() <= 0 || s.nLayer() <= 0 || s.nHead() <= 0 || s.nHeadKv() <= 0 || s.nFf() <= 0
                || s.contextLength() <= 0 || nVocab <= 0 || s.keyLength() < 0) {
            throw new ToolsException("synthetic model sizes must be positive: " + s);
        }
        if (s.keyLength() == 0 && s.nEmbd() % s.nHead() != 0 || s.headDim() % 2 != 0) {
            throw new ToolsException("n_embd " + s.nEmbd() + " must be n_head " + s.nHead() + " times an even head size"
                    + " (or give the head size)");
        }
        if (s.nHead() % s.nHeadKv() != 0) {
            throw new ToolsException("n_head " + s.nHead() + " is not a multiple of n_head_kv " + s.nHeadKv());
        }
        if (s.name() == null) throw new ToolsException("synthetic model needs a name");
        if (s.nExpert() < 0 || s.nExpert() > 0 && (s.nExpertUsed() <= 0 || s.nExpertUsed() > s.nExpert() || s.expertFf() <= 0)) {
            throw new ToolsException("bad experts: " + s.nExpert() + " experts, " + s.nExpertUsed() + " used, " + s.expertFf() + " wide");
        }
        boolean moeArch = s.architecture().endsWith("moe") || s.architecture().equals("gpt-oss");
        if (moeArch && s.nExpert() == 0) throw new ToolsException(s.architecture() + " needs experts (a preset such as qwen3moe-30b-a3b)");
    }

    /** The tokenizer keys: copied from {@code vocabFrom}, or stories260K's padded to n_vocab with control tokens. */
    static Map<String, GGUFValue> vocabulary(SynthSpec spec) {
        if (spec.vocabFrom() != null) {
            try (GGUFFile f = GGUFFile.open(spec.vocabFrom())) {
                Map<String, GGUFValue> kv = EmbeddedModels.tokenizerKeys(f);
                if (f.getStringArray("tokenizer.ggml.tokens") == null) {
                    throw new ToolsException(spec.vocabFrom() + " has no tokenizer.ggml.tokens to copy");
                }
                return kv;
            }
        }
        Map<String, GGUFValue> base = EmbeddedModels.stories260KTokenizer();
        String[] toks = (String[]) base.get("tokenizer.ggml.tokens").value();
        int n = spec.nVocab(), n0 = toks.length;
        if (n < n0) throw new ToolsException("n_vocab must be at least " + n0 + " (the stories260K vocabulary), got " + n);
        String[] t = Arrays.copyOf(toks, n);
        float[] scores = Arrays.copyOf((float[]) base.get("tokenizer.ggml.scores").value(), n);
        int[] types = Arrays.copyOf((int[]) base.get("tokenizer.ggml.token_type").value(), n);
        for (int i = n0; i < n; i++) {
            t[i] = "<unused_" + (i - n0) + ">";
            types[i] = Llama2cVocab.CONTROL;
        }
        Map<String, GGUFValue> kv = new LinkedHashMap<>(base);
        kv.put("tokenizer.ggml.tokens", GGUFValue.array(GGUFValueType.STRING, t));
        kv.put("tokenizer.ggml.scores", GGUFValue.array(GGUFValueType.FLOAT32, scores));
        kv.put("tokenizer.ggml.token_type", GGUFValue.array(GGUFValueType.INT32, types));
        return kv;
    }

    static long fnv(String s) {
        long h = 0xcbf29ce484222325L;
        for (int i = 0; i < s.length(); i++) h = (h ^ s.charAt(i)) * 0x100000001b3L;
        return h;
    }

    /** SplitMix64 finalizer. */
    static long mix64(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
