package dev.shovel.model;

import dev.shovel.backend.Backend;
import dev.shovel.backend.Buf;
import dev.shovel.backend.RopeSpec;
import dev.shovel.backend.Weight;
import java.util.IdentityHashMap;
import java.util.Map;

/**
 * The forward pass, top to bottom as llama2.c's run.c: embed, then per layer attention and feed-forward blocks with
 * residuals, then the final norm and the output projection for the rows that want logits. Other architectures differ
 * only where a {@link ModelConfig} flag or an optional tensor says so (marked in comments).
 */
public final class Transformer {
    private final ModelConfig c;
    private final Weights w;
    private final Backend[] layerBackend;
    private final Backend outBackend;
    private final int maxBatch;
    private final Map<Backend, Scratch> scratch = new IdentityHashMap<>();
    private int[] rows = new int[1];
    private Buf logits;
    private Backend logitsOwner;
    /** Per layer, the weights of the q/k/v and up/gate matmuls, each group run as one job on one input. */
    private final Weight[][] qkv, upGate;
    /** Per layer and expert, up/gate; per layer, the shared experts' up/gate (null where absent). */
    private final Weight[][][] expertUpGate;
    private final Weight[][] sharedUpGate;

    /** Activation buffers of one backend, sized for {@code rows} rows. */
    private static final class Scratch {
        final int rows;
        final Buf x, xb, q, k, v, att, hb, hb2;
        final Buf[] qkv, upGate; // outputs of the matmuls that share an input
        final Routing moe; // null for a dense model
        final Latent mla; // null without multi-head latent attention


        Scratch(Backend b, ModelConfig c, int n) {
            rows = n;
            x = b.buf(n, c.nEmbd());
            xb = b.buf(n, c.nEmbd());
            q = b.buf(n, c.qDim());
            k = b.buf(n, c.kvDim());
            v = b.buf(n, c.kvDim());
            att = b.buf(n, c.qDim());
            hb = b.buf(n, c.nFf());
            hb2 = b.buf(n, c.nFf());
            qkv = new Buf[] {q, k, v};
            upGate = new Buf[] {hb2, hb};
            moe = c.moe() != null ? new Routing(b, c, c.moe(), n) : null;
            mla = c.mla() != null ? new Latent(b, c, c.mla(), n) : null;
        }
    }

    /** Multi-head latent attention's buffers: the query's parts, the cached row, one head's slices, the heads' outputs. */
    private static final class Latent {
        final Buf q, qLow, ckv, c, kpe, row, nope, absorbed, qpe, query, att, latent, vOut, heads;

        Latent(Backend b, ModelConfig c, Mla m, int n) {
            int h = c.nHead();
            q = b.buf(n, h * m.qHead());
            qLow = b.buf(n, Math.max(1, m.qLora()));
            ckv = b.buf(n, m.kvRow());
            this.c = b.buf(n, m.kvLora());
            kpe = b.buf(n, m.qkRope());
            row = b.buf(n, m.kvRow());
            nope = b.buf(n, m.qkNope());
            absorbed = b.buf(n, m.kvLora());
            qpe = b.buf(n, h * m.qkRope());
            query = b.buf(n, h * m.kvRow());
            att = b.buf(n, h * m.kvRow());
            latent = b.buf(n, m.kvLora());
            vOut = b.buf(n, m.vHead());
            heads = b.buf(n, h * m.vHead());
        }
    }

    /** A mixture-of-experts block's buffers: the router's scores, one expert's rows, the chosen rows per expert. */
    private static final class Routing {
        final Buf scores, in, gate, up, out, sum, sharedGate, sharedUp, sharedOut, sharedZ;
        final Buf[] upGate, sharedUpGate;
        final Buf[] slotUpGate, slotGate, slotOut; // one token's experts: up/gate outputs, down inputs and outputs
        final Weight[] slotUpGateW, slotDownW;
        final float[] host, p, w, z;
        final int[] ids, count, identity;
        final int[][] rowsOf;
        final float[][] weightOf;

