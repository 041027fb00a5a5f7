package dev.shovel.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.shovel.engine.Completion;
import dev.shovel.engine.Generation.Piece;
import dev.shovel.gen.Logprobs;
import dev.shovel.tokenizer.Tokenizer;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The JSON a generation is answered with: chat completions ({@code chat.completion} and its chunks) or text
 * completions ({@code text_completion}), in the shapes OpenAI's clients parse.
 */
abstract class Shape {
    final String id, model;
    final long created = System.currentTimeMillis() / 1000;
    final Tokenizer tok;
    final boolean usageLast; // a stream that ends with a usage chunk: the others carry "usage": null

    Shape(String id, String model, Tokenizer tok, boolean usageLast) {
        this.id = id;
        this.model = model;
        this.tok = tok;
        this.usageLast = usageLast;
    }

    static final String FINGERPRINT = "shovel-0.1.0";

    ObjectNode head(String object) {
        ObjectNode o = Call.JSON.createObjectNode();
        o.put("id", id);
        o.put("object", object);
        o.put("created", created);
        o.put("model", model);
        o.put("system_fingerprint", FINGERPRINT);
        return o;
    }

    /** Puts the log-probabilities of {@code tokens} in this shape into the choice. */
    abstract void logprobs(ObjectNode choice, List<Piece> tokens);

    /**
     * An answer with one choice: {@code field} (the chat delta or message, or the text), the log-probabilities and the
     * finish reason (null while a stream goes on).
     */
    ObjectNode choice(String object, String field, JsonNode value, List<Piece> tokens, boolean logprobs, String reason) {
        ObjectNode o = head(object);
        ObjectNode ch = o.putArray("choices").addObject();
        ch.put("index", 0);
        ch.set(field, value);
        if (logprobs) logprobs(ch, tokens);
        else ch.putNull("logprobs");
        if (reason == null) ch.putNull("finish_reason");
        else ch.put("finish_reason", reason);
        if (usageLast) o.putNull("usage");
        return o;
    }

    /** The first event of a stream, or null. */
    abstract ObjectNode first();

    /** A stream chunk with new text and the log-probabilities of the tokens since the last chunk. */
    abstract ObjectNode delta(String text, List<Piece> tokens, boolean logprobs);

    /** The chunk that carries the finish reason. */
    abstract ObjectNode finish(String reason, List<Piece> tokens, boolean logprobs);

    /** The whole answer of a request that did not stream. */
    abstract ObjectNode whole(Completion c, List<Piece> tokens, boolean logprobs);

    /** The last chunk of a stream that asked for usage: no choices, the usage. */
    ObjectNode usageChunk(Completion c, String object) {
        ObjectNode o = head(object);
        o.putArray("choices");
        usage(o, c);
        return o;
    }

    static ObjectNode usage(ObjectNode o, Completion c) {
        ObjectNode u = o.putObject("usage");
        u.put("prompt_tokens", c.promptTokens());
        u.put("completion_tokens", c.generatedTokens());
        u.put("total_tokens", c.promptTokens() + c.generatedTokens());
        u.putObject("prompt_tokens_details").put("cached_tokens", c.cachedTokens());
        ObjectNode t = o.putObject("timings"); // llama-server's
        t.put("cache_n", c.cachedTokens());
        t.put("prompt_n", c.promptTokens() - c.cachedTokens());
        t.put("prompt_ms", c.promptNanos() / 1e6);
        t.put("prompt_per_second", c.promptTokensPerSecond());
        t.put("predicted_n", c.generatedTokens());
        t.put("predicted_ms", c.genNanos() / 1e6);
        t.put("predicted_per_second", c.tokensPerSecond());
        return o;
    }

    byte[] bytes(int id) { return tok.tokenBytes(id, true); }

    String text(int id) { return new String(bytes(id), StandardCharsets.UTF_8); }

