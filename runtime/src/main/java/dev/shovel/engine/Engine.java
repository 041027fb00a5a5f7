package dev.shovel.engine;

import dev.shovel.ShovelException;
import dev.shovel.api.ChatFormat;
import dev.shovel.api.ChatMessage;
import dev.shovel.api.GenerationOptions;
import dev.shovel.api.GenerationResult.StopReason;
import dev.shovel.api.Model;
import dev.shovel.api.PromptTooLongException;
import dev.shovel.engine.Generation.Piece;
import dev.shovel.gen.Logprobs;
import dev.shovel.gen.Sampler;
import dev.shovel.gen.TextStream;
import dev.shovel.grammar.Constraint;
import dev.shovel.grammar.GrammarException;
import dev.shovel.model.Batch;
import dev.shovel.model.KvCache;
import dev.shovel.tokenizer.Tokenizer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Continuous batching: many requests share one model. One loop thread owns the model's forward pass and a KV cache of
 * {@code ctxSize} cells shared by {@code slots} sequences. Each step builds one batch from every running request (one
 * token for each that is decoding, then chunks of pending prompts, first come first served, up to {@code batchSize}
 * tokens), runs it once, and samples each request's next token with its own sampler. The weights are read once per
 * step for all of them.
 *
 * <p>When every slot is busy, requests wait in a bounded queue, in order. An idle slot keeps its cells: a new request
 * goes to the idle slot whose cached tokens share the longest prefix with its prompt, and only the rest is processed.
 * Idle slots give their cells up, least recently used first, when running requests need room.
 *
 * <p>Thread-safe: submit and cancel from any thread. Closing the engine cancels what is left; it does not close the
 * model.
 */
public final class Engine implements AutoCloseable {
    private final Model model;
    private final Tokenizer tok;
    private final ChatFormat chat;
    private final KvCache cache;
    private final int ctx, batch, vocab, queueSize;
    private final Slot[] slots;
    private final List<Run> running = new ArrayList<>(); // loop thread only, in admission order
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition wake = lock.newCondition();
    private final ArrayDeque<Generation> queue = new ArrayDeque<>(); // guarded by lock
    private final Thread loop;
    private volatile boolean closed;
    private volatile int busy;
    private volatile SlotInfo[] slotInfo;
    private final AtomicLong requests = new AtomicLong(), promptTokens = new AtomicLong(), promptNanos = new AtomicLong(),
            generated = new AtomicLong(), genNanos = new AtomicLong(), preemptions = new AtomicLong();
    private final Histogram ttft = new Histogram(0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60),
            itl = new Histogram(0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.25, 0.5, 1, 2.5),
            queued = new Histogram(0.001, 0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60);

    // one step's batch, reused
    private final int[] bTok, bPos, bSeq;
    private final boolean[] bOut;
    private final Run[] owner;
    private final float[] logits, row;
    private int rotate;
    private long admissions;
    // chunked prefill: what a decode-only step of k rows costs, and what a prompt token adds (moving averages, ns)
    private final double[] decodeStep;
    private double promptToken;
    /** While requests decode, a step may take at most this many times a decode-only step (prompt tokens are capped). */
    static final double SLOWDOWN = 1.8;
    /** A prompt of at most this many tokens (to process) goes in whole: a short request's first token comes soon. */
    static final int SHORT_PROMPT = 128;

    public Engine(Model model, EngineOptions options) {
        this.model = model;
        this.tok = model.tokenizer();
        this.vocab = model.config().nVocab();
        this.ctx = options.ctxSize() > 0 ? options.ctxSize() : model.contextSize();
        this.batch = options.batchSize() > 0 ? Math.min(options.batchSize(), model.batchSize()) : model.batchSize();
        this.queueSize = options.queueSize();
        this.chat = new ChatFormat(tok, options.chatTemplate());
        this.slots = new Slot[options.slots()];
        for (int i = 0; i < slots.length; i++) slots[i] = new Slot(i);
        bTok = new int[batch];
        bPos = new int[batch];
        bSeq = new int[batch];
        bOut = new boolean[batch];
        owner = new Run[slots.length];
        logits = new float[slots.length * vocab];
        row = new float[vocab];
        decodeStep = new double[slots.length + 1];
        this.cache = model.newCache(ctx);
        publish();
        loop = Thread.ofPlatform().name("shovel-engine").daemon().start(this::loop);
    }

