package dev.shovel.tools;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Shape and contents of a random-weight model for {@link Synth}.
 *
 * @param architecture  {@code general.architecture}: any architecture the runtime supports; Synth writes the tensors
 *                      and keys llama.cpp's converter writes for it
 * @param keyLength     head size ({@code attention.key_length}); 0 = n_embd / n_head
 * @param slidingWindow {@code attention.sliding_window} of gemma2/gemma3; 0 = the real models' (4096 / 512)
 * @param ropeOrigCtx   phi3 only: when > 0, LongRoPE tensors {@code rope_factors_long/short} and
 *                      {@code rope.scaling.original_context_length} (the training context is {@code contextLength})
 * @param weights       tensor type of the 2-D weights as llama.cpp names it ({@code f32}, {@code f16}, {@code bf16},
 *                      {@code q8_0}, {@code q4_0}, {@code q4_k}, …) or the mixed preset {@code q4_k_m}
 * @param tiedOutput    no {@code output.weight}; logits use {@code token_embd}
 * @param vocabFrom     a GGUF whose {@code tokenizer.*} keys are copied (then {@code nVocab} is its vocabulary size);
 *                      null = the embedded stories260K vocabulary padded with {@code <unused_N>} control tokens
 * @param nExpert       experts per layer (0 = a dense FFN); {@code nExpertUsed} of them per token, {@code expertFf} wide
 */
