package dev.shovel.backend;

import dev.shovel.gguf.GGUFFile;
import dev.shovel.gguf.GGMLType;
import dev.shovel.gguf.TensorInfo;

/**
 * The operations a forward pass calls. Activations are {@link Buf}s of {@code n} rows (one per token in the batch);
 * every op works on rows [0, n). Implementations: {@link CpuBackend}; device backends hold their own buffers and
 * move data only through {@link #upload}/{@link #download}.
 */
public interface Backend extends AutoCloseable {
    String name();

    /** Resolves a weight tensor of the file (zero-copy on the CPU). Refuses a type it cannot compute, naming it. */
    Weight weight(GGUFFile file, TensorInfo tensor);

    /**
     * Rows [first, first + count) of a 2-D weight as a weight of its own, sharing the data (splits fused tensors such
     * as phi3's {@code attn_qkv} or gate/up {@code ffn_up}).
     */
    Weight rows(Weight w, int first, int count);

    Buf buf(int rows, int cols);

    KvStore kvStore(int cells, int kDim, int vDim, GGMLType type);

    /**
     * A store whose values are its keys ({@code dim} wide; multi-head latent attention caches one row per token):
     * writes store one row, and attention reads it as both. Devices may keep two copies.
     */
    default KvStore kvStoreShared(int cells, int dim, GGMLType type) { return kvStore(cells, dim, dim, type); }

    /** out[i] = row ids[i] of the table (embedding lookup). */
    void getRows(Weight table, int[] ids, int n, Buf out);

    /** out = x / sqrt(mean(x^2) + eps) * w, per row of {@code dim} elements; {@code x} rows may hold several groups. */
    void rmsnorm(Buf x, Weight w, float eps, int dim, Buf out, int n);

    /** out = (x - mean) / sqrt(var + eps) * w + b, per row. */
    void layernorm(Buf x, Weight w, Weight b, float eps, Buf out, int n);

    /** out[i] = W x[i]: x rows have w.cols() elements, out rows w.rows(). */
    void matmul(Weight w, Buf x, Buf out, int n);

    /** outs[k] = ws[k] x for every k (q/k/v, gate/up): matmuls of one input, which a backend may run as one job. */
    default void matmul(Weight[] ws, Buf x, Buf[] outs, int n) {
        for (int k = 0; k < ws.length; k++) matmul(ws[k], x, outs[k], n);
    }

    /** outs[k] = ws[k] xs[k] for every k (a token's experts), which a backend may run as one job. */
    default void matmul(Weight[] ws, Buf[] xs, Buf[] outs, int n) {
        for (int k = 0; k < ws.length; k++) matmul(ws[k], xs[k], outs[k], n);
    }

    /** x[i] += bias, per row. */
    void addBias(Buf x, Weight bias, int n);

    /** Rotates each head of {@code x} (heads of {@code headDim}) at the rows' positions. */
    void rope(Buf x, int nHead, int headDim, RopeSpec spec, int[] pos, int n);

    /** Writes the rows' keys and values to their cells. */
    void kvWrite(KvStore kv, Buf k, Buf v, int[] cells, int n);

    /** Causal attention of each row over the cells of its sequence at positions up to its own. */
    void attention(Buf q, KvStore kv, KvCells cells, AttnSpec spec, int[] pos, int[] seq, Buf out, int n);

    /** gate = act(gate) * up; act is SiLU, or tanh-GELU when {@code gelu}. */
    void glu(Buf gate, Buf up, boolean gelu, int n);

    /**
     * gate = x * sigmoid(alpha * x) * (y + 1) with x = min(gate, limit), y = clamp(up, -limit, limit): gpt-oss's
     * clamped SwiGLU (ggml's swiglu_oai). Devices may override this host round trip.
     */
    default void gluOai(Buf gate, Buf up, float alpha, float limit, int n) {
        int len = n * gate.cols();
        float[] g = new float[len], u = new float[len];
        download(gate, n, g);
        download(up, n, u);
        for (int i = 0; i < len; i++) g[i] = Act.swigluOai(g[i], u[i], alpha, limit);
        upload(g, n, gate);
    }

    /** x = tanh-GELU(x). */
    void gelu(Buf x, int n);

    /** x += scale * y. */
    void add(Buf x, Buf y, float scale, int n);

    /** x *= scale. */
    void scale(Buf x, float scale, int n);

    /** x = c * tanh(x / c). */
    void softcap(Buf x, float c, int n);

    /** dst[i] = src[rows[i]]. */
    void gather(Buf src, int[] rows, int n, Buf dst);

    /**
     * dst[rows[i]] += scale[i] * src[i] for i in [0, n) (a mixture-of-experts layer adds each expert's rows back to
     * the tokens that chose it). Devices may override this host round trip.
     */
    default void scatterAdd(Buf src, int[] rows, float[] scale, int n, Buf dst, int dstRows) {
        int c = src.cols();
        float[] s = new float[n * c], d = new float[dstRows * c];
        download(src, n, s);
        download(dst, dstRows, d);
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < c; j++) d[rows[i] * c + j] += scale[i] * s[i * c + j];
        }
        upload(d, dstRows, dst);
    }

    /**
     * dst[r][dstCol..dstCol+width) = src[r][srcCol..srcCol+width) for rows [0, n): column slices (multi-head latent
     * attention splits and joins its per-head parts). Devices may override this host round trip.
     */
    default void copyCols(Buf src, int srcCol, Buf dst, int dstCol, int width, int n) {
        float[] s = new float[n * src.cols()], d = new float[n * dst.cols()];
        download(src, n, s);
        download(dst, n, d);
        for (int r = 0; r < n; r++) System.arraycopy(s, r * src.cols() + srcCol, d, r * dst.cols() + dstCol, width);
        upload(d, n, dst);
    }

    /** x = 0 for rows [0, n). */
    default void zero(Buf x, int n) { upload(new float[n * x.cols()], n, x); }

    /** Copies {@code n} rows to host memory. */
    void download(Buf src, int n, float[] dst);

    /** Copies {@code n} rows from host memory. */
    void upload(float[] src, int n, Buf dst);

    @Override void close();
}