    /** OpenAI's chat shape: {@code {content: [{token, logprob, bytes, top_logprobs: [...]}]}}. */
    static final class Chat extends Shape {
        Chat(String id, String model, Tokenizer tok, boolean usageLast) { super(id, model, tok, usageLast); }

        private ObjectNode chunk(ObjectNode delta, List<Piece> tokens, boolean logprobs, String reason) {
            return choice("chat.completion.chunk", "delta", delta, tokens, logprobs, reason);
        }

        @Override
        ObjectNode first() {
            return chunk(Call.JSON.createObjectNode().put("role", "assistant").put("content", ""), List.of(), false, null);
        }

        @Override
        ObjectNode delta(String text, List<Piece> tokens, boolean logprobs) {
            return chunk(Call.JSON.createObjectNode().put("content", text), tokens, logprobs, null);
        }

        @Override
        ObjectNode finish(String reason, List<Piece> tokens, boolean logprobs) {
            return chunk(Call.JSON.createObjectNode(), tokens, logprobs && !tokens.isEmpty(), reason);
        }

        @Override
        ObjectNode whole(Completion c, List<Piece> tokens, boolean logprobs) {
            ObjectNode message = Call.JSON.createObjectNode().put("role", "assistant").put("content", c.text());
            return usage(choice("chat.completion", "message", message, tokens, logprobs, Generate.reason(c)), c);
        }

        @Override
        void logprobs(ObjectNode choice, List<Piece> tokens) {
            ObjectNode lp = choice.putObject("logprobs");
            ArrayNode content = lp.putArray("content");
            lp.putNull("refusal");
            for (Piece p : tokens) {
                ObjectNode e = entry(p.token(), p.logprob());
                ArrayNode top = e.putArray("top_logprobs");
                for (Logprobs.Entry t : p.top()) top.add(entry(t.id(), t.logprob()));
                content.add(e);
            }
        }

        private ObjectNode entry(int id, float logprob) {
            ObjectNode e = Call.JSON.createObjectNode();
            e.put("id", id);
            e.put("token", text(id));
            e.put("logprob", logprob);
            ArrayNode b = e.putArray("bytes");
            for (byte x : bytes(id)) b.add(x & 0xff);
            return e;
        }
    }

    /** OpenAI's legacy completions shape: {@code {tokens, token_logprobs, top_logprobs: [{token: logprob}], text_offset}}. */
    static final class Text extends Shape {
        private int offset; // characters of text before the next token, for text_offset

        Text(String id, String model, Tokenizer tok, boolean usageLast) { super(id, model, tok, usageLast); }

        @Override
        ObjectNode first() { return null; }

        private ObjectNode chunk(String text, List<Piece> tokens, boolean logprobs, String reason) {
            return choice("text_completion", "text", TextNode.valueOf(text), tokens, logprobs, reason);
        }

        @Override
        ObjectNode delta(String text, List<Piece> tokens, boolean logprobs) { return chunk(text, tokens, logprobs, null); }

        @Override
        ObjectNode finish(String reason, List<Piece> tokens, boolean logprobs) {
            return chunk("", tokens, logprobs && !tokens.isEmpty(), reason);
        }

        @Override
        ObjectNode whole(Completion c, List<Piece> tokens, boolean logprobs) {
            return usage(chunk(c.text(), tokens, logprobs, Generate.reason(c)), c);
        }

        @Override
        void logprobs(ObjectNode choice, List<Piece> tokens) {
            ObjectNode lp = choice.putObject("logprobs");
            ArrayNode ts = lp.putArray("tokens"), ls = lp.putArray("token_logprobs"), tops = lp.putArray("top_logprobs"),
                    offs = lp.putArray("text_offset");
            for (Piece p : tokens) {
                String t = text(p.token());
                ts.add(t);
                ls.add(p.logprob());
                ObjectNode top = tops.addObject();
                for (Logprobs.Entry e : p.top()) top.put(text(e.id()), e.logprob());
                offs.add(offset);
                offset += t.length();
            }
        }
    }
}
