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
 * its sentence starts a new one and goes on; the budget is the run's length, so the last tokens close the sentence.
 */
final class GrammarBench {
    private GrammarBench() {}

    static void run(Model m, Grammar g, int n, int reps, String name) {
        int vocab = m.config().nVocab();
        int[] prompt = m.tokenizer().encode("Reply in JSON:", true, true);
        double[] free = new double[reps], constrained = new double[reps], maskMs = new double[reps], cold = new double[reps], coldMask = new double[reps];
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
                double[] k = steps(s, prompt, Grammar.parse(g.source()), n, vocab, 100 + i); // masks built as it goes
                cold[i] = k[0];
                coldMask[i] = k[1];
            }
        }
        double f = median(free), c = median(constrained);
        System.out.printf("%ngrammar (%s), sampled tg%d, %d repetitions, medians:%n", name, n, reps);
        double k = median(cold);
        System.out.printf("  unconstrained %.2f ms/token%n", f);
        System.out.printf("  constrained, grammar reused    %.2f ms/token (%.2f ms of it masking and advancing): %+.1f%% per step%n",
                c, median(maskMs), 100 * (c - f) / f);
        System.out.printf("  constrained, new grammar       %.2f ms/token (%.2f ms of it masking and advancing): %+.1f%% per step%n",
                k, median(coldMask), 100 * (k - f) / f);
    }

    /** {ms per step, ms per step spent on the grammar}. */
    private static double[] steps(Session s, int[] prompt, Grammar g, int n, int vocab, long seed) {
        Sampler sampler = new Sampler(SamplerParams.DEFAULT.withTemperature(1f).withSeed(seed).withLogitBias(quoteBias(s.model())), vocab);
        s.reset();
        float[] logits = s.evaluate(prompt);
        Constraint c = g == null ? null : Constraint.of(g, s.model().tokenizer());
        int[] history = Arrays.copyOf(prompt, prompt.length + n);
        long grammarNanos = 0;
        long t0 = System.nanoTime();
        for (int i = 0; i < n; i++) {
            long a = System.nanoTime();
            int t = sampler.sample(logits, 0, history, prompt.length + i, c, n - i);
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

    /**
     * Random weights sample nearly uniformly, so a string would run until the budget closes it; a trained model ends
     * strings after a few words. Tokens with a quote get +4 (in both runs) so the constrained run moves through the
     * grammar's states as real output does.
     */
    private static java.util.Map<Integer, Float> quoteBias(Model m) {
        java.util.Map<Integer, Float> bias = new java.util.HashMap<>();
        var tok = m.tokenizer();
        for (int t = 0; t < tok.vocabSize(); t++) {
            for (byte b : tok.tokenBytes(t, false)) {
                if (b == '"') { bias.put(t, 4f); break; }
            }
        }
        return bias;
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }
}
