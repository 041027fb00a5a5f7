package dev.shovel.gen;

/**
 * Log-probabilities of the model's distribution at one step: the softmax of the raw logits (before bias, penalties
 * and temperature), as llama-server reports them.
 */
public final class Logprobs {
    private Logprobs() {}

    /** A token and its log-probability. */
    public record Entry(int id, float logprob) {}

    /** log(sum(exp(logits))), computed stably. */
    public static double logSumExp(float[] logits, int off, int n) {
        float max = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) max = Math.max(max, logits[off + i]);
        if (max == Float.NEGATIVE_INFINITY) return max;
        double sum = 0;
        for (int i = 0; i < n; i++) sum += Math.exp(logits[off + i] - max);
        return max + Math.log(sum);
    }

    /** The {@code k} most likely tokens, most likely first (lower id first on ties). */
    public static Entry[] top(float[] logits, int off, int n, int k, double lse) {
        k = Math.min(k, n);
        int[] best = new int[k];
        int size = 0;
        for (int i = 0; i < n; i++) {
            if (size < k) {
                int j = size++;
                while (j > 0 && better(logits, off, i, best[j - 1])) {
                    best[j] = best[j - 1];
                    j--;
                }
                best[j] = i;
            } else if (better(logits, off, i, best[k - 1])) {
                int j = k - 1;
                while (j > 0 && better(logits, off, i, best[j - 1])) {
                    best[j] = best[j - 1];
                    j--;
                }
                best[j] = i;
            }
        }
        Entry[] out = new Entry[k];
        for (int j = 0; j < k; j++) out[j] = new Entry(best[j], (float) (logits[off + best[j]] - lse));
        return out;
    }

    private static boolean better(float[] l, int off, int a, int b) {
        return l[off + a] > l[off + b] || (l[off + a] == l[off + b] && a < b);
    }
}