    public Model model() { return model; }

    /** The chat format chat requests are rendered with. */
    public ChatFormat chatFormat() { return chat; }

    /** KV cells shared by the slots: the most tokens (prompt and generated) one request can hold. */
    public int contextSize() { return ctx; }

    public int slotCount() { return slots.length; }

    public int batchSize() { return batch; }

    /**
     * Queues a request. Fails at once, without queueing, when the prompt does not fit in the context
     * ({@link PromptTooLongException}), when every slot is busy and the queue is full ({@link QueueFullException}),
     * or after {@link #close()}.
     */
    public Generation submit(Request request) {
        int[] p = request.prompt();
        if (p.length >= ctx) throw new PromptTooLongException(p.length, ctx);
        for (int t : p) {
            if (t < 0 || t >= vocab) throw new ShovelException("token id " + t + " is outside the vocabulary (0.." + (vocab - 1) + ")");
        }
        // the grammar's token trie and first mask are built here, on the caller's thread, not on the loop
        if (request.options().grammar() != null) Constraint.of(request.options().grammar(), tok).prepare();
        Generation g = new Generation(this, request);
        lock.lock();
        try {
            if (closed) throw new EngineClosedException();
            if (queue.size() + busy >= slots.length + queueSize) throw new QueueFullException(Math.max(0, queue.size() + busy - slots.length));
            queue.addLast(g);
            wake.signal();
        } finally {
            lock.unlock();
        }
        return g;
    }

    /** Renders {@code messages} with the chat format (the assistant's turn next) and queues the request. */
    public Generation submitChat(List<ChatMessage> messages, GenerationOptions options, int logprobs) {
        if (messages.isEmpty()) throw new ShovelException("the conversation has no messages");
        return submit(new Request(chat.prompt(messages, Map.of()), options, logprobs));
    }

    /** Runs a request to its end on the calling thread, streaming text to {@code onText}. */
    public Completion generate(Request request, java.util.function.Consumer<String> onText) {
        return submit(request).run(onText);
    }

    /** Each slot's state after the last step. */
    public List<SlotInfo> slots() { return List.of(slotInfo); }

    /** Time from submission to the first generated token, per request. */
    public Histogram timeToFirstToken() { return ttft; }

    /** Time between a request's consecutive generated tokens. */
    public Histogram interTokenLatency() { return itl; }

    /** Time from submission to a slot, per request. */
    public Histogram queueTime() { return queued; }

    /** Counters since the start, and the current load. */
    public EngineStats stats() {
        int q;
        lock.lock();
        try {
            q = queue.size();
        } finally {
            lock.unlock();
        }
        return new EngineStats(busy, q, requests.get(), promptTokens.get(), promptNanos.get(), generated.get(), genNanos.get(),
                preemptions.get());
    }

    void cancelled(Generation g) {
        lock.lock();
        try {
            if (g.resumed == null && queue.remove(g)) { // a preempted request ends on the loop, with what it made
                g.finish(new Completion("", new int[0], StopReason.CANCELLED, g.request.prompt().length, 0,
                        System.nanoTime() - g.submitted, 0, 0, null));
                return;
            }
            wake.signal();
        } finally {
            lock.unlock();
        }
    }

    // ---- the loop ----

