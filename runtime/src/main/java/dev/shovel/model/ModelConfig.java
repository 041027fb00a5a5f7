package dev.shovel.model;

import dev.shovel.ShovelException;
import dev.shovel.backend.RopeSpec;
import dev.shovel.gguf.GGUFFile;
import dev.shovel.gguf.TensorInfo;
import java.util.List;

/**
 * Hyper-parameters of a model, read from the {@code <arch>.*} GGUF keys. Architectures differ only through the
 * fields and flags here.
 */
public record ModelConfig(
        String arch,
        int nEmbd,
        int nLayer,
        int nHead,
        int nHeadKv,
        int headDim,
        int nFf,
        int nVocab,
        int ctxTrain,
        float normEps,
        RopeSpec rope,
        boolean tiedOutput) {

    public static final List<String> SUPPORTED = List.of("llama");

    public int qDim() { return nHead * headDim; }
    public int kvDim() { return nHeadKv * headDim; }

    /** The derived configuration, one field per line. */
    public String describe() {
        return String.join("\n",
                "architecture: " + arch,
                "n_embd: " + nEmbd + ", n_layer: " + nLayer + ", n_ff: " + nFf + ", n_vocab: " + nVocab,
                "n_head: " + nHead + ", n_head_kv: " + nHeadKv + ", head_dim: " + headDim,
                "context (training): " + ctxTrain + ", norm eps: " + normEps,
                "rope: " + (rope.neox() ? "neox" : "normal") + ", n_rot " + rope.nRot() + ", base " + rope.base()
                        + (rope.posScale() != 1f ? ", linear scale " + (1 / rope.posScale()) : "")
                        + (rope.factors() != null ? ", freq factors " + java.util.Arrays.toString(rope.factors()) : ""),
                "output: " + (tiedOutput ? "tied to token_embd" : "output.weight"));
    }

    public static ModelConfig from(GGUFFile f) {
        String arch = f.getString("general.architecture", null);
        if (arch == null) throw new ShovelException(f.path() + " has no general.architecture key");
        if (!SUPPORTED.contains(arch)) {
            throw new ShovelException("unsupported architecture '" + arch + "' (supported: " + String.join(", ", SUPPORTED) + ")");
        }
        String p = arch + ".";
        int nEmbd = f.getInt(p + "embedding_length");
        int nHead = f.getInt(p + "attention.head_count");
        int nHeadKv = f.getInt(p + "attention.head_count_kv", nHead);
        int headDim = f.getInt(p + "attention.key_length", nEmbd / nHead);
        TensorInfo embd = f.tensor("token_embd.weight");
        if (embd == null) throw new ShovelException(f.path() + " has no token_embd.weight tensor");
        int nVocab = Math.toIntExact(embd.dims()[1]);
        int nRot = f.getInt(p + "rope.dimension_count", headDim);
        float base = f.getFloat(p + "rope.freq_base", 10000f);
        float[] factors = null;
        TensorInfo rf = f.tensor("rope_freqs.weight");
        if (rf != null) {
            factors = new float[nRot / 2];
            dev.shovel.ggml.TypeOps.of(rf.type()).dequantize(f.tensorData(rf), 0, factors, 0, nRot / 2);
        }
        float linear = f.getFloat(p + "rope.scaling.factor", 1f);
        String scaling = f.getString(p + "rope.scaling.type", "none");
        float posScale = scaling.equals("linear") && linear > 0 ? 1f / linear : 1f;
        if (nHead <= 0 || nHeadKv <= 0 || nHead % nHeadKv != 0) {
            throw new ShovelException("bad head counts: " + nHead + " heads, " + nHeadKv + " KV heads");
        }
        return new ModelConfig(arch, nEmbd, f.getInt(p + "block_count"), nHead, nHeadKv, headDim,
                f.getInt(p + "feed_forward_length"), nVocab, f.getInt(p + "context_length", 2048),
                f.getFloat(p + "attention.layer_norm_rms_epsilon", 1e-5f),
                new RopeSpec(nRot, base, ropeNeox(arch), posScale, factors),
                f.tensor("output.weight") == null);
    }

    /** llama.cpp's rope type per architecture: NEOX (half-split pairs) or NORM (adjacent pairs). */
    static boolean ropeNeox(String arch) {
        return switch (arch) {
            case "llama" -> false;
            default -> true;
        };
    }
}
