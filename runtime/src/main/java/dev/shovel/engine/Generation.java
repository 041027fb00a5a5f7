package dev.shovel.engine;

import dev.shovel.ShovelException;
import dev.shovel.gen.Logprobs;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * A request submitted to an {@link Engine}: read its events in order with {@link #next} (or let {@link #run} do it),
 * cancel it from any thread. The engine's loop only queues events here, so a slow reader slows nobody else.
 */
public final class Generation {

    /** What a request produces, in order: pieces, then one {@link Done}. */
    public sealed interface Event permits Piece, Done {}

    /**
     * A generated token ({@code token >= 0}) and the text it released ({@code ""} while held back: an unfinished UTF-8
     * character or a possible stop string), or, with {@code token == -1}, held text released at the end.
     * {@code logprob} and {@code top} are set when the request asked for log-probabilities.
     */
    public record Piece(String text, int token, float logprob, Logprobs.Entry[] top) implements Event {}

    /** The end: how the request finished. */
    public record Done(Completion completion) implements Event {}

    final Request request;
    final Engine engine;
    final long submitted = System.nanoTime();
    private final BlockingQueue<Event> events = new LinkedBlockingQueue<>();
    private final CompletableFuture<Completion> result = new CompletableFuture<>();
    private volatile boolean cancelled;
    private Done done;
    Engine.Run resumed; // set while a preempted request waits in the queue to resume (guarded by the engine's lock)

    Generation(Engine engine, Request request) {
        this.engine = engine;
        this.request = request;
    }

    public Request request() { return request; }

    /** Stops the request within one engine step (or at once while it waits in the queue); its slot goes to the next. */
    public void cancel() {
        cancelled = true;
        engine.cancelled(this);
    }

    public boolean isCancelled() { return cancelled; }

    /** Completes when the request has ended, with what {@link Done} carries; its callbacks never run on the engine's loop. */
    public CompletableFuture<Completion> result() { return result; }

    /** The next event, waiting at most {@code timeout}; null when none came in time. After the end, {@link Done} again. */
    public Event next(long timeout, TimeUnit unit) throws InterruptedException {
        if (done != null) return done;
        Event e = events.poll(timeout, unit);
        if (e instanceof Done d) done = d;
        return e;
    }

    /**
     * Reads every event on the calling thread, passing released text to {@code onText}, and returns the completion.
     * Interrupting the thread cancels the request.
     */
    public Completion run(Consumer<String> onText) {
        try {
            while (true) {
                Event e = next(1, TimeUnit.DAYS);
                if (e instanceof Piece p && onText != null && !p.text().isEmpty()) onText.accept(p.text());
                if (e instanceof Done d) return d.completion();
            }
        } catch (InterruptedException ie) {
            cancel();
            Thread.currentThread().interrupt();
            throw new ShovelException("interrupted while generating");
        }
    }

    /** Events produced and not yet taken by {@link #next}: how far the reader is behind the generation. */
    public int backlog() { return events.size(); }

    void emit(Event e) { events.add(e); }

    void finish(Completion c) {
        events.add(new Done(c));
        result.completeAsync(() -> c); // dependent stages run elsewhere, not on the loop
    }
}
