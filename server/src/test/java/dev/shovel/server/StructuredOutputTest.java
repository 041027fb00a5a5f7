package dev.shovel.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.shovel.grammar.Grammar;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Constrained output over HTTP, against the embedded stories260K: grammars and schemas, whole and streamed. */
class StructuredOutputTest {
    static TestServer s;

    /** A small record, in GBNF: what a schema with two required fields converts to, give or take white space. */
    static final String PERSON = """
            root ::= "{" ws "\\"name\\":" ws name "," ws "\\"age\\":" ws age ws "}"
            name ::= "\\"" [a-z ]{1,12} "\\""
            age ::= [0-9] | [1-9] [0-9]
            ws ::= " "?
            """;

    @BeforeAll
    static void start() { s = TestServer.stories(2, ServerOptions.defaults()); }

    @AfterAll
    static void stop() { s.close(); }

    static ObjectNode chat(int maxTokens) {
        ObjectNode b = TestServer.JSON.createObjectNode();
        b.putArray("messages").addObject().put("role", "user").put("content", "Tell me about a girl.");
        b.put("max_tokens", maxTokens);
        b.put("temperature", 0);
        return b;
    }

    static JsonNode ok(String path, ObjectNode body) {
        TestServer.Reply r = s.post(path, body.toString());
        assertEquals(200, r.status(), r.body());
        return r.json();
    }

    /** The streamed answer: its text joined, and its finish_reason. */
    static String[] streamed(String path, ObjectNode body) {
        body.put("stream", true);
        TestServer.Reply r = s.post(path, body.toString());
        assertEquals(200, r.status(), r.body());
        StringBuilder text = new StringBuilder();
        String finish = null;
        List<String> events = r.body().lines().filter(l -> l.startsWith("data: ")).map(l -> l.substring(6)).toList();
        assertEquals("[DONE]", events.getLast());
        for (String ev : events.subList(0, events.size() - 1)) {
            JsonNode c = new TestServer.Reply(200, ev, null).json().get("choices").get(0);
            JsonNode piece = c.has("delta") ? c.get("delta").get("content") : c.get("text");
            if (piece != null && !piece.isNull()) text.append(piece.asText());
            if (!c.get("finish_reason").isNull()) finish = c.get("finish_reason").asText();
        }
        return new String[] {text.toString(), finish};
    }

    @Test
    void aGbnfGrammarShapesTheChatAnswer() {
        ObjectNode b = chat(64);
        b.put("grammar", PERSON);
        JsonNode c = ok("/v1/chat/completions", b).get("choices").get(0);
        String content = c.get("message").get("content").asText();
        assertTrue(Grammar.parse(PERSON).matches(content), content);
        assertEquals("stop", c.get("finish_reason").asText(), "the grammar completed: " + content);
        JsonNode person = new TestServer.Reply(200, content, null).json();
        assertTrue(person.get("name").isTextual() && person.get("age").isInt(), content);
    }

    @Test
    void aGrammarOnTextCompletions() {
        ObjectNode b = TestServer.JSON.createObjectNode().put("prompt", "Once upon a time").put("max_tokens", 16).put("temperature", 0);
        b.put("grammar", "root ::= (\" \" [a-z]+){3} \".\"");
        JsonNode c = ok("/v1/completions", b).get("choices").get(0);
        assertTrue(Grammar.parse("root ::= (\" \" [a-z]+){3} \".\"").matches(c.get("text").asText()), c.toString());
        assertEquals("stop", c.get("finish_reason").asText());
    }

    @Test
    void aStreamedGrammarAnswerAddsUpToTheSentence() {
        ObjectNode b = chat(64);
        b.put("grammar", PERSON);
        String whole = ok("/v1/chat/completions", b.deepCopy()).get("choices").get(0).get("message").get("content").asText();
        String[] st = streamed("/v1/chat/completions", b);
        assertEquals(whole, st[0], "the deltas concatenate to the answer");
        assertTrue(Grammar.parse(PERSON).matches(st[0]), st[0]);
        assertEquals("stop", st[1]);
    }

    @Test
    void anAnswerCutByMaxTokensIsLength() {
        ObjectNode b = chat(3);
        b.put("grammar", PERSON);
        JsonNode c = ok("/v1/chat/completions", b).get("choices").get(0);
        assertEquals("length", c.get("finish_reason").asText());
        assertTrue(Grammar.parse(PERSON).matchesPrefix(c.get("message").get("content").asText()), c.toString());
        String[] st = streamed("/v1/chat/completions", b);
        assertEquals("length", st[1]);
    }

    static final String SCHEMA = """
            {"type": "object", "properties": {
              "name": {"type": "string", "maxLength": 12},
              "age": {"type": "integer", "minimum": 0, "maximum": 120},
              "pet": {"enum": ["cat", "dog"]}},
             "required": ["name", "age", "pet"], "additionalProperties": false}""";

