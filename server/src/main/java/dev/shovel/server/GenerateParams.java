package dev.shovel.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.shovel.api.GenerationOptions;
import dev.shovel.gen.SamplerParams;
import dev.shovel.tokenizer.Tokenizer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * The generation fields shared by chat and text completions, checked: OpenAI's names and ranges, plus llama-server's
 * extensions ({@code top_k}, {@code min_p}, {@code repeat_penalty}, {@code repeat_last_n}, {@code n_predict},
 * {@code ignore_eos}).
 * Fields left out take the server's defaults. The output constraint ({@link OutputFormat}) is added by {@link #with}.
 */
record GenerateParams(GenerationOptions options, int logprobs, boolean stream, boolean includeUsage, String constraint) {
    static final int MAX_LOGPROBS = 20;

    /** With the output constrained ({@code c} null: as it is); {@code constraint} names the field it came from. */
    GenerateParams with(OutputFormat.Constrained c) {
        return c == null ? this : new GenerateParams(options.withGrammar(c.grammar()), logprobs, stream, includeUsage, c.field());
    }

    static GenerateParams parse(JsonNode b, ServerOptions d, Tokenizer tok, boolean chat) {
        SamplerParams s = d.sampling();
        float temp = Fields.number(b, "temperature", s.temperature());
        if (temp < 0) throw ApiError.badRequest("'temperature' must be >= 0, got " + temp);
        float topP = Fields.number(b, "top_p", s.topP());
        Fields.range("top_p", topP, 0, 1);
        int topK = Fields.integer(b, "top_k", s.topK());
        float minP = Fields.number(b, "min_p", s.minP());
        Fields.range("min_p", minP, 0, 1);
        float presence = Fields.number(b, "presence_penalty", s.presencePenalty());
        Fields.range("presence_penalty", presence, -2, 2);
        float frequency = Fields.number(b, "frequency_penalty", s.frequencyPenalty());
        Fields.range("frequency_penalty", frequency, -2, 2);
        float repeat = Fields.number(b, "repeat_penalty", s.repeatPenalty());
        if (repeat <= 0) throw ApiError.badRequest("'repeat_penalty' must be > 0, got " + repeat);
        int lastN = Fields.integer(b, "repeat_last_n", s.repeatLastN());
        if (lastN < -1) throw ApiError.badRequest("'repeat_last_n' must be >= -1, got " + lastN);
        long seed = Fields.integer(b, "seed", s.seed());
        int n = Fields.integer(b, "n", 1);
        if (n != 1) throw ApiError.badRequest("'n' must be 1: this server returns one choice per request (send " + n + " requests instead)");

        int maxTokens = d.maxTokens();
        for (String f : new String[] {"max_tokens", "max_completion_tokens", "n_predict"}) { // the later wins, as in llama-server
            if (Fields.present(b, f)) {
                maxTokens = Fields.integer(b, f, -1);
                if (maxTokens < -1) throw ApiError.badRequest("'" + f + "' must be >= 0 (or -1: until the end), got " + maxTokens);
            }
        }

        int logprobs = -1;
        if (chat) {
            boolean lp = Fields.bool(b, "logprobs", false);
            int top = Fields.integer(b, "top_logprobs", 0);
            if (Fields.present(b, "top_logprobs") && !lp) throw ApiError.badRequest("'top_logprobs' needs 'logprobs': true");
            Fields.range("top_logprobs", top, 0, MAX_LOGPROBS);
            if (lp) logprobs = top;
        } else if (Fields.present(b, "logprobs")) {
            JsonNode lp = b.get("logprobs");
            if (lp.isBoolean()) logprobs = lp.asBoolean() ? 1 : -1; // llama-server accepts true as 1
            else {
                logprobs = Fields.integer(b, "logprobs", 0);
                Fields.range("logprobs", logprobs, 0, MAX_LOGPROBS);
            }
        }

        boolean stream = Fields.bool(b, "stream", false);
        JsonNode so = Fields.object(b, "stream_options");
        boolean usage = so != null && Fields.bool(so, "include_usage", false);

        Map<Integer, Float> bias = logitBias(b, tok);
        if (Fields.bool(b, "ignore_eos", false)) { // llama-server's: generate to max_tokens, whatever the model says
            for (int id = 0; id < tok.vocabSize(); id++) {
                if (tok.isEog(id) || (id == tok.bos() && tok.isControl(id))) bias.put(id, Float.NEGATIVE_INFINITY);
            }
        }
        SamplerParams sp = new SamplerParams(temp, topK, topP, minP, repeat, lastN, seed, presence, frequency, bias);
        List<String> stop = Fields.present(b, "stop") ? stops(b) : d.stop();
        return new GenerateParams(new GenerationOptions(maxTokens, sp, stop), logprobs, stream, usage, null);
    }

    static List<String> stops(JsonNode b) {
        JsonNode st = b.get("stop");
        List<String> out = new ArrayList<>();
        if (st == null || st.isNull()) return out;
        if (st.isTextual()) out.add(st.asText());
        else if (st.isArray()) {
            for (JsonNode x : st) {
                if (!x.isTextual()) throw ApiError.badRequest("'stop' must be a string or an array of strings");
                out.add(x.asText());
            }
        } else throw ApiError.badRequest("'stop' must be a string or an array of strings");
        if (out.size() > 16) throw ApiError.badRequest("'stop' holds " + out.size() + " strings; at most 16");
        out.removeIf(String::isEmpty);
        return out;
    }

    /**
     * OpenAI's {@code {"token id": bias}} (or llama-server's {@code [[id, bias]]}); {@code false} bans a token; a key
     * that is not a number is text whose tokens all get the bias. Ids outside the vocabulary are ignored.
     */
    static Map<Integer, Float> logitBias(JsonNode b, Tokenizer tok) {
        JsonNode lb = b.get("logit_bias");
        Map<Integer, Float> out = new HashMap<>();
        if (lb == null || lb.isNull()) return out;
        if (lb.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = lb.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                bias(out, e.getKey(), e.getValue(), tok);
            }
        } else if (lb.isArray()) {
            for (JsonNode pair : lb) {
                if (!pair.isArray() || pair.size() != 2) throw ApiError.badRequest("'logit_bias' as an array holds [token, bias] pairs");
                bias(out, pair.get(0).isNumber() ? pair.get(0).asText() : pair.get(0).asText(), pair.get(1), tok);
            }
        } else throw ApiError.badRequest("'logit_bias' must be an object of token ids to biases");
        return out;
    }

    private static void bias(Map<Integer, Float> out, String key, JsonNode value, Tokenizer tok) {
        float v;
        if (value.isBoolean() && !value.asBoolean()) v = Float.NEGATIVE_INFINITY;
        else if (value.isNumber() && Float.isFinite((float) value.asDouble())) v = (float) value.asDouble();
        else throw ApiError.badRequest("'logit_bias' values must be numbers (or false to ban a token), got " + value);
        int[] ids;
        try {
            ids = new int[] {Integer.parseInt(key.trim())};
        } catch (NumberFormatException e) {
            ids = tok.encode(key, false, false);
        }
        for (int id : ids) if (id >= 0 && id < tok.vocabSize()) out.merge(id, v, (x, y) -> x == Float.NEGATIVE_INFINITY || y == Float.NEGATIVE_INFINITY ? Float.NEGATIVE_INFINITY : x + y);
    }
}
