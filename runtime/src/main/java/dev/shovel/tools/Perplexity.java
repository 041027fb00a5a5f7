package dev.shovel.tools;

import dev.shovel.ShovelException;
import dev.shovel.api.Model;
import dev.shovel.api.Session;
import dev.shovel.model.Batch;
import dev.shovel.model.KvCache;
import java.io.PrintStream;
import java.util.Arrays;

/**
 * Perplexity as llama.cpp's {@code llama-perplexity} computes it: the tokens (BOS first) are cut into consecutive
 * chunks of {@code nCtx} (the remainder is dropped); each chunk starts with BOS and is evaluated from an empty cache;
 * the second half of each chunk is scored (the logits at positions nCtx/2 .. nCtx-2 predict the next token).
 * PPL = exp(mean NLL); the ± is llama.cpp's: PPL * sqrt((mean(NLL²) - mean(NLL)²) / (count - 1)).
 */
public final class Perplexity {
    private Perplexity() {}

    /** Evaluates a chunk from an empty cache: the logits of positions [from, tokens.length), row after row. */
    public interface Evaluator {
        float[] logits(int[] tokens, int from);
    }

    /** Told the running perplexity after each chunk (chunks count from 0). */
    public interface Progress {
        void chunk(int index, double runningPpl);
    }

    /** llama-perplexity's running output: {@code [1]x.xxxx,[2]x.xxxx,…}. */
    public static Progress printer(PrintStream out) {
        return (i, ppl) -> {
            out.printf("[%d]%.4f,", i + 1, ppl);
            out.flush();
        };
    }

    /** The final value, its standard error, and the running value after each chunk. */
    public record Result(double ppl, double stderr, int chunks, int scored, double[] running) {}

    /**
     * Scores {@code tokens} (already tokenized with BOS). {@code bos} < 0: no BOS replacement (a model without
     * add_bos). {@code progress} (may be null) is told each chunk's running value.
     */
    public static Result compute(int[] tokens, int nCtx, int bos, int nVocab, Evaluator eval, Progress progress) {
        return compute(tokens, nCtx, bos, nVocab, eval, progress, -1);
    }

    /** As above, scoring at most {@code maxChunks} chunks when it is positive (llama-perplexity's {@code --chunks}). */
    public static Result compute(int[] tokens, int nCtx, int bos, int nVocab, Evaluator eval, Progress progress, int maxChunks) {
        if (nCtx < 4) throw new ShovelException("perplexity needs a context of at least 4 tokens, got " + nCtx);
        if (tokens.length < 2 * nCtx) {
            throw new ShovelException("the text has " + tokens.length + " tokens; perplexity with a context of "
                    + nCtx + " needs at least " + 2 * nCtx);
        }
        int chunks = maxChunks > 0 ? Math.min(maxChunks, tokens.length / nCtx) : tokens.length / nCtx, first = nCtx / 2;
        double nll = 0, nll2 = 0;
        int count = 0;
        double[] running = new double[chunks];
        for (int c = 0; c < chunks; c++) {
            int[] chunk = Arrays.copyOfRange(tokens, c * nCtx, (c + 1) * nCtx);
            if (bos >= 0) chunk[0] = bos;
            float[] logits = eval.logits(chunk, first);
            for (int j = first; j < nCtx - 1; j++) {
                double v = -logSoftmax(logits, (j - first) * nVocab, nVocab, chunk[j + 1]);
                nll += v;
                nll2 += v * v;
                count++;
            }
            running[c] = Math.exp(nll / count);
            if (progress != null) progress.chunk(c, running[c]);
        }
        double mean = nll / count, mean2 = nll2 / count;
        double ppl = Math.exp(mean);
        double var = mean2 - mean * mean;
        double stderr = var > 0 ? ppl * Math.sqrt(var / (count - 1)) : 0;
        return new Result(ppl, stderr, chunks, count, running);
    }

    /** log p(tok) from one row of logits, in double as llama.cpp's perplexity tool. */
    static double logSoftmax(float[] logits, int off, int n, int tok) {
        float max = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) max = Math.max(max, logits[off + i]);
        double sum = 0;
        for (int i = 0; i < n; i++) sum += Math.exp(logits[off + i] - max);
        return logits[off + tok] - max - Math.log(sum);
    }

    /** One forward call, as {@link Model#forward} or {@link dev.shovel.model.Transformer#forward}. */
    public interface Forward {
        float[] forward(Batch batch, KvCache cache);
    }

    /**
     * An evaluator running each chunk as batches of at most {@code batchSize} tokens through {@code forward},
     * asking for logits only at the scored positions; {@code cache} is cleared before each chunk.
     */
    public static Evaluator batched(Forward forward, KvCache cache, int batchSize, int nVocab) {
        return (tokens, from) -> {
            cache.clear();
            float[] out = new float[(tokens.length - from) * nVocab];
            int filled = 0;
            for (int i = 0; i < tokens.length; i += batchSize) {
                int n = Math.min(batchSize, tokens.length - i);
                int[] t = new int[n], pos = new int[n], seq = new int[n];
                boolean[] logits = new boolean[n];
                for (int j = 0; j < n; j++) {
                    t[j] = tokens[i + j];
                    pos[j] = i + j;
                    logits[j] = i + j >= from;
                }
                float[] l = forward.forward(new Batch(t, pos, seq, logits, n), cache);
                System.arraycopy(l, 0, out, filled, l.length);
                filled += l.length;
            }
            return out;
        };
    }

    /**
     * An evaluator over a loaded model: the first half of each chunk runs as batches, then one token at a time for
     * the scored positions (a session exposes the logits of its last token only).
     */
    public static Evaluator evaluator(Model model) {
        int nVocab = model.config().nVocab();
        return (tokens, from) -> {
            if (tokens.length > model.contextSize()) {
                throw new ShovelException("perplexity chunks of " + tokens.length + " tokens exceed the context size "
                        + model.contextSize());
            }
            float[] out = new float[(tokens.length - from) * nVocab];
            try (Session s = model.newSession()) {
                float[] l = s.evaluate(Arrays.copyOf(tokens, from + 1));
                System.arraycopy(l, 0, out, 0, nVocab);
                for (int j = from + 1; j < tokens.length; j++) {
                    l = s.decode(tokens[j]);
                    System.arraycopy(l, 0, out, (j - from) * nVocab, nVocab);
                }
            }
            return out;
        };
    }
}
