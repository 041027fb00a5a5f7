package dev.shovel.server;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.shovel.engine.Completion;
import dev.shovel.engine.Generation;
import dev.shovel.engine.Generation.Done;
import dev.shovel.engine.Generation.Piece;
import dev.shovel.grammar.GrammarException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Answers a submitted generation, streamed as server-sent events or whole. While nothing is produced (a long prompt,
 * a wait in the queue) it writes a keep-alive every second: an SSE comment, or a space before the JSON, so a client
 * that went away is noticed and its request cancelled, not run to the end.
 */
final class Generate {
    private Generate() {}

    static String reason(Completion c) {
        if (c.stopReason() == null) return "error";
        return switch (c.stopReason()) {
            case MAX_TOKENS, CONTEXT_FULL -> "length";
            default -> "stop";
        };
    }

    static final long KEEP_ALIVE = TimeUnit.SECONDS.toNanos(1);

    static void answer(Call call, Generation g, Shape shape, GenerateParams p) throws IOException {
        boolean answered = false;
        try {
            if (p.stream()) stream(call, g, shape, p);
            else whole(call, g, shape, p);
            answered = true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        } finally {
            if (!answered) g.cancel(); // the client is gone, or answering failed: stop generating for it
        }
    }

    private static void stream(Call call, Generation g, Shape shape, GenerateParams p) throws IOException, InterruptedException {
        boolean lp = p.logprobs() >= 0;
        call.stream(200, "text/event-stream; charset=utf-8");
        call.watch(g); // a reader too far behind is cut and the request cancelled (ServerLimits.maxStreamBacklog)
        ObjectNode first = shape.first();
        if (first != null) call.event(first);
        List<Piece> tokens = new ArrayList<>();
        long written = System.nanoTime();
        while (true) {
            Generation.Event e = g.next(1, TimeUnit.SECONDS);
            if (System.nanoTime() - written >= KEEP_ALIVE && !(e instanceof Done)) { // also while pieces bring no text
                call.write(": ping\n\n");
                written = System.nanoTime();
            }
            if (e instanceof Piece piece) {
                if (piece.token() >= 0) {
                    tokens.add(piece);
                    call.generatedTokens++; // for the log line, should the client hang up before the end
                }
                if (!piece.text().isEmpty() || piece.token() >= 0) { // a chunk per token, as llama-server: text may be ""
                    call.event(shape.delta(piece.text(), tokens, lp));
                    tokens.clear();
                    written = System.nanoTime();
                }
            } else if (e instanceof Done d) {
                Completion c = d.completion();
                call.promptTokens = c.promptTokens();
                call.generatedTokens = c.generatedTokens();
                if (c.error() != null) {
                    call.failure = message(c.error());
                    call.event(errorEvent(c));
                } else {
                    call.event(shape.finish(reason(c), tokens, lp));
                    if (p.includeUsage()) call.event(shape.usageChunk(c, shape instanceof Shape.Chat ? "chat.completion.chunk" : "text_completion"));
                }
                call.write("data: [DONE]\n\n");
                return;
            }
        }
    }

    private static void whole(Call call, Generation g, Shape shape, GenerateParams p) throws IOException, InterruptedException {
        List<Piece> tokens = new ArrayList<>();
        long written = System.nanoTime();
        while (true) {
            Generation.Event e = g.next(1, TimeUnit.SECONDS);
            if (System.nanoTime() - written >= KEEP_ALIVE && !(e instanceof Done)) { // a client gone is noticed
                if (!call.started()) call.stream(200, "application/json; charset=utf-8");
                call.write(" "); // whitespace before a JSON value is still the same JSON
                written = System.nanoTime();
            }
            if (e instanceof Piece piece) {
                if (piece.token() >= 0) {
                    tokens.add(piece);
                    call.generatedTokens++;
                }
            } else if (e instanceof Done d) {
                Completion c = d.completion();
                call.promptTokens = c.promptTokens();
                call.generatedTokens = c.generatedTokens();
                if (c.error() != null) call.failure = message(c.error());
                if (c.error() != null && !call.started()) throw failure(c);
                ObjectNode body = c.error() != null ? errorEvent(c) : shape.whole(c, tokens, p.logprobs() >= 0);
                if (call.started()) call.write(Call.JSON.writeValueAsString(body));
                else call.json(200, body);
                return;
            }
        }
    }

    /**
     * Why a generation failed, as an error: a grammar that proved unusable while generating (too ambiguous, or every
     * token it allows banned by {@code logit_bias}) is the request's fault, 400; anything else the server's, 500.
     */
    static ApiError failure(Completion c) {
        return c.error() instanceof GrammarException
                ? ApiError.badRequest("generation failed: the output constraint: " + message(c.error()))
                : new ApiError(500, "server_error", "generation failed: " + message(c.error()));
    }

    private static ObjectNode errorEvent(Completion c) {
        ApiError f = failure(c);
        ObjectNode o = Call.JSON.createObjectNode();
        ObjectNode e = o.putObject("error");
        e.put("message", f.getMessage());
        e.put("type", f.type);
        e.put("code", f.status);
        return o;
    }

    static String message(Throwable t) {
        String m = t.getMessage();
        return m == null ? t.getClass().getSimpleName() : m.lines().findFirst().orElse("");
    }
}
