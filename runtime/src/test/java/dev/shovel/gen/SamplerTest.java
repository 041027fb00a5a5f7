package dev.shovel.gen;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Each sampling stage against its definition, on hand-made logits. */
class SamplerTest {
    static final float[] LOGITS = {1f, 4f, 3f, 2f, 0f, 3.9f};

    static Set<Integer> draws(SamplerParams p, float[] logits, int n) {
        Sampler s = new Sampler(p.withSeed(123), logits.length);
        Set<Integer> seen = new HashSet<>();
        for (int i = 0; i < n; i++) seen.add(s.sample(logits, 0, new int[0], 0));
        return seen;
    }

    static SamplerParams open(float temp) { return new SamplerParams(temp, 0, 1f, 0f, 1f, 64, 1); }

    @Test
    void greedyIsArgmaxFirstOnTies() {
        assertEquals(1, new Sampler(SamplerParams.GREEDY, 6).sample(LOGITS, 0, new int[0], 0));
        assertEquals(0, Sampler.argmax(new float[] {2f, 2f, 1f}, 0, 3));
    }

    @Test
    void topKKeepsTheKBest() {
        assertEquals(Set.of(1, 5), draws(open(5f).withTopK(2), LOGITS, 400));
        assertEquals(Set.of(0, 1, 2, 3, 4, 5), draws(open(5f), LOGITS, 2000));
    }

    @Test
    void topPKeepsTheSmallestSetReachingP() {
        // softmax of LOGITS: p(1) ≈ 0.404, p(5) ≈ 0.365, p(2) ≈ 0.149: 0.404 + 0.365 < 0.8 <= + 0.149
        assertEquals(Set.of(1, 5, 2), draws(open(1f).withTopP(0.8f), LOGITS, 2000));
        assertEquals(Set.of(1, 5), draws(open(1f).withTopP(0.75f), LOGITS, 2000));
        assertEquals(Set.of(1), draws(open(1f).withTopP(0.2f), LOGITS, 200));
    }

    @Test
    void minPDropsTokensBelowAFractionOfTheBest() {
        // p(i)/p(best) = exp(l_i - 4): 2 -> e^-1 = 0.37, 3 -> e^-2 = 0.135
        assertEquals(Set.of(1, 5, 2), draws(open(1f).withMinP(0.3f), LOGITS, 2000));
        assertEquals(Set.of(1, 5, 2, 3), draws(open(1f).withMinP(0.13f), LOGITS, 4000));
    }

    @Test
    void temperatureSharpensTheDistribution() {
        float[] l = {0f, 1f};
        int hot = 0, cold = 0;
        Sampler a = new Sampler(open(2f), 2), b = new Sampler(open(0.25f), 2);
        for (int i = 0; i < 4000; i++) {
            hot += a.sample(l, 0, new int[0], 0);
            cold += b.sample(l, 0, new int[0], 0);
        }
        // P(1) = sigmoid(1/T): T=2 -> 0.622, T=0.25 -> 0.982
        assertEquals(0.622, hot / 4000.0, 0.03);
        assertEquals(0.982, cold / 4000.0, 0.01);
    }

    @Test
    void repeatPenaltyDividesPositiveAndMultipliesNegativeLogits() {
        float[] l = {3f, 2.5f, -1f, -0.5f};
        SamplerParams p = SamplerParams.GREEDY.withRepeatPenalty(1.5f);
        // token 0 seen: 3 / 1.5 = 2 < 2.5, so greedy moves to 1
        assertEquals(1, new Sampler(p, 4).sample(l, 0, new int[] {0}, 1));
        float[] neg = {-1f, -1.2f};
        // token 0 seen: -1 * 1.5 = -1.5 < -1.2
        assertEquals(1, new Sampler(p, 2).sample(neg, 0, new int[] {0, 0}, 2));
        // only the last N tokens count
        SamplerParams last1 = new SamplerParams(0f, 40, 1f, 0f, 1.5f, 1, 1);
        assertEquals(0, new Sampler(last1, 4).sample(l, 0, new int[] {0, 3}, 2));
    }

    @Test
    void sameSeedSameDrawsOtherSeedOtherDraws() {
        float[] l = new float[100];
        for (int i = 0; i < l.length; i++) l[i] = (float) Math.sin(i);
        SamplerParams p = open(1f);
        int[] a = new int[50], b = new int[50], c = new int[50];
        Sampler sa = new Sampler(p.withSeed(5), 100), sb = new Sampler(p.withSeed(5), 100), sc = new Sampler(p.withSeed(6), 100);
        for (int i = 0; i < 50; i++) {
            a[i] = sa.sample(l, 0, new int[0], 0);
            b[i] = sb.sample(l, 0, new int[0], 0);
            c[i] = sc.sample(l, 0, new int[0], 0);
        }
        assertTrue(java.util.Arrays.equals(a, b));
        assertNotEquals(java.util.Arrays.toString(a), java.util.Arrays.toString(c));
    }
}
