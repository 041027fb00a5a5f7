package dev.shovel.tools;

import java.nio.file.Path;

/**
 * Shape and contents of a random-weight model for {@link Synth}.
 *
 * @param weights    tensor type of the 2-D weights as llama.cpp names it ({@code f32}, {@code f16}, {@code bf16},
 *                   {@code q8_0}, {@code q4_0}, {@code q4_k}, …) or the mixed preset {@code q4_k_m}
 * @param tiedOutput no {@code output.weight}; logits use {@code token_embd}
 * @param vocabFrom  a GGUF whose {@code tokenizer.*} keys are copied (then {@code nVocab} is its vocabulary size);
 *                   null = the embedded stories260K vocabulary padded with {@code <unused_N>} control tokens
 */
public record SynthSpec(String architecture, String name, int nEmbd, int nLayer, int nHead, int nHeadKv, int nFf,
                        int nVocab, int contextLength, float ropeBase, float normEps, boolean tiedOutput,
                        String weights, long seed, Path vocabFrom) {

    /** Defaults: a 2-layer llama like the reference models (n_embd 64, 4 heads, 2 KV heads, FFN 160, vocab 512). */
    public static Builder builder() { return new Builder(); }

    /** TinyLlama-1.1B's shape: dim 2048, 22 layers, 32 heads, 4 KV heads, FFN 5632, vocab 32000, untied output. */
    public static Builder tinyLlama() {
        return builder().name("synth-1.1B").nEmbd(2048).nLayer(22).nHead(32).nHeadKv(4).nFf(5632).nVocab(32000)
                .contextLength(2048);
    }

    public Builder toBuilder() {
        return new Builder().architecture(architecture).name(name).nEmbd(nEmbd).nLayer(nLayer).nHead(nHead)
                .nHeadKv(nHeadKv).nFf(nFf).nVocab(nVocab).contextLength(contextLength).ropeBase(ropeBase)
                .normEps(normEps).tiedOutput(tiedOutput).weights(weights).seed(seed).vocabFrom(vocabFrom);
    }

    public int headDim() { return nEmbd / nHead; }

    public static final class Builder {
        private String architecture = "llama", name = "shovel-synth", weights = "f32";
        private int nEmbd = 64, nLayer = 2, nHead = 4, nHeadKv = 2, nFf = 160, nVocab = 512, contextLength = 256;
        private float ropeBase = 10000f, normEps = 1e-5f;
        private boolean tiedOutput;
        private long seed = 1;
        private Path vocabFrom;

        public Builder architecture(String v) { architecture = v; return this; }
        public Builder name(String v) { name = v; return this; }
        public Builder nEmbd(int v) { nEmbd = v; return this; }
        public Builder nLayer(int v) { nLayer = v; return this; }
        public Builder nHead(int v) { nHead = v; return this; }
        public Builder nHeadKv(int v) { nHeadKv = v; return this; }
        public Builder nFf(int v) { nFf = v; return this; }
        public Builder nVocab(int v) { nVocab = v; return this; }
        public Builder contextLength(int v) { contextLength = v; return this; }
        public Builder ropeBase(float v) { ropeBase = v; return this; }
        public Builder normEps(float v) { normEps = v; return this; }
        public Builder tiedOutput(boolean v) { tiedOutput = v; return this; }
        public Builder weights(String v) { weights = v; return this; }
        public Builder weights(dev.shovel.gguf.GGMLType t) { weights = t.name().toLowerCase(); return this; }
        public Builder seed(long v) { seed = v; return this; }
        public Builder vocabFrom(Path v) { vocabFrom = v; return this; }

        public SynthSpec build() {
            return new SynthSpec(architecture, name, nEmbd, nLayer, nHead, nHeadKv, nFf, nVocab, contextLength,
                    ropeBase, normEps, tiedOutput, weights, seed, vocabFrom);
        }
    }
}
