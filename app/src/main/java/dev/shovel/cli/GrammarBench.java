package dev.shovel.cli;

import dev.shovel.api.Model;
import dev.shovel.api.Session;
import dev.shovel.gen.Sampler;
import dev.shovel.gen.SamplerParams;
import dev.shovel.grammar.Constraint;
import dev.shovel.grammar.Grammar;
import java.util.Arrays;

/**
 * What a grammar costs per decode step: the same sampled generation (temperature 1) with and without the grammar's
 * mask, interleaved repetition by repetition, so both see the same machine state. A constrained run that completes
 * its sentence starts a new one and goes on.
 */
final class GrammarBench {
    private GrammarBench() {}

    static void run(Model m, Grammar g, int n, int reps, String name) {
        int vocab = m.config().nVocab();
        int[] prompt = m.tokenizer().encode("Reply in JSON:", true, true);
        double[] free = new double[reps], constrained = new double[reps], maskMs = new double[reps];
        try (Session s = m.newSession()) {
            long warm = System.nanoTime();
            while (System.nanoTime() - warm < 3_000_000_000L) { // JIT, and the first masks of the grammar
                steps(s, prompt, null, Math.min(n, 8), vocab, 1);
                steps(s, prompt, g, Math.min(n, 8), vocab, 1);
            }
            for (int i = 0; i < reps; i++) {
                free[i] = steps(s, prompt, null, n, vocab, 100 + i)[0];
                double[] c = steps(s, prompt, g, n, vocab, 100 + i);
                constrained[i] = c[0];
                maskMs[i] = c[1];
            }
        }
        double f = median(free), c = median(constrained);
        System.out.printf("%ngrammar (%s), sampled tg%d, %d repetitions, medians:%n", name, n, reps);
        System.out.printf("  unconstrained %.2f ms/token, constrained %.2f ms/token (%.2f ms of it masking and advancing): %+.1f%% per step%n",
                f, c, median(maskMs), 100 * (c - f) / f);
    }

    /** {ms per step, ms per step spent on the grammar}. */
    private static double[] steps(Session s, int[] prompt, Grammar g, int n, int vocab, long seed) {
        Sampler sampler = new Sampler(SamplerParams.DEFAULT.withTemperature(1f).withSeed(seed), vocab);
        s.reset();
        float[] logits = s.evaluate(prompt);
        Constraint c = g == null ? null : Constraint.of(g, s.model().tokenizer());
        int[] history = Arrays.copyOf(prompt, prompt.length + n);
        long grammarNanos = 0;
        long t0 = System.nanoTime();
        for (int i = 0; i < n; i++) {
            long a = System.nanoTime();
            int t = sampler.sample(logits, 0, history, prompt.length + i, c, -1);
            long b = System.nanoTime();
            if (c != null) {
                long x = System.nanoTime();
                c.accept(t);
                if (c.finished() || s.model().tokenizer().isEog(t)) c = Constraint.of(g, s.model().tokenizer());
                grammarNanos += System.nanoTime() - x;
                grammarNanos += b - a; // the mask is applied inside sample: counted with it (an upper bound)
            }
            history[prompt.length + i] = t;
            logits = s.decode(t);
        }
        long total = System.nanoTime() - t0;
        return new double[] {total / 1e6 / n, grammarNanos / 1e6 / n};
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }
}
