package dev.shovel.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.shovel.api.ChatMessage;
import dev.shovel.api.PromptTooLongException;
import dev.shovel.engine.Engine;
import dev.shovel.engine.EngineClosedException;
import dev.shovel.engine.Generation;
import dev.shovel.engine.QueueFullException;
import dev.shovel.engine.Request;
import dev.shovel.engine.SlotInfo;
import dev.shovel.grammar.GrammarException;
import dev.shovel.tokenizer.Tokenizer;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The routes that need the engine: OpenAI's endpoints and llama-server's tokenize, detokenize, slots and metrics. */
final class Endpoints {
    private final Engine engine;
    private final Tokenizer tok;
    private final String modelId;
    private final ServerOptions options;
    private final Metrics metrics;
    private final long created = System.currentTimeMillis() / 1000;
    private final SecureRandom random = new SecureRandom();
    final GrammarCache grammars = new GrammarCache(GrammarCache.DEFAULT_ENTRIES);
    private static final List<String> RESERVED = List.of("messages", "add_generation_prompt", "bos_token", "eos_token", "tools");

    Endpoints(Engine engine, String modelId, ServerOptions options, Metrics metrics) {
        this.engine = engine;
        this.tok = engine.model().tokenizer();
        this.modelId = modelId;
        this.options = options;
        this.metrics = metrics;
    }

    /** What a route does with a call. */
    interface Handler {
        void handle(Endpoints e, Call call) throws IOException;
    }

    /**
     * What a route makes of a request's JSON body before anything runs (a prompt and its checked parameters; for the
     * cheap routes, the whole answer): an {@link ApiError} (or a ShovelException, answered 400) when the body is wrong.
     * The fuzz harness drives every route through this.
     */
    interface Prepare {
        Object prepare(Endpoints e, JsonNode body);
    }

    /**
     * One endpoint: its method, its paths (a path ending in '/' matches what follows it), whether it reads a JSON body,
     * the step that checks the body, and the handler.
     */
    record Route(String method, List<String> paths, boolean body, Prepare prepare, Handler handler) {
        boolean matches(String path) {
            for (String p : paths) if (p.endsWith("/") ? path.startsWith(p) && path.length() > p.length() : path.equals(p)) return true;
            return false;
        }
    }

    /** A checked generation request: what is submitted to the engine, and how the answer is shaped. */
    record Job(int[] prompt, GenerateParams params, boolean chat) {}

    /** Every path the server answers but /health and the chat page (OpenAiServer's: no key, no body, no engine). */
    static final List<Route> ROUTES = List.of(
            new Route("POST", List.of("/v1/chat/completions", "/chat/completions"), true,
                    Endpoints::prepareChat, (e, c) -> e.generate(c, e.prepareChat(c.json()))),
            new Route("POST", List.of("/v1/completions", "/completions"), true,
                    Endpoints::prepareCompletion, (e, c) -> e.generate(c, e.prepareCompletion(c.json()))),
            new Route("POST", List.of("/tokenize"), true, Endpoints::tokenize, (e, c) -> c.json(200, e.tokenize(c.json()))),
            new Route("POST", List.of("/detokenize"), true, Endpoints::detokenize, (e, c) -> c.json(200, e.detokenize(c.json()))),
            new Route("GET", List.of("/v1/models", "/models"), false, (e, b) -> e.models(), (e, c) -> c.json(200, e.models())),
            new Route("GET", List.of("/v1/models/"), false, (e, b) -> e.model(), (e, c) -> c.json(200, e.model(c.path.substring("/v1/models/".length())))),
            new Route("GET", List.of("/slots"), false, (e, b) -> e.slots(), (e, c) -> c.json(200, e.slots())),
            new Route("GET", List.of("/metrics"), false, (e, b) -> e.metricsText(),
                    (e, c) -> c.send(200, "text/plain; version=0.0.4; charset=utf-8", e.metricsText().getBytes(StandardCharsets.UTF_8))));

    void route(Call call) throws IOException {
        for (Route r : ROUTES) {
            if (!r.matches(call.path)) continue;
            if (r.method().equals("POST")) post(call);
            else OpenAiServer.requireGet(call);
            r.handler().handle(this, call);
            return;
        }
        throw ApiError.notFound("Unknown path " + call.path);
    }

    private String metricsText() { return metrics.render(engine.stats(), engine.slotCount(), engine); }

