package dev.shovel.model;

import dev.shovel.gguf.GGUFFile;
import dev.shovel.gguf.GGUFLimits;

/**
 * Multi-head latent attention (deepseek2), in llama.cpp's absorbed form: each token caches one latent row
 * [c | k_pe] (kvLora + qkRope floats, one "KV head" shared by all heads); a head's query is [k_b q_nope | q_pe] and
 * its output v_b (the softmax-weighted c).
 *
 * @param qLora  rank of the query's low-rank projection (attn_q_a / attn_q_b), 0 for a plain attn_q
 * @param kvLora width of the cached latent c
 * @param qkNope per head, the query/key dims without RoPE
 * @param qkRope per head, the dims with RoPE (k_pe is shared by all heads)
 * @param vHead  per head, the value width after v_b
 */
public record Mla(int qLora, int kvLora, int qkNope, int qkRope, int vHead) {

    /** The per-head query width before absorption. */
    public int qHead() { return qkNope + qkRope; }

    /** The cached row: the latent and the shared rotary key. */
    public int kvRow() { return kvLora + qkRope; }

    static Mla from(GGUFFile f, String p, int nRot) {
        int w = GGUFLimits.MAX_WIDTH;
        int kvLora = Hparams.get(f, p + "attention.kv_lora_rank", 1, w);
        int qk = Hparams.get(f, p + "attention.key_length_mla", Hparams.get(f, p + "attention.key_length", 1, w) - kvLora + nRot, nRot + 1, w);
        int v = Hparams.get(f, p + "attention.value_length_mla", Hparams.get(f, p + "attention.value_length", 1, w), 1, w);
        return new Mla(Hparams.get(f, p + "attention.q_lora_rank", 0, 0, w), kvLora, qk - nRot, nRot, v);
    }
}
