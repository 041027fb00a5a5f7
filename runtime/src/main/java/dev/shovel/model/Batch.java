package dev.shovel.model;

/**
 * Tokens for one forward call: row i is token {@code tokens[i]} at position {@code pos[i]} of sequence {@code seq[i]};
 * only rows with {@code logits[i]} produce logits, in row order. Prefill and decode are the same call.
 */
public record Batch(int[] tokens, int[] pos, int[] seq, boolean[] logits, int n) {

    /** A run of tokens of one sequence from position {@code start}; logits for the last row only. */
    public static Batch of(int[] tokens, int from, int n, int start, int seq, boolean allLogits) {
        int[] t = new int[n], p = new int[n], s = new int[n];
        boolean[] l = new boolean[n];
        for (int i = 0; i < n; i++) {
            t[i] = tokens[from + i];
            p[i] = start + i;
            s[i] = seq;
            l[i] = allLogits || i == n - 1;
        }
        return new Batch(t, p, s, l, n);
    }

    public int outputs() {
        int k = 0;
        for (int i = 0; i < n; i++) if (logits[i]) k++;
        return k;
    }
}