    private static void post(Call call) {
        if (!call.method.equals("POST")) throw new ApiError(405, "invalid_request_error", call.method + " is not allowed on " + call.path + "; use POST");
    }

    private String id(String prefix) {
        String abc = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
        StringBuilder b = new StringBuilder(prefix);
        for (int i = 0; i < 29; i++) b.append(abc.charAt(random.nextInt(abc.length())));
        return b.toString();
    }

    Job prepareChat(JsonNode b) {
        List<ChatMessage> messages = messages(b);
        GenerateParams p = GenerateParams.parse(b, options, tok, true).with(constraint(b));
        Map<String, Object> vars = new LinkedHashMap<>();
        JsonNode kw = Fields.object(b, "chat_template_kwargs"); // llama-server's: e.g. {"enable_thinking": false}
        if (kw != null) vars.putAll(Call.JSON.convertValue(kw, Map.class));
        vars.keySet().removeAll(RESERVED); // the template's own inputs come from the request, not from kwargs
        return new Job(engine.chatFormat().prompt(messages, vars), p, true);
    }

    Job prepareCompletion(JsonNode b) {
        JsonNode pr = b.get("prompt");
        int[] prompt;
        if (pr == null || pr.isNull()) throw ApiError.badRequest("'prompt' is required");
        if (pr.isTextual()) prompt = tok.encode(pr.asText(), true, true);
        else if (pr.isArray() && pr.size() > 0 && pr.get(0).isIntegralNumber()) prompt = ids(pr, "prompt");
        else if (pr.isArray() && pr.size() == 1 && pr.get(0).isTextual()) prompt = tok.encode(pr.get(0).asText(), true, true);
        else if (pr.isArray() && pr.size() > 1 && pr.get(0).isTextual()) {
            throw ApiError.badRequest("'prompt' holds " + pr.size() + " prompts; send one prompt per request");
        } else throw ApiError.badRequest("'prompt' must be a string or an array of token ids");
        return new Job(prompt, GenerateParams.parse(b, options, tok, false).with(constraint(b)), false);
    }

    private OutputFormat.Constrained constraint(JsonNode b) {
        return OutputFormat.parse(b, grammars, options.limits().maxGrammarChars());
    }

    private void generate(Call call, Job job) throws IOException {
        GenerateParams p = job.params();
        Generation g = submit(call, job.prompt(), p);
        Shape shape = job.chat() ? new Shape.Chat(id("chatcmpl-"), modelId, tok, p.stream() && p.includeUsage())
                : new Shape.Text(id("cmpl-"), modelId, tok, p.stream() && p.includeUsage());
        Generate.answer(call, g, shape, p);
    }

    private Generation submit(Call call, int[] prompt, GenerateParams p) {
        call.promptTokens = prompt.length;
        call.generatedTokens = 0;
        try {
            return engine.submit(new Request(prompt, p.options(), p.logprobs()));
        } catch (PromptTooLongException e) {
            throw new ApiError(400, "exceed_context_size_error", "the request's prompt is " + prompt.length
                    + " tokens, more than the context holds (" + engine.contextSize() + " tokens); shorten it or start the server with a larger -c");
        } catch (QueueFullException e) {
            throw ApiError.unavailable(e.getMessage());
        } catch (EngineClosedException e) {
            throw ApiError.unavailable("the server is shutting down");
        } catch (GrammarException e) { // its first mask, built on submit
            throw ApiError.badRequest("'" + p.constraint() + "': " + e.getMessage());
        }
    }

    /**
     * OpenAI's messages: a role ("developer" is read as "system", which chat templates know), and content as a string
     * or an array of text parts (joined by newlines, as llama-server does).
     */
    private static List<ChatMessage> messages(JsonNode b) {
        JsonNode ms = b.get("messages");
        if (ms == null || ms.isNull()) throw ApiError.badRequest("'messages' is required");
        if (!ms.isArray() || ms.isEmpty()) throw ApiError.badRequest("'messages' must be a non-empty array");
        List<ChatMessage> out = new ArrayList<>();
        for (int i = 0; i < ms.size(); i++) {
            JsonNode m = ms.get(i);
            if (!m.isObject()) throw ApiError.badRequest("messages[" + i + "] must be an object");
            JsonNode role = m.get("role");
            if (role == null || !role.isTextual() || role.asText().isBlank()) throw ApiError.badRequest("messages[" + i + "].role must be a string");
            String r = role.asText().equals("developer") ? "system" : role.asText(); // OpenAI's newer name for it
            out.add(new ChatMessage(r, content(m.get("content"), i)));
        }
        return out;
    }

