package dev.shovel.cli;

import dev.shovel.tools.Synth;
import dev.shovel.tools.SynthSpec;
import dev.shovel.vocab.TokenizerJsonConverter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Writes a random-weight GGUF of any shape, so big models can be tried without a download. */
@Command(name = "synth", mixinStandardHelpOptions = true,
        description = "Write a random-weight GGUF model of any shape and weight type.")
public final class SynthCommand implements Callable<Integer> {
    @Option(names = {"-o", "--output"}, required = true, paramLabel = "FILE", description = "GGUF file to write")
    Path output;

    @Option(names = "--preset", paramLabel = "NAME", defaultValue = "tiny",
            description = "a shape: tiny (2 layers, dim 64), 1.1b (TinyLlama), or a real model's: qwen2-0.5b, qwen3-0.6b, "
                    + "phi3-mini, phi3-mini-128k, gemma-2b, gemma2-2b, gemma3-1b, granite-2b, olmo2-1b, smollm3-3b, "
                    + "starcoder2-3b, qwen3moe-30b-a3b, gpt-oss-20b (default: ${DEFAULT-VALUE})")
    String preset;

    @Option(names = "--arch", paramLabel = "ARCH", description = "general.architecture (default: llama)")
    String arch;

    @Option(names = {"--type", "--weights"}, paramLabel = "TYPE", description = "f32, f16, bf16, q8_0, q4_0, iq4_xs, mxfp4, …, or the mixes q4_k_m and mxfp4_moe (default: f32)")
    String type;

    @Option(names = {"--dim", "--n-embd"}, paramLabel = "N") Integer dim;
    @Option(names = {"--layers", "--n-layer"}, paramLabel = "N") Integer layers;
    @Option(names = {"--heads", "--n-head"}, paramLabel = "N") Integer heads;
    @Option(names = {"--kv-heads", "--n-head-kv"}, paramLabel = "N") Integer kvHeads;
    @Option(names = {"--ffn", "--n-ff"}, paramLabel = "N") Integer ffn;
    @Option(names = {"--vocab", "--n-vocab"}, paramLabel = "N") Integer vocab;
    @Option(names = {"--ctx", "--context-length"}, paramLabel = "N") Integer ctx;
    @Option(names = "--rope-base", paramLabel = "F") Float ropeBase;
    @Option(names = "--tied", description = "tie the output to token_embd") boolean tied;
    @Option(names = "--seed", paramLabel = "N", defaultValue = "1") long seed;
    @Option(names = "--vocab-from", paramLabel = "FILE", description = "copy tokenizer.* keys from this GGUF, or convert them from a tokenizer.json") Path vocabFrom;
    @Option(names = "--vocab-pre", paramLabel = "NAME", description = "tokenizer.ggml.pre for a tokenizer.json (default: recognised)") String vocabPre;
    @Option(names = "--name", paramLabel = "NAME") String name;
    @Option(names = "--experts", paramLabel = "N", description = "experts per layer (mixture of experts; 0 = dense)") Integer experts;
    @Option(names = "--experts-used", paramLabel = "K", description = "experts per token (default: 2)") Integer expertsUsed;
    @Option(names = "--expert-ff", paramLabel = "N", description = "width of one expert (default: --ffn)") Integer expertFf;

    @Override
    public Integer call() throws IOException {
        SynthSpec.Builder b = SynthSpec.preset(preset);
        if (arch != null) b.architecture(arch);
        if (type != null) b.weights(type);
        if (dim != null) b.nEmbd(dim);
        if (layers != null) b.nLayer(layers);
        if (heads != null) b.nHead(heads);
        if (kvHeads != null) b.nHeadKv(kvHeads);
        if (ffn != null) b.nFf(ffn);
        if (vocab != null) b.nVocab(vocab);
        if (ctx != null) b.contextLength(ctx);
        if (ropeBase != null) b.ropeBase(ropeBase);
        if (name != null) b.name(name);
        if (experts != null || expertsUsed != null || expertFf != null) {
            SynthSpec s = b.build();
            b.experts(experts != null ? experts : s.nExpert(), expertsUsed != null ? expertsUsed : s.nExpertUsed() > 0 ? s.nExpertUsed() : 2,
                    expertFf != null ? expertFf : s.expertFf() > 0 ? s.expertFf() : s.nFf());
        }
        long t0 = System.nanoTime();
        Path converted = null;
        try {
            if (vocabFrom != null && TokenizerJsonConverter.accepts(vocabFrom)) {
                converted = Files.createTempFile("shovel-vocab", ".gguf");
                TokenizerJsonConverter.writeVocabGGUF(vocabFrom, vocabPre, converted);
            }
            b.tiedOutput(tied).seed(seed).vocabFrom(converted != null ? converted : vocabFrom);
            Synth.write(b.build(), output);
        } finally {
            if (converted != null) Files.deleteIfExists(converted);
        }
        System.err.printf("wrote %s in %.1f s%n", output, (System.nanoTime() - t0) / 1e9);
        return 0;
    }
}
