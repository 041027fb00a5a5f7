package dev.shovel.model;

import dev.shovel.ShovelException;
import dev.shovel.backend.Backend;
import dev.shovel.backend.Weight;
import dev.shovel.gguf.GGUFFile;
import dev.shovel.gguf.TensorInfo;

/** Every tensor the forward pass uses, resolved once at load so no name is looked up per token. */
public record Weights(Weight tokenEmbd, Weight outputNorm, Weight output, LayerWeights[] layers) {

    public static Weights load(GGUFFile f, ModelConfig c, Backend[] layerBackends, Backend outBackend) {
        LayerWeights[] layers = new LayerWeights[c.nLayer()];
        for (int l = 0; l < c.nLayer(); l++) {
            Backend b = layerBackends[l];
            String p = "blk." + l + ".";
            layers[l] = new LayerWeights(
                    req(f, b, p + "attn_norm.weight"),
                    req(f, b, p + "attn_q.weight"),
                    req(f, b, p + "attn_k.weight"),
                    req(f, b, p + "attn_v.weight"),
                    req(f, b, p + "attn_output.weight"),
                    req(f, b, p + "ffn_norm.weight"),
                    req(f, b, p + "ffn_gate.weight"),
                    req(f, b, p + "ffn_up.weight"),
                    req(f, b, p + "ffn_down.weight"));
        }
        Weight embd = req(f, layerBackends.length > 0 ? layerBackends[0] : outBackend, "token_embd.weight");
        Weight out = f.tensor("output.weight") != null ? req(f, outBackend, "output.weight")
                : req(f, outBackend, "token_embd.weight");
        return new Weights(embd, req(f, outBackend, "output_norm.weight"), out, layers);
    }

    static Weight req(GGUFFile f, Backend b, String name) {
        TensorInfo t = f.tensor(name);
        if (t == null) throw new ShovelException(f.path() + " is missing tensor " + name);
        return b.weight(f, t);
    }
}