        Routing(Backend b, ModelConfig c, Moe m, int n) {
            scores = b.buf(n, m.nExpert());
            in = b.buf(n, c.nEmbd());
            gate = b.buf(n, m.expertFf());
            up = b.buf(n, m.expertFf());
            out = b.buf(n, c.nEmbd());
            sum = b.buf(n, c.nEmbd());
            upGate = new Buf[] {up, gate};
            int sff = Math.max(1, m.sharedFf());
            sharedGate = b.buf(n, sff);
            sharedUp = b.buf(n, sff);
            sharedOut = b.buf(n, c.nEmbd());
            sharedZ = b.buf(n, 1);
            sharedUpGate = new Buf[] {sharedUp, sharedGate};
            host = new float[n * m.nExpert()];
            p = new float[m.nExpert()];
            w = new float[m.nUsed()];
            z = new float[n];
            ids = new int[m.nUsed()];
            count = new int[m.nExpert()];
            identity = new int[n];
            for (int i = 0; i < n; i++) identity[i] = i;
            rowsOf = new int[m.nExpert()][n];
            weightOf = new float[m.nExpert()][n];
            int k = m.nUsed();
            slotUpGate = new Buf[2 * k];
            slotGate = new Buf[k];
            slotOut = new Buf[k];
            for (int i = 0; i < k; i++) {
                slotUpGate[2 * i] = b.buf(1, m.expertFf());
                slotUpGate[2 * i + 1] = slotGate[i] = b.buf(1, m.expertFf());
                slotOut[i] = b.buf(1, c.nEmbd());
            }
            slotUpGateW = new Weight[2 * k];
            slotDownW = new Weight[k];
        }
    }

    public Transformer(ModelConfig c, Weights w, Backend[] layerBackend, Backend outBackend, int maxBatch) {
        this.c = c;
        this.w = w;
        this.layerBackend = layerBackend;
        this.outBackend = outBackend;
        this.maxBatch = maxBatch;
        LayerWeights[] ls = w.layers();
        qkv = new Weight[ls.length][];
        upGate = new Weight[ls.length][];
        expertUpGate = new Weight[ls.length][][];
        sharedUpGate = new Weight[ls.length][];
        for (int l = 0; l < ls.length; l++) {
            qkv[l] = new Weight[] {ls[l].wq(), ls[l].wk(), ls[l].wv()};
            upGate[l] = new Weight[] {ls[l].ffnUp(), ls[l].ffnGate()};
            ExpertWeights x = ls[l].moe();
            if (x == null) continue;
            expertUpGate[l] = new Weight[x.up().length][];
            for (int e = 0; e < x.up().length; e++) expertUpGate[l][e] = new Weight[] {x.up()[e], x.gate()[e]};
            if (x.sharedUp() != null) sharedUpGate[l] = new Weight[] {x.sharedUp(), x.sharedGate()};
        }
    }

    public int maxBatch() { return maxBatch; }

    /**
     * The backend's buffers, for at least {@code n} rows: grown in powers of two up to {@link #maxBatch} as batches
     * grow, so decoding and short prompts do not hold a full batch's activations.
     */
    private Scratch scratch(Backend b, int n) {
        Scratch s = scratch.get(b);
        if (s == null || s.rows < n) {
            int rows = Math.min(maxBatch, Math.max(16, Integer.highestOneBit(Math.max(1, n - 1)) << 1));
            scratch.put(b, s = new Scratch(b, c, Math.max(rows, n)));
        }
        return s;
    }

    /**
     * Runs the batch (at most {@link #maxBatch()} rows), storing its keys and values in {@code cache}. Returns the
     * logits of the rows that asked for them, row after row ({@code outputs x nVocab}), in a new array.
     */
    public float[] forward(Batch batch, KvCache cache) {
        float[] out = new float[batch.outputs() * c.nVocab()];
        forward(batch, cache, out);
        return out;
    }