    private static String content(JsonNode c, int i) {
        if (c == null || c.isNull()) return "";
        if (c.isTextual()) return c.asText();
        if (!c.isArray()) throw ApiError.badRequest("messages[" + i + "].content must be a string or an array of parts");
        StringBuilder b = new StringBuilder();
        for (JsonNode part : c) {
            String type = part.isObject() && part.get("type") != null ? part.get("type").asText() : "";
            if (!type.equals("text") || part.get("text") == null || !part.get("text").isTextual()) {
                throw ApiError.badRequest("messages[" + i + "].content: only text parts are supported, got '" + type + "'");
            }
            if (!b.isEmpty()) b.append('\n');
            b.append(part.get("text").asText());
        }
        return b.toString();
    }

    private int[] ids(JsonNode a, String field) {
        int[] out = new int[a.size()];
        for (int i = 0; i < out.length; i++) {
            JsonNode x = a.get(i);
            if (!x.isIntegralNumber()) throw ApiError.badRequest("'" + field + "' must be an array of token ids");
            if (!x.canConvertToInt() || x.asInt() < 0 || x.asInt() >= tok.vocabSize()) {
                throw ApiError.badRequest("token id " + x.asText() + " is outside the vocabulary (0.." + (tok.vocabSize() - 1) + ")");
            }
            out[i] = x.asInt();
        }
        return out;
    }

    private ObjectNode model() {
        ObjectNode m = Call.JSON.createObjectNode();
        m.put("id", modelId);
        m.put("object", "model");
        m.put("created", created);
        m.put("owned_by", "shovel");
        var c = engine.model().config();
        ObjectNode meta = m.putObject("meta");
        meta.put("n_vocab", c.nVocab());
        meta.put("n_ctx", engine.contextSize());
        meta.put("n_ctx_train", c.ctxTrain());
        meta.put("n_embd", c.nEmbd());
        meta.put("n_slots", engine.slotCount());
        return m;
    }

    private ObjectNode model(String id) {
        if (!id.equals(modelId)) throw ApiError.notFound("The model '" + id + "' does not exist; this server serves '" + modelId + "'");
        return model();
    }

    private ObjectNode models() {
        ObjectNode o = Call.JSON.createObjectNode();
        o.put("object", "list");
        o.putArray("data").add(model());
        return o;
    }

    ObjectNode tokenize(JsonNode b) {
        String content = Fields.string(b, "content", "");
        boolean addSpecial = Fields.bool(b, "add_special", false), parseSpecial = Fields.bool(b, "parse_special", true);
        boolean pieces = Fields.bool(b, "with_pieces", false);
        int[] ids = tok.encode(content, addSpecial, parseSpecial);
        ObjectNode o = Call.JSON.createObjectNode();
        ArrayNode a = o.putArray("tokens");
        for (int id : ids) {
            if (!pieces) {
                a.add(id);
                continue;
            }
            ObjectNode e = a.addObject();
            e.put("id", id);
            byte[] bytes = tok.tokenBytes(id, true);
            String s = utf8(bytes);
            if (s != null) e.put("piece", s);
            else {
                ArrayNode raw = e.putArray("piece"); // not whole UTF-8: the bytes, as llama-server gives them
                for (byte x : bytes) raw.add(x & 0xff);
            }
        }
        return o;
    }

    private static String utf8(byte[] b) {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(b)).toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }

    ObjectNode detokenize(JsonNode b) {
        JsonNode t = b.get("tokens");
        int[] ids = t == null || t.isNull() ? new int[0] : t.isArray() ? ids(t, "tokens") : null;
        if (ids == null) throw ApiError.badRequest("'tokens' must be an array of token ids");
        return Call.JSON.createObjectNode().put("content", tok.decode(ids, false, true));
    }

    private ArrayNode slots() {
        ArrayNode a = Call.JSON.createArrayNode();
        for (SlotInfo s : engine.slots()) {
            ObjectNode o = a.addObject();
            o.put("id", s.id());
            o.put("n_ctx", engine.contextSize());
            o.put("is_processing", s.processing());
            o.put("n_prompt_tokens", s.promptTokens());
            o.put("n_decoded", s.generatedTokens());
            o.put("cached_tokens", s.cachedTokens());
        }
        return a;
    }
}
