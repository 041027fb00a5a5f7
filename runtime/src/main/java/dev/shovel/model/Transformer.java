package dev.shovel.model;

import dev.shovel.backend.AttnSpec;
import dev.shovel.backend.Backend;
import dev.shovel.backend.Buf;
import java.util.IdentityHashMap;
import java.util.Map;

/**
 * The forward pass of the Llama family, top to bottom as llama2.c's run.c: embed, then per layer attention and
 * feed-forward blocks with residuals, then the final norm and the output projection for the rows that want logits.
 */
public final class Transformer {
    private final ModelConfig c;
    private final Weights w;
    private final Backend[] layerBackend;
    private final Backend outBackend;
    private final int maxBatch;
    private final AttnSpec attn;
    private final Map<Backend, Scratch> scratch = new IdentityHashMap<>();

    /** Activation buffers of one backend, sized for {@code maxBatch} rows. */
    private static final class Scratch {
        final Buf x, xb, q, k, v, att, hb, hb2;

        Scratch(Backend b, ModelConfig c, int n) {
            x = b.buf(n, c.nEmbd());
            xb = b.buf(n, c.nEmbd());
            q = b.buf(n, c.qDim());
            k = b.buf(n, c.kvDim());
            v = b.buf(n, c.kvDim());
            att = b.buf(n, c.qDim());
            hb = b.buf(n, c.nFf());
            hb2 = b.buf(n, c.nFf());
        }
    }

    public Transformer(ModelConfig c, Weights w, Backend[] layerBackend, Backend outBackend, int maxBatch) {
        this.c = c;
        this.w = w;
        this.layerBackend = layerBackend;
        this.outBackend = outBackend;
        this.maxBatch = maxBatch;
        this.attn = new AttnSpec(c.nHead(), c.nHeadKv(), c.headDim(), (float) (1.0 / Math.sqrt(c.headDim())), 0, 0f);
    }

    public int maxBatch() { return maxBatch; }

    private Scratch scratch(Backend b) { return scratch.computeIfAbsent(b, k -> new Scratch(k, c, maxBatch)); }

    /**
     * Runs the batch (at most {@link #maxBatch()} rows), storing its keys and values in {@code cache}. Returns the
     * logits of the rows that asked for them, row after row ({@code outputs x nVocab}).
     */
    public float[] forward(Batch batch, KvCache cache) {
        int n = batch.n();
        if (n > maxBatch) throw new IllegalArgumentException("batch of " + n + " rows exceeds " + maxBatch);
        int[] pos = batch.pos(), seq = batch.seq();
        int[] cells = cache.place(batch);
        Backend b = layerBackend.length > 0 ? layerBackend[0] : outBackend;
        Scratch s = scratch(b);
        b.getRows(w.tokenEmbd(), batch.tokens(), n, s.x);

        for (int l = 0; l < c.nLayer(); l++) {
            LayerWeights L = w.layers()[l];
            s = cross(b, layerBackend[l], s, n);
            b = layerBackend[l];

            // attention
            b.rmsnorm(s.x, L.attnNorm(), c.normEps(), c.nEmbd(), s.xb, n);
            b.matmul(L.wq(), s.xb, s.q, n);
            b.matmul(L.wk(), s.xb, s.k, n);
            b.matmul(L.wv(), s.xb, s.v, n);
            b.rope(s.q, c.nHead(), c.headDim(), c.rope(), pos, n);
            b.rope(s.k, c.nHeadKv(), c.headDim(), c.rope(), pos, n);
            b.kvWrite(cache.layer(l), s.k, s.v, cells, n);
            b.attention(s.q, cache.layer(l), cache, attn, pos, seq, s.att, n);
            b.matmul(L.wo(), s.att, s.xb, n);
            b.add(s.x, s.xb, 1f, n);

            // feed-forward (SwiGLU)
            b.rmsnorm(s.x, L.ffnNorm(), c.normEps(), c.nEmbd(), s.xb, n);
            b.matmul(L.ffnGate(), s.xb, s.hb, n);
            b.matmul(L.ffnUp(), s.xb, s.hb2, n);
            b.glu(s.hb, s.hb2, false, n);
            b.matmul(L.ffnDown(), s.hb, s.xb, n);
            b.add(s.x, s.xb, 1f, n);
        }

        // final norm and classifier, only for rows that want logits
        s = cross(b, outBackend, s, n);
        b = outBackend;
        int outs = 0;
        int[] rows = new int[n];
        for (int i = 0; i < n; i++) if (batch.logits()[i]) rows[outs++] = i;
        if (outs == 0) return new float[0];
        b.gather(s.x, rows, outs, s.xb);
        b.rmsnorm(s.xb, w.outputNorm(), c.normEps(), c.nEmbd(), s.xb, outs);
        Buf logits = b.buf(outs, c.nVocab());
        b.matmul(w.output(), s.xb, logits, outs);
        float[] out = new float[outs * c.nVocab()];
        b.download(logits, outs, out);
        return out;
    }

    /** Moves the hidden state to {@code to} when the next layers run on another backend. */
    private Scratch cross(Backend from, Backend to, Scratch s, int n) {
        if (from == to) return s;
        float[] host = new float[n * c.nEmbd()];
        from.download(s.x, n, host);
        Scratch t = scratch(to);
        to.upload(host, n, t.x);
        return t;
    }
}