public record SynthSpec(String architecture, String name, int nEmbd, int nLayer, int nHead, int nHeadKv, int keyLength,
                        int nFf, int nVocab, int contextLength, float ropeBase, float normEps, int slidingWindow,
                        int ropeOrigCtx, boolean tiedOutput, String weights, long seed, Path vocabFrom,
                        int nExpert, int nExpertUsed, int expertFf) {

    /** Defaults: a 2-layer llama like the reference models (n_embd 64, 4 heads, 2 KV heads, FFN 160, vocab 512). */
    public static Builder builder() { return new Builder(); }

    /** TinyLlama-1.1B's shape: dim 2048, 22 layers, 32 heads, 4 KV heads, FFN 5632, vocab 32000, untied output. */
    public static Builder tinyLlama() {
        return builder().name("synth-1.1B").nEmbd(2048).nLayer(22).nHead(32).nHeadKv(4).nFf(5632).nVocab(32000)
                .contextLength(2048);
    }

    /** Shapes of real models, one or more per architecture (from their Hugging Face configs). */
    private static final Map<String, Supplier<Builder>> PRESETS = new LinkedHashMap<>();

    static {
        PRESETS.put("tiny", SynthSpec::builder);
        PRESETS.put("1.1b", SynthSpec::tinyLlama);
        PRESETS.put("tinyllama", SynthSpec::tinyLlama);
        PRESETS.put("qwen2-0.5b", () -> real("qwen2", 896, 24, 14, 2, 0, 4864, 151936, 32768, 1e6f, 1e-6f, true));
        PRESETS.put("qwen3-0.6b", () -> real("qwen3", 1024, 28, 16, 8, 128, 3072, 151936, 40960, 1e6f, 1e-6f, true));
        PRESETS.put("phi3-mini", () -> real("phi3", 3072, 32, 32, 32, 0, 8192, 32064, 4096, 1e4f, 1e-5f, false));
        PRESETS.put("phi3-mini-128k", () -> real("phi3", 3072, 32, 32, 32, 0, 8192, 32064, 131072, 1e4f, 1e-5f, false)
                .ropeOrigCtx(4096));
        PRESETS.put("gemma-2b", () -> real("gemma", 2048, 18, 8, 1, 256, 16384, 256000, 8192, 1e4f, 1e-6f, true));
        PRESETS.put("gemma2-2b", () -> real("gemma2", 2304, 26, 8, 4, 256, 9216, 256000, 8192, 1e4f, 1e-6f, true)
                .slidingWindow(4096));
        PRESETS.put("gemma3-1b", () -> real("gemma3", 1152, 26, 4, 1, 256, 6912, 262144, 32768, 1e6f, 1e-6f, true)
                .slidingWindow(512));
        PRESETS.put("granite-2b", () -> real("granite", 2048, 40, 32, 8, 0, 8192, 49155, 131072, 5e6f, 1e-5f, true));
        PRESETS.put("olmo2-1b", () -> real("olmo2", 2048, 16, 16, 16, 0, 8192, 100352, 4096, 5e5f, 1e-6f, false));
        PRESETS.put("smollm3-3b", () -> real("smollm3", 2048, 36, 16, 4, 0, 11008, 128256, 65536, 5e6f, 1e-6f, true));
        // mixture of experts: Qwen3-30B-A3B (128 experts, 8 used, 768 wide) and gpt-oss-20b (32 experts, 4 used)
        PRESETS.put("qwen3moe-30b-a3b", () -> real("qwen3moe", 2048, 48, 32, 4, 128, 6144, 151936, 40960, 1e6f, 1e-6f, false)
                .experts(128, 8, 768));
        PRESETS.put("gpt-oss-20b", () -> real("gpt-oss", 2880, 24, 64, 8, 64, 2880, 201088, 131072, 150000f, 1e-5f, false)
                .experts(32, 4, 2880).slidingWindow(128));
        PRESETS.put("starcoder2-3b", () -> real("starcoder2", 3072, 30, 24, 2, 0, 12288, 49152, 16384, 999999.44f, 1e-5f,
                true));
    }

    private static Builder real(String arch, int embd, int layers, int heads, int kvHeads, int keyLength, int ff,
                                int vocab, int ctx, float ropeBase, float eps, boolean tied) {
        return builder().architecture(arch).nEmbd(embd).nLayer(layers).nHead(heads).nHeadKv(kvHeads)
                .keyLength(keyLength).nFf(ff).nVocab(vocab).contextLength(ctx).ropeBase(ropeBase).normEps(eps)
                .tiedOutput(tied);
    }

    /** Preset names: {@code tiny}, {@code 1.1b}, and real shapes such as {@code qwen3-0.6b} or {@code gemma3-1b}. */
    public static Set<String> presets() { return PRESETS.keySet(); }

    /** A builder holding the preset's shape (named {@code synth-<preset>}). */
    public static Builder preset(String name) {
        Supplier<Builder> p = PRESETS.get(name.toLowerCase());
        if (p == null) throw new ToolsException("unknown preset '" + name + "' (" + String.join(", ", presets()) + ")");
        Builder b = p.get();
        return name.equalsIgnoreCase("tiny") ? b : b.name("synth-" + name.toLowerCase());
    }

    public Builder toBuilder() {
        return new Builder().architecture(architecture).name(name).nEmbd(nEmbd).nLayer(nLayer).nHead(nHead)
                .nHeadKv(nHeadKv).keyLength(keyLength).nFf(nFf).nVocab(nVocab).contextLength(contextLength)
                .ropeBase(ropeBase).normEps(normEps).slidingWindow(slidingWindow).ropeOrigCtx(ropeOrigCtx)
                .tiedOutput(tiedOutput).weights(weights).seed(seed).vocabFrom(vocabFrom).experts(nExpert, nExpertUsed, expertFf);
    }

    public int headDim() { return keyLength > 0 ? keyLength : nEmbd / nHead; }

    public static final class Builder {
        private String architecture = "llama", name = "shovel-synth", weights = "f32";
        private int nEmbd = 64, nLayer = 2, nHead = 4, nHeadKv = 2, keyLength, nFf = 160, nVocab = 512,
                contextLength = 256, slidingWindow, ropeOrigCtx;
        private float ropeBase = 10000f, normEps = 1e-5f;
        private boolean tiedOutput;
        private long seed = 1;
        private Path vocabFrom;
        private int nExpert, nExpertUsed, expertFf;

        public Builder architecture(String v) { architecture = v; return this; }
        public Builder name(String v) { name = v; return this; }
        public Builder nEmbd(int v) { nEmbd = v; return this; }
        public Builder nLayer(int v) { nLayer = v; return this; }
        public Builder nHead(int v) { nHead = v; return this; }
        public Builder nHeadKv(int v) { nHeadKv = v; return this; }
        public Builder keyLength(int v) { keyLength = v; return this; }
        public Builder nFf(int v) { nFf = v; return this; }
        public Builder nVocab(int v) { nVocab = v; return this; }
        public Builder contextLength(int v) { contextLength = v; return this; }
        public Builder ropeBase(float v) { ropeBase = v; return this; }
        public Builder normEps(float v) { normEps = v; return this; }
        public Builder slidingWindow(int v) { slidingWindow = v; return this; }
        public Builder ropeOrigCtx(int v) { ropeOrigCtx = v; return this; }
        public Builder tiedOutput(boolean v) { tiedOutput = v; return this; }
        public Builder weights(String v) { weights = v; return this; }
        public Builder weights(dev.shovel.gguf.GGMLType t) { weights = t.name().toLowerCase(); return this; }
        public Builder seed(long v) { seed = v; return this; }
        public Builder vocabFrom(Path v) { vocabFrom = v; return this; }
        public Builder experts(int n, int used, int ff) { nExpert = n; nExpertUsed = used; expertFf = ff; return this; }

        public SynthSpec build() {
            return new SynthSpec(architecture, name, nEmbd, nLayer, nHead, nHeadKv, keyLength, nFf, nVocab,
                    contextLength, ropeBase, normEps, slidingWindow, ropeOrigCtx, tiedOutput, weights, seed, vocabFrom,
                    nExpert, nExpertUsed, expertFf);
        }
    }
}