    private void loop() {
        try {
            while (true) {
                lock.lock();
                try {
                    admit();
                    while (!closed && running.isEmpty() && queue.isEmpty()) wake.await(1, TimeUnit.SECONDS);
                    if (closed) break;
                    admit();
                } finally {
                    lock.unlock();
                }
                if (!running.isEmpty()) step();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            lock.lock();
            try {
                closed = true; // also when the loop died of an error: no request may wait for it
                for (Run r : List.copyOf(running)) end(r, StopReason.CANCELLED, null);
                for (Generation g; (g = queue.pollFirst()) != null; ) {
                    if (g.resumed != null) end(g.resumed, StopReason.CANCELLED, null);
                    else g.finish(new Completion("", new int[0], StopReason.CANCELLED, g.request.prompt().length, 0, 0, 0, 0, null));
                }
            } finally {
                lock.unlock();
            }
            cache.close();
        }
    }

    /**
     * Moves waiting requests into idle slots, in order, while the head of the queue has a slot and room. Requests
     * that were preempted for room wait at the head and resume where they were.
     */
    private void admit() {
        while (!queue.isEmpty()) {
            Generation g = queue.peekFirst();
            Run r = g.resumed;
            if (r != null && g.isCancelled()) {
                queue.pollFirst();
                g.resumed = null;
                end(r, StopReason.CANCELLED, null);
                continue;
            }
            int[] seq = r != null ? r.seq : g.request.prompt();
            boolean sample = r == null || r.sample;
            Slot s = pick(seq);
            if (s == null) return;
            int common = Math.min(s.common(seq), sample ? seq.length - 1 : seq.length); // the last prompt token runs again for its logits
            long room = cache.free() + evictable(s) + (s.length - common) - reserved();
            if (room < seq.length - common + (r != null && !sample ? 1 : 0)) return; // wait for room; nobody overtakes the head
            try {
                if (r == null) {
                    r = new Run(g, common);
                    queued.observe(r.admitted - g.submitted);
                }
            } catch (RuntimeException | Error e) { // no memory for its sampler, say: this request fails, the rest go on
                queue.pollFirst();
                g.finish(new Completion("", new int[0], null, seq.length, 0, 0, 0, 0, e));
                continue;
            }
            queue.pollFirst();
            g.resumed = null;
            cache.truncate(s.id, common);
            s.length = common;
            r.attach(s, common);
            int at = 0;
            while (at < running.size() && running.get(at).order < r.order) at++;
            running.add(at, r); // kept in admission order: the oldest prompt is read first
            busy = running.size(); // under the lock, with the queue: submit counts both
            publish();
        }
    }

    /**
     * The idle slot for a sequence: the one sharing the longest prefix with it, if that keeps at least half of what
     * the slot holds (so a short shared opening, a chat template's, does not wipe another conversation's cache); else
     * an empty slot; else the least recently used.
     */
    private Slot pick(int[] seq) {
        Slot best = null, fallback = null;
        int bestCommon = 0;
        for (Slot s : slots) {
            if (s.run != null) continue;
            int c = s.common(seq);
            if (c > 0 && 2L * c >= s.length && c > bestCommon) {
                best = s;
                bestCommon = c;
            }
            if (fallback == null || better(s, fallback)) fallback = s;
        }
        return best != null ? best : fallback;
    }

    private static boolean better(Slot a, Slot b) {
        if ((a.length == 0) != (b.length == 0)) return a.length == 0;
        return a.lastUsed < b.lastUsed;
    }

    /** Cells held by idle slots other than {@code except}. */
    private long evictable(Slot except) {
        long k = 0;
        for (Slot s : slots) if (s.run == null && s != except) k += s.length;
        return k;
    }

    /** Cells the running requests still need: the rest of each prompt, and one for each decoding request. */
    private long reserved() {
        long k = 0;
        for (Run r : running) k += r.seq.length - r.next + (r.pending >= 0 ? 1 : 0);
        return k;
    }

    /** Frees the cells of the least recently used idle slot; false when no idle slot holds any. */
    private boolean evictIdle() {
        Slot victim = null;
        for (Slot s : slots) if (s.run == null && s.length > 0 && (victim == null || s.lastUsed < victim.lastUsed)) victim = s;
        if (victim == null) return false;
        cache.truncate(victim.id, 0);
        victim.length = 0;
        return true;
    }

    /**
     * Takes the most recently admitted request out of its slot and puts it back at the head of the queue, to resume
     * (its tokens so far read again) when there is room: what decoding requests do when the shared cells run out.
     */
    private void preempt(Run r) {
        preemptions.incrementAndGet();
        running.remove(r);
        busy = running.size();
        r.detach(true);
        lock.lock();
        try {
            r.g.resumed = r;
            queue.addFirst(r.g);
        } finally {
            lock.unlock();
        }
    }

    private void step() {
        for (Run r : List.copyOf(running)) if (r.g.isCancelled()) end(r, StopReason.CANCELLED, null);
        if (running.isEmpty()) return;
        try {
            int n = 0, outs = 0;
            // each decoding request needs one cell; when even the idle slots' cells cannot make room, the newest
            // request steps back into the queue (a lone request cannot run out: its max tokens are clamped)
            List<Run> decoding = new ArrayList<>();
            for (Run r : running) if (r.decoding()) decoding.add(r);
            while (cache.free() < decoding.size()) {
                if (evictIdle()) continue;
                Run newest = running.get(running.size() - 1);
                if (running.size() == 1) {
                    end(newest, StopReason.CONTEXT_FULL, null);
                    return;
                }
                preempt(newest);
                decoding.remove(newest);
            }
            int k = decoding.size();
            for (int i = 0; i < k && n < batch; i++) {
                Run r = decoding.get((rotate + i) % k);
                n = row(n, r.pending, r.slot, true);
                r.pending = -1;
                owner[outs++] = r;
            }
            rotate = (rotate + 1) % slots.length;
            int decodes = n, budget = promptBudget(decodes);
            // prompt chunks, first admitted first; while others decode, long prompts only as many tokens as keep
            // their step within SLOWDOWN times a decode-only step
            for (Run r : running) {
                if (r.next >= r.seq.length || n >= batch) continue;
                boolean whole = r.seq.length - r.cached <= SHORT_PROMPT;
                int want = Math.min(r.seq.length - r.next, batch - n);
                if (!whole) want = Math.min(want, Math.max(0, budget - (n - decodes)));
                if (want == 0) continue;
                while (cache.free() - n < want && evictIdle()) { }
                int c = Math.min(want, cache.free() - n);
                for (int i = 0; i < c; i++) {
                    boolean last = r.sample && r.next == r.seq.length - 1;
                    n = row(n, r.seq[r.next++], r.slot, last);
                    r.prefilled++;
                    if (last) owner[outs++] = r;
                }
            }
            if (n == 0) { // cannot happen while admission keeps room for every prompt; never spin on it
                Run newest = running.get(running.size() - 1);
                end(newest, null, new ShovelException("no room left in the KV cache for this request"));
                return;
            }
            long t0 = System.nanoTime();
            model.forward(new Batch(bTok, bPos, bSeq, bOut, n), cache, logits);
            learn(decodes, n - decodes, System.nanoTime() - t0);
        } catch (RuntimeException | Error e) {
            // a failed forward pass leaves the cache in an unknown state: fail what runs, start clean
            for (Run r : List.copyOf(running)) end(r, null, e);
            cache.clear();
            for (Slot s : slots) s.length = 0;
            Arrays.fill(owner, null);
            publish();
            return;
        }
        for (int i = 0; i < owner.length && owner[i] != null; i++) {
            Run r = owner[i];
            owner[i] = null;
            try {
                next(r, i * vocab);
            } catch (RuntimeException | Error e) { // one request's sampling failed: only it ends
                if (running.contains(r)) end(r, null, e);
            }
        }
        publish();
    }

    /** Prompt tokens a step with {@code decodes} decoding rows may add; all it can hold when none decode or before the costs are known. */
    private int promptBudget(int decodes) {
        if (decodes == 0) return batch;
        double step = decodeStep[decodes];
        for (int d = 1; step == 0 && d < decodeStep.length; d++) { // not seen yet: the nearest count seen
            if (decodes - d > 0 && decodeStep[decodes - d] > 0) step = decodeStep[decodes - d];
            else if (decodes + d < decodeStep.length && decodeStep[decodes + d] > 0) step = decodeStep[decodes + d];
        }
        if (step == 0 || promptToken == 0) return 16; // the first steps, before any cost is known
        return (int) Math.max(1, (SLOWDOWN - 1) * step / promptToken);
    }

    /** Updates the step costs from a step of {@code decodes} decoding rows and {@code prompt} prompt rows. */
    private void learn(int decodes, int prompt, long nanos) {
        if (prompt == 0) {
            if (decodes > 0) decodeStep[decodes] = decodeStep[decodes] == 0 ? nanos : 0.9 * decodeStep[decodes] + 0.1 * nanos;
        } else if (prompt >= 4) {
            double base = decodes > 0 ? decodeStep[decodes] : 0;
            if (decodes > 0 && base == 0) return;
            double perToken = Math.max(0, (nanos - base) / prompt);
            promptToken = promptToken == 0 ? perToken : 0.8 * promptToken + 0.2 * perToken;
        }
    }

    /** Adds one token of {@code s}'s sequence to the batch at its next position; returns the new row count. */
    private int row(int n, int token, Slot s, boolean wantLogits) {
        bTok[n] = token;
        bPos[n] = s.length;
        bSeq[n] = s.id;
        bOut[n] = wantLogits;
        s.append(token);
        return n + 1;
    }

    /** Samples the request's next token from its logits row, streams it and decides whether to go on. */
    private void next(Run r, int off) {
        long now = System.nanoTime();
        if (r.promptDone == 0) r.promptDone = now;
        if (r.produced >= r.maxTokens) { // max_tokens 0: the prompt is processed, nothing generated
            end(r, StopReason.MAX_TOKENS, null);
            return;
        }
        GenerationOptions o = r.g.request.options();
        int t;
        int remaining = Math.min(r.maxTokens - r.produced, ctx - r.slot.length);
        if (o.picker() != null) {
            System.arraycopy(logits, off, row, 0, vocab);
            if (r.grammar != null) r.grammar.apply(row, 0, vocab, remaining);
            t = o.picker().pick(row, Arrays.copyOf(r.slot.tokens, r.slot.length));
            if (r.grammar != null && (t < 0 || t >= vocab || row[t] == Float.NEGATIVE_INFINITY)) {
                throw new GrammarException("the token picker chose token " + t + ", which the grammar does not allow here");
            }
        } else {
            t = r.sampler.sample(logits, off, r.slot.tokens, r.slot.length, r.grammar, remaining);
        }
        if (r.grammar != null) r.grammar.accept(t);
        float lp = Float.NaN;
        Logprobs.Entry[] top = null;
        int nTop = r.g.request.logprobs();
        if (nTop >= 0) {
            double lse = Logprobs.logSumExp(logits, off, vocab);
            lp = (float) (logits[off + t] - lse);
            top = nTop > 0 ? Logprobs.top(logits, off, vocab, nTop, lse) : new Logprobs.Entry[0];
        }
        // a BOS control token in mid-generation starts a new document (llama2.c-style models): end here
        if (tok.isEog(t) || (t == tok.bos() && tok.isControl(t))) {
            end(r, StopReason.END_OF_GENERATION, null);
            return;
        }
        r.add(t);
        if (r.produced == 1) ttft.observe(now - r.g.submitted);
        else if (r.lastToken != 0) itl.observe(now - r.lastToken);
        r.lastToken = now;
        boolean stop = r.text.add(tok.tokenBytes(t, false));
        r.g.emit(new Piece(r.released(), t, lp, top));
        if (stop) end(r, StopReason.STOP_STRING, null);
        else if (r.grammar != null && r.grammar.finished()) end(r, StopReason.END_OF_GENERATION, null);
        else if (r.produced >= r.maxTokens) end(r, StopReason.MAX_TOKENS, null);
        else if (r.slot.length >= ctx) end(r, StopReason.CONTEXT_FULL, null);
        else r.pending = t;
    }

    /** Ends a running request: flushes its text, frees its slot (which keeps its cells) and reports. */
    private void end(Run r, StopReason reason, Throwable error) {
        long now = System.nanoTime();
        if (error == null && reason != StopReason.STOP_STRING) {
            r.text.flush();
            String rest = r.released();
            if (!rest.isEmpty()) r.g.emit(new Piece(rest, -1, Float.NaN, null));
        }
        running.remove(r);
        busy = running.size();
        r.detach(false);
        publish();
        long promptEnd = r.promptDone == 0 ? now : r.promptDone;
        long pNanos = promptEnd - r.admitted, gNanos = r.promptDone == 0 ? 0 : now - r.promptDone;
        requests.incrementAndGet();
        promptTokens.addAndGet(r.prefilled);
        promptNanos.addAndGet(pNanos);
        generated.addAndGet(r.produced);
        genNanos.addAndGet(gNanos);
        r.g.finish(new Completion(r.text.text(), Arrays.copyOf(r.out, r.produced), error == null ? reason : null,
                r.prompt.length, r.cached, r.admitted - r.g.submitted, pNanos, gNanos, error));
    }

    private void publish() {
        SlotInfo[] s = new SlotInfo[slots.length];
        for (int i = 0; i < slots.length; i++) {
            Slot x = slots[i];
            Run r = x.run;
            s[i] = new SlotInfo(i, r != null, x.length, r == null ? 0 : r.prompt.length, r == null ? 0 : r.produced);
        }
        slotInfo = s;
    }

    /** Stops the loop: running and queued requests end as cancelled; the KV cache is freed. The model stays open. */
    @Override
    public void close() {
        lock.lock();
        try {
            closed = true;
            wake.signal();
        } finally {
            lock.unlock();
        }
        try {
            loop.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** One sequence of the shared cache: the tokens it holds, and the request running in it, if any. */
    private static final class Slot {
        final int id;
        int[] tokens = new int[64];
        int length;
        long lastUsed;
        Run run;

        Slot(int id) { this.id = id; }

        int common(int[] p) {
            int n = Math.min(length, p.length), i = 0;
            while (i < n && tokens[i] == p[i]) i++;
            return i;
        }

        void append(int t) {
            if (length == tokens.length) tokens = Arrays.copyOf(tokens, 2 * length);
            tokens[length++] = t;
        }
    }

    /**
     * A running request: its slot, the tokens the slot must hold before it decodes ({@code seq}: the prompt, or after a
     * preemption the prompt and what it had generated), how far those have been read, its sampler and text stream.
     */
    final class Run {
        final Generation g;
        final int[] prompt;
        final int cached, maxTokens;
        final long order = ++admissions;
        final Sampler sampler;
        final Constraint grammar;
        final TextStream text;
        final StringBuilder releasedText = new StringBuilder();
        final long admitted = System.nanoTime();
        Slot slot;
        int[] seq;
        boolean sample = true; // the last token of seq gives the logits of the first sample (false when resuming)
        int next, produced, prefilled;
        int[] out = new int[16];
        int pending = -1; // the sampled token the next step feeds, or -1
        long promptDone, lastToken; // lastToken: 0 after a preemption, so the gap of a resume is no inter-token latency

        Run(Generation g, int cached) {
            this.g = g;
            this.prompt = g.request.prompt();
            this.seq = prompt;
            this.cached = cached;
            GenerationOptions o = g.request.options();
            int room = ctx - prompt.length;
            this.maxTokens = o.maxTokens() < 0 ? room : Math.min(o.maxTokens(), room);
            this.sampler = new Sampler(o.sampler(), vocab);
            this.grammar = o.grammar() == null ? null : Constraint.of(o.grammar(), tok);
            this.text = new TextStream(o.stop(), releasedText::append);
        }

        boolean decoding() { return pending >= 0 && next >= seq.length; }

        void attach(Slot s, int common) {
            slot = s;
            s.run = this;
            next = common;
        }

        /** Leaves the slot (which keeps its cells); to resume, a decoding request will read its tokens again. */
        void detach(boolean resume) {
            if (slot == null) return;
            slot.run = null;
            slot.lastUsed = System.nanoTime();
            slot = null;
            lastToken = 0;
            if (resume && pending >= 0) {
                seq = Arrays.copyOf(prompt, prompt.length + produced - 1); // all it generated but the unfed last
                System.arraycopy(out, 0, seq, prompt.length, produced - 1);
                sample = false;
            }
            next = 0;
        }

        String released() {
            String s = releasedText.toString();
            releasedText.setLength(0);
            return s;
        }

        void add(int t) {
            if (produced == out.length) out = Arrays.copyOf(out, 2 * produced);
            out[produced++] = t;
        }
    }
}