    /** As {@link #forward(Batch, KvCache)}, writing the logits to {@code out}; returns the number of output rows. */
    public int forward(Batch batch, KvCache cache, float[] out) {
        int n = batch.n();
        if (n > maxBatch) throw new IllegalArgumentException("batch of " + n + " rows exceeds " + maxBatch);
        int[] pos = batch.pos(), seq = batch.seq();
        int[] cells = cache.place(batch);
        Backend b = layerBackend.length > 0 ? layerBackend[0] : outBackend;
        Scratch s = scratch(b, n);
        b.getRows(w.tokenEmbd(), batch.tokens(), n, s.x);
        if (c.embdScale() != 1f) b.scale(s.x, c.embdScale(), n); // gemma: sqrt(n_embd); granite: embedding_scale

        for (int l = 0; l < c.nLayer(); l++) {
            LayerWeights L = w.layers()[l];
            LayerSpec spec = c.layer(l);
            s = cross(b, layerBackend[l], s, n);
            b = layerBackend[l];

            // attention
            Buf in = norm(b, s.x, L.attnNorm(), L.attnNormB(), s.xb, n);
            if (L.mla() != null) { // deepseek2
                latentAttention(b, l, L, spec, in, s, cells, pos, seq, cache, n);
            } else {
                b.matmul(qkv[l], in, s.qkv, n);
                if (L.bq() != null) b.addBias(s.q, L.bq(), n); // qwen2
                if (L.bk() != null) b.addBias(s.k, L.bk(), n);
                if (L.bv() != null) b.addBias(s.v, L.bv(), n);
                if (L.qNorm() != null) { // qwen3, gemma3: per head; olmo2: the whole vector
                    b.rmsnorm(s.q, L.qNorm(), c.normEps(), L.qNorm().cols(), s.q, n);
                    b.rmsnorm(s.k, L.kNorm(), c.normEps(), L.kNorm().cols(), s.k, n);
                }
                RopeSpec rope = spec.rope(cache.size(), c.ropeOrigCtx());
                if (rope != null) { // smollm3 has no RoPE on every fourth layer
                    b.rope(s.q, c.nHead(), c.headDim(), rope, pos, n);
                    b.rope(s.k, c.nHeadKv(), c.headDim(), rope, pos, n);
                    if (c.ropeAttnFactor() != 1f) { // LongRoPE's magnitude correction
                        b.scale(s.q, c.ropeAttnFactor(), n);
                        b.scale(s.k, c.ropeAttnFactor(), n);
                    }
                }
                b.kvWrite(cache.layer(l), s.k, s.v, cells, n);
                b.attention(s.q, cache.layer(l), cache, spec.attn(), pos, seq, s.att, n);
                linear(b, L.wo(), L.bo(), s.att, s.xb, n);
            }
            if (L.postAttnNorm() != null) b.rmsnorm(s.xb, L.postAttnNorm(), c.normEps(), c.nEmbd(), s.xb, n);
            b.add(s.x, s.xb, c.residualScale(), n);

            // feed-forward
            in = norm(b, s.x, L.ffnNorm(), L.ffnNormB(), s.xb, n);
            if (L.moe() != null) { // mixture of experts
                moe(b, l, L.moe(), in, s, n);
            } else if (L.ffnGate() != null) { // SwiGLU, or GEGLU for gemma
                b.matmul(upGate[l], in, s.upGate, n);
                if (L.ffnUpB() != null) b.addBias(s.hb2, L.ffnUpB(), n);
                if (L.ffnGateB() != null) b.addBias(s.hb, L.ffnGateB(), n);
                b.glu(s.hb, s.hb2, c.arch().ffn() == Architecture.Ffn.GEGLU, n);
                linear(b, L.ffnDown(), L.ffnDownB(), s.hb, s.xb, n);
            } else { // plain GELU MLP (starcoder2)
                linear(b, L.ffnUp(), L.ffnUpB(), in, s.hb2, n);
                b.gelu(s.hb2, n);
                linear(b, L.ffnDown(), L.ffnDownB(), s.hb2, s.xb, n);
            }
            if (L.postFfnNorm() != null) b.rmsnorm(s.xb, L.postFfnNorm(), c.normEps(), c.nEmbd(), s.xb, n);
            b.add(s.x, s.xb, c.residualScale(), n);
        }

        // final norm and classifier, only for rows that want logits
        s = cross(b, outBackend, s, n);
        b = outBackend;
        int outs = 0;
        if (rows.length < n) rows = new int[n];
        for (int i = 0; i < n; i++) if (batch.logits()[i]) rows[outs++] = i;
        if (outs == 0) return 0;
        b.gather(s.x, rows, outs, s.xb);
        norm(b, s.xb, w.outputNorm(), w.outputNormB(), s.xb, outs);
        Buf logits = logits(b, outs);
        b.matmul(w.output(), s.xb, logits, outs);
        if (c.logitScale() != 1f) b.scale(logits, c.logitScale(), outs); // granite
        if (c.finalSoftcap() > 0) b.softcap(logits, c.finalSoftcap(), outs); // gemma2
        b.download(logits, outs, out);
        return outs;
    }

