package dev.shovel.grammar;

import dev.shovel.tokenizer.Tokenizer;

/**
 * One generation's progress through a grammar: masks the logits of the tokens the grammar cannot take next, and
 * advances over each chosen token's bytes. When the grammar is complete only end-of-generation tokens are allowed,
 * and when nothing can follow, {@link #finished()} says the generation is over. With a token budget, near its end no
 * token is allowed after which the sentence could no longer be finished in time, and the last tokens are those that
 * bring it closest to its end (closing open strings, arrays and objects), so output cut by the budget is rare. Not
 * thread-safe: one per generation.
 */
public final class Constraint {
    /**
     * How close to the end of the budget (in tokens beyond the bytes still needed) every token is checked for whether
     * the sentence can still be finished after it: a comma that opens another required member must not come when
     * only the closing brace fits. Earlier, the cached masks serve.
     */
    static final int BUDGET_WATCH = 32;

    private final TokenMasks masks;
    private final Tokenizer tok;
    private int state;

    private Constraint(TokenMasks masks, Tokenizer tok) {
        this.masks = masks;
        this.tok = tok;
        this.state = masks.pda.start;
    }

    public static Constraint of(Grammar grammar, Tokenizer tok) {
        return new Constraint(grammar.masks(tok), tok);
    }

    /**
     * Sets {@code logits[off + t]} to minus infinity for every token {@code t < n} the grammar refuses next.
     * {@code remaining} is how many tokens the budget still allows ({@code < 0}: no budget).
     */
    public void apply(float[] logits, int off, int n, int remaining) {
        TokenMasks.Mask m = masks.mask(state);
        int dist = masks.pda.distance(state);
        long[] bits = m.bits();
        if (remaining >= 0 && remaining <= dist + BUDGET_WATCH) bits = budget(m, dist, remaining);
        boolean any = false;
        for (int w = 0; w < masks.words; w++) {
            long allowed = bits[w];
            if (allowed != 0) any = true;
            int base = w << 6;
            for (long z = ~allowed; z != 0; z &= z - 1) { // each refused token of this word
                int t = base + Long.numberOfTrailingZeros(z);
                if (t >= n) break;
                logits[off + t] = Float.NEGATIVE_INFINITY;
            }
        }
        for (int t = masks.vocab; t < n; t++) logits[off + t] = Float.NEGATIVE_INFINITY;
        if (!any) throw new GrammarException("no token of the vocabulary can continue the grammar here");
    }

    /**
     * Near the end of the budget: no token after which more bytes are needed than tokens are left (a byte a token at
     * worst), and in the last tokens only those that bring the sentence closest to its end (end of generation when it
     * is complete).
     */
    private long[] budget(TokenMasks.Mask m, int dist, int remaining) {
        int[] changed = m.changed(), after = m.distance();
        if (remaining > dist + 1) {
            long[] bits = m.bits().clone();
            boolean cut = false;
            for (int i = 0; i < changed.length; i++) {
                if (after[i] > remaining - 1) {
                    bits[changed[i] >>> 6] &= ~(1L << changed[i]);
                    cut = true;
                }
            }
            if (!cut) return m.bits();
            for (long w : bits) if (w != 0) return bits;
        }
        long[] bits = new long[masks.words];
        if (masks.pda.accepting(state)) {
            for (int t : masks.eog) bits[t >>> 6] |= 1L << t;
            return bits;
        }
        int best = Integer.MAX_VALUE;
        for (int d : after) best = Math.min(best, d);
        if (best >= dist) return m.bits(); // nothing gets closer (a vocabulary without single bytes): any allowed token
        for (int i = 0; i < changed.length; i++) if (after[i] == best) bits[changed[i] >>> 6] |= 1L << changed[i];
        return bits;
    }

    /** Computes the first step's mask now (and the vocabulary's trie, once per tokenizer), so the first token does not wait for them. */
    public Constraint prepare() {
        masks.mask(state);
        return this;
    }

    /** Whether the grammar allows token {@code t} next. */
    public boolean allows(int t) {
        if (t < 0 || t >= masks.vocab) return false;
        if (tok.isEog(t)) return masks.pda.accepting(state);
        return masks.advance(state, tok.tokenBytes(t, false)) != Pda.DEAD && tok.tokenBytes(t, false).length > 0;
    }

    /** Advances over token {@code t}; a token the grammar refuses is a {@link GrammarException}. */
    public void accept(int t) {
        if (tok.isEog(t)) {
            if (!masks.pda.accepting(state)) throw new GrammarException("end of generation before the grammar is complete");
            return;
        }
        byte[] b = t >= 0 && t < masks.vocab ? tok.tokenBytes(t, false) : new byte[0];
        int s = b.length == 0 ? Pda.DEAD : masks.advance(state, b);
        if (s == Pda.DEAD) throw new GrammarException("token " + t + " is not allowed by the grammar here");
        state = s;
    }

    /** Advances over raw text (tests, and prefilled output); false, leaving the state as it was, if the grammar refuses it. */
    boolean acceptBytes(byte[] b) {
        int s = masks.advance(state, b);
        if (s == Pda.DEAD) return false;
        state = s;
        return true;
    }

    /** Whether the output so far is a complete sentence of the grammar. */
    public boolean complete() { return masks.pda.accepting(state); }

    /** Whether the output is complete and nothing may follow: the generation should end. */
    public boolean finished() {
        synchronized (masks.pda) {
            return masks.pda.accepting(state) && !masks.pda.canContinue(state);
        }
    }
}
