package dev.shovel.gen;

import dev.shovel.grammar.Constraint;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * llama.cpp's default chain: logit bias, penalties (repeat, frequency, presence), top-k, top-p, min-p, temperature, then a draw from the
 * distribution (or argmax when greedy). Buffers are reused, so sampling allocates nothing per token.
 */
public final class Sampler {
    private final SamplerParams p;
    private final SplittableRandom rng;
    private final float[] work;
    private final int[] idx;
    private final float[] prob;
    private final int[] counts, seen; // penalties: occurrences per token, and the distinct tokens seen

    public Sampler(SamplerParams p, int vocab) {
        this.p = p;
        this.rng = new SplittableRandom(p.seed() >= 0 ? p.seed() : System.nanoTime());
        this.work = new float[vocab];
        this.idx = new int[vocab];
        this.prob = new float[vocab];
        this.counts = new int[vocab];
        this.seen = new int[vocab];
    }

    public SamplerParams params() { return p; }

    /** Index of the largest logit; the first one on ties. */
    public static int argmax(float[] logits, int off, int n) {
        int best = 0;
        float max = logits[off];
        for (int i = 1; i < n; i++) {
            if (logits[off + i] > max) {
                max = logits[off + i];
                best = i;
            }
        }
        return best;
    }

    /**
     * Picks the next token from {@code logits[off .. off+vocab)}. {@code history[0 .. historyLen)} are the tokens so far
     * (for the repetition penalty).
     */
    public int sample(float[] logits, int off, int[] history, int historyLen) {
        return sample(logits, off, history, historyLen, null, -1);
    }

    /**
     * As {@link #sample(float[], int, int[], int)}, choosing only among the tokens {@code grammar} allows (when not
     * null); {@code remaining} is the token budget left ({@code < 0}: none), which the grammar uses to close in time.
     */
    public int sample(float[] logits, int off, int[] history, int historyLen, Constraint grammar, int remaining) {
        int v = work.length;
        System.arraycopy(logits, off, work, 0, v);
        if (grammar != null) grammar.apply(work, 0, v, remaining);
        if (!p.logitBias().isEmpty()) bias();
        penalize(history, historyLen);
        if (p.temperature() <= 0) return argmax(work, 0, v);

        // candidates sorted by logit, cut by top-k
        int n = topK(v);
        while (n > 1 && work[idx[n - 1]] == Float.NEGATIVE_INFINITY) n--; // masked out
        // probabilities at temperature 1 for top-p and min-p
        softmax(n, 1f);
        int keep = n;
        if (p.topP() < 1f) {
            double cum = 0;
            for (int i = 0; i < n; i++) {
                cum += prob[i];
                if (cum >= p.topP()) {
                    keep = i + 1;
                    break;
                }
            }
        }
        if (p.minP() > 0f) {
            float cut = prob[0] * p.minP();
            int k = 1;
            while (k < keep && prob[k] >= cut) k++;
            keep = k;
        }
        softmax(keep, p.temperature());
        double r = rng.nextDouble();
        double cum = 0;
        for (int i = 0; i < keep; i++) {
            cum += prob[i];
            if (r < cum) return idx[i];
        }
        return idx[keep - 1];
    }

    /**
     * llama.cpp's penalties over the last {@code repeatLastN} tokens: each distinct token's logit is divided by the
     * repeat penalty (multiplied when not positive), then lowered by presence + count x frequency.
     */
    private void penalize(int[] history, int len) {
        float rp = p.repeatPenalty(), fp = p.frequencyPenalty(), pp = p.presencePenalty();
        if ((rp == 1f && fp == 0f && pp == 0f) || len == 0 || p.repeatLastN() == 0) return;
        int last = p.repeatLastN() < 0 ? len : Math.min(len, p.repeatLastN());
        int distinct = 0;
        for (int i = len - last; i < len; i++) {
            int t = history[i];
            if (t < 0 || t >= work.length) continue;
            if (counts[t]++ == 0) seen[distinct++] = t;
        }
        for (int i = 0; i < distinct; i++) {
            int t = seen[i];
            work[t] = work[t] > 0 ? work[t] / rp : work[t] * rp;
            work[t] -= counts[t] * fp + pp;
            counts[t] = 0;
        }
    }

    private void bias() {
        for (Map.Entry<Integer, Float> e : p.logitBias().entrySet()) {
            int t = e.getKey();
            if (t >= 0 && t < work.length) work[t] += e.getValue();
        }
    }

    /** Puts the k best candidates (all when k <= 0) in idx[0..k) in descending logit order; returns their count. */
    private int topK(int v) {
        int k = p.topK() <= 0 || p.topK() > v ? v : p.topK();
        if (k == v) {
            for (int i = 0; i < v; i++) idx[i] = i; // full sort: order by logit, then id
            sortByLogit(0, v);
            return v;
        }
        // min-heap of the k best in idx[0..k)
        int size = 0;
        for (int i = 0; i < v; i++) {
            if (size < k) {
                idx[size] = i;
                siftUp(size++);
            } else if (better(i, idx[0])) {
                idx[0] = i;
                siftDown(0, size);
            }
        }
        sortByLogit(0, k);
        return k;
    }

    private boolean better(int a, int b) { return work[a] > work[b] || (work[a] == work[b] && a < b); }

    private void siftUp(int i) {
        while (i > 0) {
            int parent = (i - 1) / 2;
            if (!better(idx[parent], idx[i])) break;
            swap(i, parent);
            i = parent;
        }
    }

    private void siftDown(int i, int size) {
        while (true) {
            int l = 2 * i + 1, r = l + 1, m = i;
            if (l < size && better(idx[m], idx[l])) m = l;
            if (r < size && better(idx[m], idx[r])) m = r;
            if (m == i) return;
            swap(i, m);
            i = m;
        }
    }

    private void swap(int a, int b) {
        int t = idx[a];
        idx[a] = idx[b];
        idx[b] = t;
    }

    /** Insertion sort for small ranges, otherwise a heap sort: descending by logit, ascending id on ties. */
    private void sortByLogit(int from, int to) {
        int n = to - from;
        if (n <= 64) {
            for (int i = from + 1; i < to; i++) {
                int x = idx[i];
                int j = i - 1;
                while (j >= from && better(x, idx[j])) {
                    idx[j + 1] = idx[j];
                    j--;
                }
                idx[j + 1] = x;
            }
            return;
        }
        // heap sort with a min-heap on "better": repeatedly move the worst to the end
        for (int i = n / 2 - 1; i >= 0; i--) siftDown(i, n);
        for (int end = n - 1; end > 0; end--) {
            swap(0, end);
            siftDown(0, end);
        }
    }

    private void softmax(int n, float temp) {
        float max = work[idx[0]];
        double sum = 0;
        for (int i = 0; i < n; i++) {
            float e = (float) Math.exp((work[idx[i]] - max) / temp);
            prob[i] = e;
            sum += e;
        }
        for (int i = 0; i < n; i++) prob[i] = (float) (prob[i] / sum);
    }
}