    static ObjectNode withSchema(ObjectNode b) {
        ObjectNode js = b.putObject("response_format").put("type", "json_schema").putObject("json_schema");
        js.put("name", "person").put("strict", true).set("schema", new TestServer.Reply(200, SCHEMA, null).json());
        return b;
    }

    /** The answer as JSON, checked against the schema by hand (and by the grammar it compiles to). */
    static void assertPerson(String content) {
        assertTrue(Grammar.fromJsonSchema(SCHEMA).matches(content), content);
        JsonNode p = new TestServer.Reply(200, content, null).json();
        assertEquals(3, p.size(), content);
        assertTrue(p.get("name").isTextual() && p.get("name").asText().length() <= 12, content);
        assertTrue(p.get("age").isInt() && p.get("age").asInt() >= 0 && p.get("age").asInt() <= 120, content);
        assertTrue(List.of("cat", "dog").contains(p.get("pet").asText()), content);
    }

    @Test
    void aJsonSchemaInResponseFormatShapesTheAnswer() {
        JsonNode c = ok("/v1/chat/completions", withSchema(chat(96))).get("choices").get(0);
        assertEquals("stop", c.get("finish_reason").asText(), c.toString());
        assertPerson(c.get("message").get("content").asText());
    }

    @Test
    void aRepeatedSchemaReusesItsCompiledGrammar() {
        GrammarCache cache = s.server.endpoints().grammars;
        ok("/v1/chat/completions", withSchema(chat(4)));
        long hits = cache.hits(), misses = cache.misses();
        ok("/v1/chat/completions", withSchema(chat(4)));
        assertEquals(hits + 1, cache.hits());
        assertEquals(misses, cache.misses());
    }

    @Test
    void aStreamedSchemaAnswerAddsUpToTheJson() {
        String whole = ok("/v1/chat/completions", withSchema(chat(96))).get("choices").get(0).get("message").get("content").asText();
        String[] st = streamed("/v1/chat/completions", withSchema(chat(96)));
        assertEquals(whole, st[0]);
        assertPerson(st[0]);
        assertEquals("stop", st[1]);
    }

    @Test
    void jsonObjectGivesAJsonObject() {
        ObjectNode b = chat(64);
        b.putObject("response_format").put("type", "json_object");
        JsonNode c = ok("/v1/chat/completions", b).get("choices").get(0);
        assertEquals("stop", c.get("finish_reason").asText(), c.toString());
        assertTrue(new TestServer.Reply(200, c.get("message").get("content").asText(), null).json().isObject(), c.toString());
    }

    @Test
    void llamaServersJsonSchemaOnTextCompletions() {
        ObjectNode b = TestServer.JSON.createObjectNode().put("prompt", "Once upon a time").put("max_tokens", 96).put("temperature", 0);
        b.set("json_schema", new TestServer.Reply(200, SCHEMA, null).json());
        JsonNode c = ok("/v1/completions", b).get("choices").get(0);
        assertEquals("stop", c.get("finish_reason").asText(), c.toString());
        assertPerson(c.get("text").asText());
        ObjectNode rf = TestServer.JSON.createObjectNode().put("prompt", "Once upon a time").put("max_tokens", 96).put("temperature", 0);
        rf.putObject("response_format").put("type", "json_object").set("schema", new TestServer.Reply(200, SCHEMA, null).json());
        assertEquals(c.get("text").asText(), ok("/v1/completions", rf).get("choices").get(0).get("text").asText(), "the same schema, the same answer");
    }

    @Test
    void aBadSchemaIsA400NamingTheFieldAndTheProblem() {
        ObjectNode b = chat(8);
        b.putObject("response_format").put("type", "json_schema").putObject("json_schema").put("name", "x")
                .putObject("schema").put("type", "frobnicate");
        ServerTest.assertError(s.post("/v1/chat/completions", b.toString()), 400, "invalid_request_error", "'response_format.json_schema.schema': ");
        ServerTest.assertError(s.post("/v1/chat/completions", b.toString()), 400, "invalid_request_error", "frobnicate");
    }

    @Test
    void aBadGrammarOverHttpIsAnOpenAiError() {
        ObjectNode b = chat(8);
        b.put("grammar", "root ::= \"a\" | [");
        ServerTest.assertError(s.post("/v1/chat/completions", b.toString()), 400, "invalid_request_error", "'grammar': line 1, column");
        b.put("grammar", "root ::= \"a\"");
        b.putObject("response_format").put("type", "json_object");
        ServerTest.assertError(s.post("/v1/chat/completions", b.toString()), 400, "invalid_request_error", "'grammar'");
    }
}
