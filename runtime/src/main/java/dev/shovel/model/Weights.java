package dev.shovel.model;

import dev.shovel.ShovelException;
import dev.shovel.backend.Backend;
import dev.shovel.backend.Weight;
import dev.shovel.ggml.TypeOps;
import dev.shovel.gguf.GGUFFile;
import dev.shovel.gguf.TensorInfo;
import java.util.Arrays;

/** Every tensor the forward pass uses, resolved once at load so no name is looked up per token. */
public record Weights(Weight tokenEmbd, Weight outputNorm, Weight outputNormB, Weight output, LayerWeights[] layers) {

    public static Weights load(GGUFFile f, ModelConfig c, Backend[] layerBackends, Backend outBackend) {
        Architecture a = c.arch();
        int e = c.nEmbd(), q = c.qDim(), kv = c.kvDim(), ff = c.nFf();
        LayerWeights[] layers = new LayerWeights[c.nLayer()];
        for (int l = 0; l < c.nLayer(); l++) {
            Loader t = new Loader(f, layerBackends[l], "blk." + l + ".");
            Weight wq, wk, wv;
            MlaWeights mla = null;
            if (c.mla() != null) { // deepseek2: the latent cache's projections
                Mla m = c.mla();
                int qAll = c.nHead() * m.qHead();
                if (t.has("attn_kv_b.weight") && !t.has("attn_k_b.weight")) {
                    throw new ShovelException(f.path() + ": attn_kv_b without attn_k_b/attn_v_b is an older deepseek2 conversion; "
                            + "convert the model again with a current llama.cpp converter");
                }
                boolean low = m.qLora() > 0;
                mla = new MlaWeights(low ? t.matrix("attn_q_a.weight", e, m.qLora()) : null,
                        low ? t.vector("attn_q_a_norm.weight", m.qLora()) : null,
                        low ? t.matrix("attn_q_b.weight", m.qLora(), qAll) : null,
                        t.matrix("attn_kv_a_mqa.weight", e, m.kvRow()), t.vector("attn_kv_a_norm.weight", m.kvLora()),
                        t.perExpert("attn_k_b.weight", m.qkNope(), m.kvLora(), c.nHead()),
                        t.perExpert("attn_v_b.weight", m.kvLora(), m.vHead(), c.nHead()));
                wq = low ? null : t.matrix("attn_q.weight", e, qAll);
                wk = wv = null;
            } else if (t.has("attn_qkv.weight")) { // phi3: rows q | k | v
                Weight qkv = t.matrix("attn_qkv.weight", e, q + 2 * kv);
                if (t.has("attn_qkv.bias")) throw new ShovelException("a bias on a fused attn_qkv is not supported");
                wq = t.rows(qkv, 0, q);
                wk = t.rows(qkv, q, kv);
                wv = t.rows(qkv, q + kv, kv);
            } else {
                wq = t.matrix("attn_q.weight", e, q);
                wk = t.matrix("attn_k.weight", e, kv);
                wv = t.matrix("attn_v.weight", e, kv);
            }
            Weight gate, up, down;
            ExpertWeights moe = null;
            if (c.moe() != null && c.moe().at(l)) {
                moe = t.experts(c.moe(), e);
                gate = up = down = null;
            } else if (a.ffn() == Architecture.Ffn.GELU) {
                gate = null;
                up = t.matrix("ffn_up.weight", e, ff);
            } else if (t.has("ffn_gate.weight")) {
                gate = t.matrix("ffn_gate.weight", e, ff);
                up = t.matrix("ffn_up.weight", e, ff);
            } else { // phi3: ffn_up holds gate rows then up rows
                Weight gateUp = t.matrix("ffn_up.weight", e, 2 * ff);
                gate = t.rows(gateUp, 0, ff);
                up = t.rows(gateUp, ff, ff);
            }
            down = moe == null ? t.matrix("ffn_down.weight", ff, e) : null;
            layers[l] = new LayerWeights(
                    a.preNorm() ? t.vector("attn_norm.weight", e) : null, t.optVector("attn_norm.bias", e),
                    wq, t.optVector("attn_q.bias", q),
                    wk, t.optVector("attn_k.bias", kv),
                    wv, t.optVector("attn_v.bias", kv),
                    a.qkNorm() ? t.vector("attn_q_norm.weight", c.headDim(), q) : null,
                    a.qkNorm() ? t.vector("attn_k_norm.weight", c.headDim(), kv) : null,
                    t.matrix("attn_output.weight", c.mla() != null ? c.nHead() * c.mla().vHead() : q, e), t.optVector("attn_output.bias", e),
                    a.postNorm() ? t.vector("post_attention_norm.weight", e) : null,
                    a.preNorm() ? t.vector(a.ffnNorm() + ".weight", e) : null, t.optVector(a.ffnNorm() + ".bias", e),
                    gate, t.optVector("ffn_gate.bias", ff),
                    up, t.optVector("ffn_up.bias", ff),
                    down, t.optVector("ffn_down.bias", e),
                    a.postNorm() ? t.vector("post_ffw_norm.weight", e) : null, moe, mla);
        }
        Loader g = new Loader(f, layerBackends.length > 0 ? layerBackends[0] : outBackend, "");
        Loader o = new Loader(f, outBackend, "");
        Weight embd = g.matrix("token_embd.weight", e, c.nVocab());
        Weight out = c.tiedOutput() ? o.matrix("token_embd.weight", e, c.nVocab()) : o.matrix("output.weight", e, c.nVocab());
        return new Weights(embd, o.vector("output_norm.weight", e), o.optVector("output_norm.bias", e), out, layers);
    }

