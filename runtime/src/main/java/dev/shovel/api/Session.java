package dev.shovel.api;

import dev.shovel.gen.Sampler;
import dev.shovel.gen.TextStream;
import dev.shovel.grammar.Constraint;
import dev.shovel.model.Batch;
import dev.shovel.model.KvCache;
import dev.shovel.tokenizer.Tokenizer;
import java.util.Arrays;
import java.util.function.Consumer;

/**
 * One conversation: a KV cache and the tokens in it. Used by one thread at a time; {@link #cancel()} may be called
 * from any thread. A new prompt that starts with the tokens already cached only processes what is new.
 */
public final class Session implements AutoCloseable {
    private static final int SEQ = 0;

    private final Model model;
    private final KvCache cache;
    private int[] history = new int[64];
    private int length;
    private int reused;
    private volatile boolean cancelled;

    /** The one-token batch and logits of decode steps, reused so decoding allocates nothing per token. */
    private final Batch one = new Batch(new int[1], new int[1], new int[] {SEQ}, new boolean[] {true}, 1);
    private final float[] last;

    Session(Model model, KvCache cache) {
        this.model = model;
        this.cache = cache;
        this.last = new float[model.config().nVocab()];
    }

    public Model model() { return model; }

    /** Tokens currently in the cache. */
    public int[] tokens() { return Arrays.copyOf(history, length); }

    public int contextSize() { return cache.size(); }

    /** Tokens the last {@link #evaluate} (or generate) kept from the cache instead of processing them again. */
    public int reusedTokens() { return reused; }

    /** Asks a running generation to stop after the current token. */
    public void cancel() { cancelled = true; }

    /** Forgets everything cached. */
    public void reset() {
        cache.clear();
        length = 0;
    }

    /**
     * Makes the cache hold exactly {@code tokens} and returns the logits after the last one, reusing the longest
     * cached prefix.
     */
    public float[] evaluate(int[] tokens) {
        if (tokens.length == 0) throw new IllegalArgumentException("nothing to evaluate");
        if (tokens.length > cache.size()) throw new PromptTooLongException(tokens.length, cache.size());
        int common = 0;
        while (common < length && common < tokens.length && history[common] == tokens[common]) common++;
        if (common == tokens.length) common--; // the last token is run again for its logits
        reused = common;
        cache.truncate(SEQ, common);
        length = common;
        float[] logits = null;
        int step = model.batchSize();
        for (int i = common; i < tokens.length; i += step) {
            if (cancelled) return null;
            int n = Math.min(step, tokens.length - i);
            logits = model.forward(Batch.of(tokens, i, n, i, SEQ, false), cache);
            append(tokens, i, n);
        }
        return logits;
    }

    /** Appends one token and returns its logits, in an array the next decode call overwrites. */
    public float[] decode(int token) {
        one.tokens()[0] = token;
        one.pos()[0] = length;
        model.forward(one, cache, last);
        append(one.tokens(), 0, 1);
        return last;
    }

    private void append(int[] t, int from, int n) {
        if (length + n > history.length) history = Arrays.copyOf(history, Math.max(length + n, history.length * 2));
        System.arraycopy(t, from, history, length, n);
        length += n;
    }

    /** Tokenizes the prompt (BOS per the model, special tokens parsed) and continues it. */
    public GenerationResult generate(String prompt, GenerationOptions options, Consumer<String> onText) {
        Tokenizer tok = model.tokenizer();
        return generate(tok.encode(prompt, true, true), options, onText);
    }

    /**
     * Continues {@code prompt} (token ids), streaming text to {@code onText} as it is generated. Stops at an
     * end-of-generation token, a stop string, {@code maxTokens}, a full context, or {@link #cancel()}.
     */
    public GenerationResult generate(int[] prompt, GenerationOptions options, Consumer<String> onText) {
        cancelled = false;
        model.check();
        if (prompt.length == 0) throw new dev.shovel.ShovelException("the prompt is empty and the model adds no BOS token");
        if (prompt.length >= cache.size()) throw new PromptTooLongException(prompt.length, cache.size());
        Tokenizer tok = model.tokenizer();
        int vocab = model.config().nVocab();
        Sampler sampler = new Sampler(options.sampler(), vocab);
        TextStream text = new TextStream(options.stop(), onText == null ? s -> {} : onText);
        Constraint grammar = options.grammar() == null ? null : Constraint.of(options.grammar(), tok);

        long t0 = System.nanoTime();
        float[] logits = evaluate(prompt);
        long t1 = System.nanoTime();
        int processed = prompt.length - reused;
        GenerationOptions.TokenPicker picker = options.picker();
        int[] out = new int[16];
        int produced = 0;
        GenerationResult.StopReason reason = null;
        while (reason == null) {
            if (cancelled || logits == null) { reason = GenerationResult.StopReason.CANCELLED; break; }
            if (options.maxTokens() >= 0 && produced >= options.maxTokens()) { reason = GenerationResult.StopReason.MAX_TOKENS; break; }
            int remaining = Math.min(cache.size() - length, options.maxTokens() >= 0 ? options.maxTokens() - produced : Integer.MAX_VALUE);
            int next = picker != null ? pick(picker, logits, grammar, remaining)
                    : sampler.sample(logits, 0, history, length, grammar, remaining);
            if (grammar != null) grammar.accept(next);
            // a BOS control token in mid-generation starts a new document (llama2.c-style models): end here
            if (tok.isEog(next) || (next == tok.bos() && tok.isControl(next))) {
                reason = GenerationResult.StopReason.END_OF_GENERATION;
                break;
            }
            if (produced == out.length) out = Arrays.copyOf(out, produced * 2);
            out[produced++] = next;
            if (text.add(tok.tokenBytes(next, false))) { reason = GenerationResult.StopReason.STOP_STRING; break; }
            if (grammar != null && grammar.finished()) { reason = GenerationResult.StopReason.END_OF_GENERATION; break; }
            if (options.maxTokens() >= 0 && produced >= options.maxTokens()) { reason = GenerationResult.StopReason.MAX_TOKENS; break; }
            if (length >= cache.size()) { reason = GenerationResult.StopReason.CONTEXT_FULL; break; }
            logits = decode(next);
        }
        if (reason != GenerationResult.StopReason.STOP_STRING) text.flush();
        long t2 = System.nanoTime();
        return new GenerationResult(text.text(), Arrays.copyOf(out, produced), reason, processed, t1 - t0, t2 - t1);
    }

    /** A custom picker's choice; with a grammar it sees the refused tokens' logits as minus infinity and must not pick one. */
    private int pick(GenerationOptions.TokenPicker picker, float[] logits, Constraint grammar, int remaining) {
        if (grammar == null) return picker.pick(logits, tokens());
        float[] masked = logits.clone();
        grammar.apply(masked, 0, masked.length, remaining);
        int t = picker.pick(masked, tokens());
        if (t < 0 || t >= masked.length || masked[t] == Float.NEGATIVE_INFINITY) {
            throw new dev.shovel.grammar.GrammarException("the token picker chose token " + t + ", which the grammar does not allow here");
        }
        return t;
    }

    @Override
    public void close() { cache.close(); }
}