    /**
     * deepseek2's attention in llama.cpp's absorbed form, into s.xb: each row caches [c | k_pe] (the normed latent and
     * the rotated shared key); head h attends with the query [k_b[h] q_nope | q_pe] over those rows (one KV head), and
     * its output is v_b[h] times the weighted latent.
     */
    private void latentAttention(Backend b, int l, LayerWeights L, LayerSpec spec, Buf in, Scratch s, int[] cells,
                                 int[] pos, int[] seq, KvCache cache, int n) {
        Mla m = c.mla();
        MlaWeights M = L.mla();
        Latent t = s.mla;
        int heads = c.nHead(), qh = m.qHead(), kvl = m.kvLora(), rot = m.qkRope(), row = m.kvRow();
        if (M.qA() != null) { // a low-rank query
            b.matmul(M.qA(), in, t.qLow, n);
            b.rmsnorm(t.qLow, M.qANorm(), c.normEps(), m.qLora(), t.qLow, n);
            b.matmul(M.qB(), t.qLow, t.q, n);
        } else {
            b.matmul(L.wq(), in, t.q, n);
        }
        b.matmul(M.kvA(), in, t.ckv, n); // [c | k_pe]
        b.copyCols(t.ckv, 0, t.c, 0, kvl, n);
        b.copyCols(t.ckv, kvl, t.kpe, 0, rot, n);
        b.rmsnorm(t.c, M.kvANorm(), c.normEps(), kvl, t.c, n);
        RopeSpec rope = spec.rope(cache.size(), c.ropeOrigCtx());
        b.rope(t.kpe, 1, rot, rope, pos, n);
        b.copyCols(t.c, 0, t.row, 0, kvl, n);
        b.copyCols(t.kpe, 0, t.row, kvl, rot, n);
        b.kvWrite(cache.layer(l), t.row, t.row, cells, n); // the latent row is the key and the value
        for (int h = 0; h < heads; h++) {
            b.copyCols(t.q, h * qh, t.nope, 0, m.qkNope(), n);
            b.matmul(M.kB()[h], t.nope, t.absorbed, n);
            b.copyCols(t.absorbed, 0, t.query, h * row, kvl, n);
            b.copyCols(t.q, h * qh + m.qkNope(), t.qpe, h * rot, rot, n);
        }
        b.rope(t.qpe, heads, rot, rope, pos, n);
        for (int h = 0; h < heads; h++) b.copyCols(t.qpe, h * rot, t.query, h * row + kvl, rot, n);
        b.attention(t.query, cache.layer(l), cache, spec.attn(), pos, seq, t.att, n);
        for (int h = 0; h < heads; h++) {
            b.copyCols(t.att, h * row, t.latent, 0, kvl, n);
            b.matmul(M.vB()[h], t.latent, t.vOut, n);
            b.copyCols(t.vOut, 0, t.heads, h * m.vHead(), m.vHead(), n);
        }
        linear(b, L.wo(), L.bo(), t.heads, s.xb, n);
    }

    /**
     * The mixture-of-experts FFN of rows [0, n) of {@code in} into s.xb: the router picks each row's experts (on the
     * host), then every chosen expert runs once, as a GEMM over the rows that chose it, and adds them back weighted.
     */
    private void moe(Backend b, int l, ExpertWeights x, Buf in, Scratch s, int n) {
        Moe m = c.moe();
        Routing r = s.moe;
        int ne = m.nExpert();
        b.matmul(x.router(), in, r.scores, n);
        if (x.routerB() != null) b.addBias(r.scores, x.routerB(), n); // gpt-oss
        b.download(r.scores, n, r.host);
        if (n == 1) {
            oneToken(b, l, x, r, in, s.xb);
            return;
        }
        java.util.Arrays.fill(r.count, 0);
        for (int i = 0; i < n; i++) {
            m.route(r.host, i * ne, r.p, r.ids, r.w);
            for (int k = 0; k < m.nUsed(); k++) {
                int e = r.ids[k];
                r.rowsOf[e][r.count[e]] = i;
                r.weightOf[e][r.count[e]++] = r.w[k];
            }
        }
        Buf xb = r.sum; // in is usually s.xb (the normed rows), so the sum is made apart and copied there
        b.zero(xb, n);
        for (int e = 0; e < ne; e++) {
            int rows = r.count[e];
            if (rows == 0) continue; // an expert no row chose is not read
            b.gather(in, r.rowsOf[e], rows, r.in);
            b.matmul(expertUpGate[l][e], r.in, r.upGate, rows);
            activate(b, x, e, r.gate, r.up, rows);
            b.matmul(x.down()[e], r.gate, r.out, rows);
            if (x.downB() != null) b.addBias(r.out, x.downB()[e], rows);
            b.scatterAdd(r.out, r.rowsOf[e], r.weightOf[e], rows, xb, n);
        }
        shared(b, l, x, r, in, xb, n);
        b.gather(xb, r.identity, n, s.xb);
    }

    /** gate = the expert's activation of gate and up (gpt-oss: biased, clamped SwiGLU; otherwise SiLU-gated). */
    private void activate(Backend b, ExpertWeights x, int e, Buf gate, Buf up, int rows) {
        Moe m = c.moe();
        if (x.gateB() != null) {
            b.addBias(gate, x.gateB()[e], rows);
            b.addBias(up, x.upB()[e], rows);
        }
        if (m.swigluLimit() > 0) b.gluOai(gate, up, Moe.OAI_ALPHA, m.swigluLimit(), rows);
        else b.glu(gate, up, false, rows);
    }