    /**
     * Checks that every tensor the forward pass needs is present, of a computable type and of the right shape,
     * without loading anything.
     */
    public static void check(GGUFFile f, ModelConfig c) { load(f, c, new Backend[c.nLayer()], null); }

    /** Resolves tensors named {@code prefix + name} on one backend (none: only checks), checking their shapes. */
    private record Loader(GGUFFile f, Backend b, String prefix) {
        boolean has(String name) { return f.tensor(prefix + name) != null; }

        Weight weight(TensorInfo t) {
            computable(t);
            return b == null ? null : b.weight(f, t);
        }

        void computable(TensorInfo t) {
            if (!TypeOps.supported(t.type())) {
                throw new ShovelException("tensor " + t.name() + " has type " + t.type() + ", which Shovel cannot compute yet");
            }
        }

        Weight rows(Weight w, int first, int n) { return b == null ? null : b.rows(w, first, n); }

        /** A 2-D tensor with rows of {@code cols} elements (ggml ne0) and {@code rows} rows. */
        Weight matrix(String name, int cols, int rows) {
            TensorInfo t = info(name);
            computable(t); // a type it cannot compute is the first thing to say
            if (t.dims().length != 2 || t.dims()[0] != cols || t.dims()[1] != rows) throw shape(t, "[" + cols + ", " + rows + "]");
            return weight(t);
        }

        /** A 1-D tensor of one of the allowed lengths. */
        Weight vector(String name, int... lengths) {
            TensorInfo t = info(name);
            if (t.dims().length != 1 || Arrays.stream(lengths).noneMatch(n -> n == t.dims()[0])) {
                throw shape(t, Arrays.toString(lengths));
            }
            return weight(t);
        }

        Weight optVector(String name, int length) { return has(name) ? vector(name, length) : null; }

        /** The router, a view per expert of the 3-D {@code ffn_*_exps} tensors, and the shared experts if any. */
        ExpertWeights experts(Moe m, int e) {
            int n = m.nExpert(), ff = m.expertFf(), sff = m.sharedFf();
            Weight router = matrix("ffn_gate_inp.weight", e, n), routerB = optVector("ffn_gate_inp.bias", n);
            Weight[] gate = perExpert("ffn_gate_exps.weight", e, ff, n), up = perExpert("ffn_up_exps.weight", e, ff, n);
            Weight[] down = perExpert("ffn_down_exps.weight", ff, e, n);
            Weight[] gateB = biases("ffn_gate_exps.bias", ff, n), upB = biases("ffn_up_exps.bias", ff, n);
            Weight[] downB = biases("ffn_down_exps.bias", e, n);
            if (sff == 0) return new ExpertWeights(router, routerB, gate, up, down, gateB, upB, downB, null, null, null, null);
            return new ExpertWeights(router, routerB, gate, up, down, gateB, upB, downB, matrix("ffn_gate_shexp.weight", e, sff),
                    matrix("ffn_up_shexp.weight", e, sff), matrix("ffn_down_shexp.weight", sff, e),
                    m.sharedGate() ? vector("ffn_gate_inp_shexp.weight", e) : null);
        }

        /** A 2-D bias table [length, experts] as one vector per expert, or null when the file has none. */
        private Weight[] biases(String name, int length, int experts) {
            if (!has(name)) return null;
            Weight all = matrix(name, length, experts);
            Weight[] w = new Weight[experts];
            for (int x = 0; x < experts; x++) w[x] = rows(all, x, 1);
            return w;
        }

        /** A 3-D tensor [cols, rows, experts] (or heads) as one view of {@code rows} rows per expert. */
        Weight[] perExpert(String name, int cols, int rows, int experts) {
            TensorInfo t = info(name);
            long[] d = t.dims();
            if (d.length != 3 || d[0] != cols || d[1] != rows || d[2] != experts) {
                throw shape(t, "[" + cols + ", " + rows + ", " + experts + "]");
            }
            Weight all = weight(t);
            Weight[] w = new Weight[experts];
            for (int x = 0; x < experts; x++) w[x] = rows(all, x * rows, rows);
            return w;
        }

        private TensorInfo info(String name) {
            TensorInfo t = f.tensor(prefix + name);
            if (t == null) throw new ShovelException(f.path() + " is missing tensor " + prefix + name);
            return t;
        }

        private ShovelException shape(TensorInfo t, String want) {
            return new ShovelException("tensor " + t.name() + " has shape " + Arrays.toString(t.dims()) + ", expected " + want);
        }
    }
}
