package dev.shovel.model;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shovel.ggml.TypeOps;
import dev.shovel.gguf.GGMLType;
import dev.shovel.gguf.GGUFFile;
import dev.shovel.gguf.TensorInfo;
import dev.shovel.tools.Synth;
import dev.shovel.tools.SynthSpec;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * phi3 with LongRoPE factors (no llama.cpp reference file has them) against the formula, through a plain
 * double-precision forward written here: theta_i = pos * base^(-2i/n_rot) / factor_i, with the short factors while
 * the context fits the original training context and the long ones beyond, and cos/sin scaled by
 * {@code rope.scaling.attn_factor}.
 */
class LongRopeTest {
    @TempDir Path dir;

    static float[] floats(GGUFFile f, String name) {
        TensorInfo t = f.tensor(name);
        float[] v = new float[Math.toIntExact(t.elements())];
        TypeOps.of(t.type()).dequantize(f.tensorData(t), 0, v, 0, v.length);
        return v;
    }

    static double[] rmsnorm(double[] x, float[] w, double eps) {
        double ss = 0;
        for (double v : x) ss += v * v;
        double s = 1 / Math.sqrt(ss / x.length + eps);
        double[] y = new double[x.length];
        for (int i = 0; i < x.length; i++) y[i] = x[i] * s * w[i];
        return y;
    }

    /** Rows [r0, r0 + rows) of W (rows of x.length) times x. */
    static double[] matvec(float[] w, int r0, int rows, double[] x) {
        double[] y = new double[rows];
        for (int r = 0; r < rows; r++) for (int i = 0; i < x.length; i++) y[r] += w[(r0 + r) * x.length + i] * x[i];
        return y;
    }

    static void rope(double[] v, int heads, int hd, int pos, double base, float[] factors, double mscale) {
        for (int h = 0; h < heads; h++) {
            for (int i = 0; i < hd / 2; i++) {
                double theta = pos * Math.pow(base, -2.0 * i / hd) / factors[i];
                int a = h * hd + i, b = a + hd / 2;
                double x0 = v[a], x1 = v[b];
                v[a] = (x0 * Math.cos(theta) - x1 * Math.sin(theta)) * mscale;
                v[b] = (x0 * Math.sin(theta) + x1 * Math.cos(theta)) * mscale;
            }
        }
    }

    /** Logits after the last token of {@code ids}, phi3 layout (fused attn_qkv and gate/up), plain loops. */
    static double[] forward(GGUFFile f, int[] ids, boolean longFactors) {
        int e = f.getInt("phi3.embedding_length"), nl = f.getInt("phi3.block_count"), ff = f.getInt("phi3.feed_forward_length");
        int nh = f.getInt("phi3.attention.head_count"), nkv = f.getInt("phi3.attention.head_count_kv"), hd = e / nh;
        double eps = f.getFloat("phi3.attention.layer_norm_rms_epsilon", 0), base = f.getFloat("phi3.rope.freq_base", 0);
        double mscale = f.getFloat("phi3.rope.scaling.attn_factor", 0);
        float[] factors = floats(f, longFactors ? "rope_factors_long.weight" : "rope_factors_short.weight");
        float[] emb = floats(f, "token_embd.weight");
        int n = ids.length, q = nh * hd, kv = nkv * hd;
        double[][] x = new double[n][e];
        for (int t = 0; t < n; t++) for (int i = 0; i < e; i++) x[t][i] = emb[ids[t] * e + i];
        for (int l = 0; l < nl; l++) {
            String p = "blk." + l + ".";
            float[] qkv = floats(f, p + "attn_qkv.weight"), wo = floats(f, p + "attn_output.weight");
            float[] up = floats(f, p + "ffn_up.weight"), down = floats(f, p + "ffn_down.weight");
            double[][] ks = new double[n][], vs = new double[n][], qs = new double[n][];
            for (int t = 0; t < n; t++) {
                double[] h = rmsnorm(x[t], floats(f, p + "attn_norm.weight"), eps);
                qs[t] = matvec(qkv, 0, q, h);
                ks[t] = matvec(qkv, q, kv, h);
                vs[t] = matvec(qkv, q + kv, kv, h);
                rope(qs[t], nh, hd, t, base, factors, mscale);
                rope(ks[t], nkv, hd, t, base, factors, mscale);
            }
            for (int t = 0; t < n; t++) {
                double[] att = new double[q];
                for (int h = 0; h < nh; h++) {
                    int g = h / (nh / nkv);
                    double[] s = new double[t + 1];
                    double max = Double.NEGATIVE_INFINITY, sum = 0;
                    for (int j = 0; j <= t; j++) {
                        for (int i = 0; i < hd; i++) s[j] += qs[t][h * hd + i] * ks[j][g * hd + i];
                        s[j] /= Math.sqrt(hd);
                        max = Math.max(max, s[j]);
                    }
                    for (int j = 0; j <= t; j++) sum += s[j] = Math.exp(s[j] - max);
                    for (int j = 0; j <= t; j++) for (int i = 0; i < hd; i++) att[h * hd + i] += s[j] / sum * vs[j][g * hd + i];
                }
                double[] o = matvec(wo, 0, e, att);
                for (int i = 0; i < e; i++) x[t][i] += o[i];
                double[] h = rmsnorm(x[t], floats(f, p + "ffn_norm.weight"), eps);
                double[] gate = matvec(up, 0, ff, h), u = matvec(up, ff, ff, h);
                for (int i = 0; i < ff; i++) gate[i] = gate[i] / (1 + Math.exp(-gate[i])) * u[i];
                double[] d = matvec(down, 0, e, gate);
                for (int i = 0; i < e; i++) x[t][i] += d[i];
            }
        }
        double[] h = rmsnorm(x[n - 1], floats(f, "output_norm.weight"), eps);
        return matvec(floats(f, "output.weight"), 0, emb.length / e, h);
    }

    @Test
    void shortAndLongFactorsFollowTheFormula() {
        Path p = dir.resolve("phi3-longrope.gguf");
        Synth.write(SynthSpec.builder().architecture("phi3").name("longrope").contextLength(512).ropeOrigCtx(32).seed(5)
                .build(), p);
        int[] ids = new int[30];
        for (int i = 0; i < ids.length; i++) ids[i] = 1 + (i * 37) % 500;
        try (GGUFFile f = GGUFFile.open(p)) {
            assertTrue(f.getFloat("phi3.rope.scaling.attn_factor", 1f) > 1.1f);
            double[] wantShort = forward(f, ids, false), wantLong = forward(f, ids, true);
            double apart = 0;
            for (int i = 0; i < wantShort.length; i++) apart = Math.max(apart, Math.abs(wantShort[i] - wantLong[i]));
            assertTrue(apart > 0.05, "long and short factors give different logits: " + apart);
            // a cache of 32 cells fits the original context (short factors); 64 cells exceed it (long factors)
            for (int cells : new int[] {32, 64}) {
                double[] want = cells > 32 ? wantLong : wantShort;
                try (Engine e = new Engine(p, 2, GGMLType.F32, cells, 32)) {
                    float[][] got = e.allLogits(ids);
                    double d = 0;
                    for (int i = 0; i < want.length; i++) d = Math.max(d, Math.abs(got[ids.length - 1][i] - want[i]));
                    System.out.printf("phi3 LongRoPE, %d cells: max |dlogit| vs formula %.2e (short vs long %.2f)%n", cells, d, apart);
                    assertTrue(d < 1e-4, cells + " cells: max |dlogit| " + d);
                }
            }
        }
    }
}