    /**
     * One token's experts as two matmul jobs (up/gate of all, then down of all) instead of three per expert, into
     * {@code dst}; the outputs are summed in expert order, as {@link #moe} sums a batch's rows.
     */
    private void oneToken(Backend b, int l, ExpertWeights x, Routing r, Buf in, Buf dst) {
        Moe m = c.moe();
        int k = m.nUsed();
        m.route(r.host, 0, r.p, r.ids, r.w);
        for (int i = 1; i < k; i++) { // the chosen experts and their weights by expert id
            for (int j = i; j > 0 && r.ids[j] < r.ids[j - 1]; j--) {
                int e = r.ids[j]; r.ids[j] = r.ids[j - 1]; r.ids[j - 1] = e;
                float w = r.w[j]; r.w[j] = r.w[j - 1]; r.w[j - 1] = w;
            }
        }
        for (int i = 0; i < k; i++) {
            int e = r.ids[i];
            r.slotUpGateW[2 * i] = x.up()[e];
            r.slotUpGateW[2 * i + 1] = x.gate()[e];
            r.slotDownW[i] = x.down()[e];
        }
        b.matmul(r.slotUpGateW, in, r.slotUpGate, 1);
        for (int i = 0; i < k; i++) activate(b, x, r.ids[i], r.slotGate[i], r.slotUpGate[2 * i], 1);
        b.matmul(r.slotDownW, r.slotGate, r.slotOut, 1);
        Buf sum = r.sum;
        b.zero(sum, 1);
        for (int i = 0; i < k; i++) {
            if (x.downB() != null) b.addBias(r.slotOut[i], x.downB()[r.ids[i]], 1);
            r.z[0] = r.w[i];
            b.scatterAdd(r.slotOut[i], r.identity, r.z, 1, sum, 1);
        }
        shared(b, l, x, r, in, sum, 1);
        b.gather(sum, r.identity, 1, dst);
    }

    /** Adds the shared experts' FFN of every row to {@code xb} (qwen2moe gates it by sigmoid(ffn_gate_inp_shexp . x)). */
    private void shared(Backend b, int l, ExpertWeights x, Routing r, Buf in, Buf xb, int n) {
        if (sharedUpGate[l] != null) { // shared experts: every row, gated by sigmoid(ffn_gate_inp_shexp . x) in qwen2moe
            b.matmul(sharedUpGate[l], in, r.sharedUpGate, n);
            b.glu(r.sharedGate, r.sharedUp, false, n);
            b.matmul(x.sharedDown(), r.sharedGate, r.sharedOut, n);
            if (x.sharedRouter() != null) {
                b.matmul(x.sharedRouter(), in, r.sharedZ, n);
                b.download(r.sharedZ, n, r.z);
                for (int i = 0; i < n; i++) r.z[i] = 1f / (1f + (float) Math.exp(-r.z[i]));
                b.scatterAdd(r.sharedOut, r.identity, r.z, n, xb, n);
            } else {
                b.add(xb, r.sharedOut, 1f, n);
            }
        }
    }

    /** The logits buffer of the output backend, grown to at least {@code outs} rows and then reused. */
    private Buf logits(Backend b, int outs) {
        if (logits == null || logits.rows() < outs || logitsOwner != b) {
            logits = b.buf(Math.max(outs, logits == null ? 1 : logits.rows()), c.nVocab());
            logitsOwner = b;
        }
        return logits;
    }

    /** RMSNorm, or LayerNorm with bias (starcoder2), of x into out; x itself when the block has no norm (olmo2). */
    private Buf norm(Backend b, Buf x, Weight weight, Weight bias, Buf out, int n) {
        if (weight == null) return x;
        if (c.arch().layerNorm()) b.layernorm(x, weight, bias, c.normEps(), out, n);
        else b.rmsnorm(x, weight, c.normEps(), c.nEmbd(), out, n);
        return out;
    }

    /** out = W x (+ bias). */
    private static void linear(Backend b, Weight w, Weight bias, Buf x, Buf out, int n) {
        b.matmul(w, x, out, n);
        if (bias != null) b.addBias(out, bias, n);
    }

    /** Moves the hidden state to {@code to} when the next layers run on another backend. */
    private Scratch cross(Backend from, Backend to, Scratch s, int n) {
        if (from == to) return s;
        float[] host = new float[n * c.nEmbd()];
        from.download(s.x, n, host);
        Scratch t = scratch(to, n);
        to.upload(host, n, t.x);
        return t;
    }
}
