package dev.shovel.tools;

import dev.shovel.ggml.TypeOps;
import dev.shovel.gguf.GGUFFile;
import dev.shovel.gguf.TensorInfo;
import java.net.URISyntaxException;
import java.nio.file.Path;

/** Test resources and small helpers shared by the tools tests. */
final class TestFiles {
    private TestFiles() {}

    static Path resource(String name) {
        try {
            return Path.of(TestFiles.class.getResource("/tools/" + name).toURI());
        } catch (URISyntaxException | NullPointerException e) {
            throw new IllegalStateException("missing test resource " + name, e);
        }
    }

    static Path checkpoint() { return resource("stories260K.bin"); }
    static Path tok512() { return resource("tok512.bin"); }
    static Path referenceLlama() { return resource("reference-llama.gguf"); }

    /** All elements of a tensor, decoded. */
    static float[] floats(GGUFFile f, String name) {
        TensorInfo t = f.tensor(name);
        if (t == null) throw new AssertionError("no tensor " + name);
        float[] out = new float[Math.toIntExact(t.elements())];
        TypeOps.of(t.type()).dequantize(f.tensorData(t), 0, out, 0, out.length);
        return out;
    }

    /**
     * Llama logits at position 0 (one token, so attention returns each head's value row unchanged and RoPE is the
     * identity): a plain double-precision forward used to check the tensor mapping of converted files.
     */
    static double[] logitsPos0(GGUFFile f, int token) {
        int dim = f.getInt("llama.embedding_length");
        int nLayer = f.getInt("llama.block_count");
        int nHead = f.getInt("llama.attention.head_count");
        int nKv = f.getInt("llama.attention.head_count_kv");
        int ff = f.getInt("llama.feed_forward_length");
        double eps = f.getFloat("llama.attention.layer_norm_rms_epsilon", 1e-5f);
        float[] emb = floats(f, "token_embd.weight");
        int vocab = emb.length / dim;
        int hs = dim / nHead, kvDim = hs * nKv;
        double[] x = new double[dim];
        for (int i = 0; i < dim; i++) x[i] = emb[token * dim + i];
        for (int l = 0; l < nLayer; l++) {
            String p = "blk." + l + ".";
            double[] h = rmsnorm(x, floats(f, p + "attn_norm.weight"), eps);
            double[] v = matvec(floats(f, p + "attn_v.weight"), h, kvDim);
            double[] att = new double[dim];
            for (int head = 0; head < nHead; head++) {
                int kvHead = head / (nHead / nKv);
                System.arraycopy(v, kvHead * hs, att, head * hs, hs);
            }
            double[] o = matvec(floats(f, p + "attn_output.weight"), att, dim);
            for (int i = 0; i < dim; i++) x[i] += o[i];
            h = rmsnorm(x, floats(f, p + "ffn_norm.weight"), eps);
            double[] g = matvec(floats(f, p + "ffn_gate.weight"), h, ff);
            double[] u = matvec(floats(f, p + "ffn_up.weight"), h, ff);
            for (int i = 0; i < ff; i++) g[i] = g[i] / (1 + Math.exp(-g[i])) * u[i];
            double[] d = matvec(floats(f, p + "ffn_down.weight"), g, dim);
            for (int i = 0; i < dim; i++) x[i] += d[i];
        }
        double[] h = rmsnorm(x, floats(f, "output_norm.weight"), eps);
        float[] out = f.tensor("output.weight") != null ? floats(f, "output.weight") : emb;
        return matvec(out, h, vocab);
    }

    static double[] rmsnorm(double[] x, float[] w, double eps) {
        double ss = 0;
        for (double v : x) ss += v * v;
        double s = 1 / Math.sqrt(ss / x.length + eps);
        double[] y = new double[x.length];
        for (int i = 0; i < x.length; i++) y[i] = x[i] * s * w[i];
        return y;
    }

    /** y = W x for W stored as rows of length x.length (ggml [in, out]). */
    static double[] matvec(float[] w, double[] x, int rows) {
        int n = x.length;
        double[] y = new double[rows];
        for (int r = 0; r < rows; r++) {
            double s = 0;
            for (int i = 0; i < n; i++) s += w[r * n + i] * x[i];
            y[r] = s;
        }
        return y;
    }
}
