package dev.shovel.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.shovel.grammar.Grammar;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.junit.jupiter.api.Test;

/** The constraint fields read from a request body, without a model: types, names, conflicts, limits, the cache. */
class OutputFormatTest {
    static final String YES_NO = "root ::= \\\"yes\\\" | \\\"no\\\"";

    static JsonNode body(String json) {
        try {
            return TestServer.JSON.readTree(json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static OutputFormat.Constrained parse(GrammarCache cache, String json) {
        return OutputFormat.parse(body(json), cache, 4096);
    }

    static void refused(String json, String fragment) {
        ApiError e = assertThrows(ApiError.class, () -> parse(new GrammarCache(4), json), json);
        assertEquals(400, e.status);
        assertEquals("invalid_request_error", e.type);
        assertTrue(e.getMessage().contains(fragment), "'" + e.getMessage() + "' names the problem (" + fragment + ")");
    }

    @Test
    void noConstraintTextAndAnEmptyGrammarAreNone() {
        GrammarCache c = new GrammarCache(4);
        assertNull(parse(c, "{}"));
        assertNull(parse(c, "{\"response_format\":null,\"grammar\":null,\"json_schema\":null}"));
        assertNull(parse(c, "{\"response_format\":{\"type\":\"text\"}}"));
        assertNull(parse(c, "{\"grammar\":\"\"}"));
    }

    @Test
    void aGrammarIsCompiledAndNamesItsField() {
        OutputFormat.Constrained g = parse(new GrammarCache(4), "{\"grammar\":\"" + YES_NO + "\"}");
        assertEquals("grammar", g.field());
        assertTrue(g.grammar().matches("yes") && !g.grammar().matches("maybe"));
    }

    @Test
    void aTextFormatBesideAGrammarIsNoConflict() {
        assertNotNull(parse(new GrammarCache(4), "{\"response_format\":{\"type\":\"text\"},\"grammar\":\"" + YES_NO + "\"}"));
    }

    @Test
    void malformedFieldsAre400sNamingTheField() {
        refused("{\"response_format\":\"json\"}", "'response_format' must be an object");
        refused("{\"response_format\":{}}", "'response_format.type' is required");
        refused("{\"response_format\":{\"type\":3}}", "'response_format.type' must be");
        refused("{\"response_format\":{\"type\":\"xml\"}}", "got \"xml\"");
        refused("{\"response_format\":{\"type\":\"json_schema\"}}", "'response_format.json_schema' is required");
        refused("{\"response_format\":{\"type\":\"json_schema\",\"json_schema\":[]}}", "'response_format.json_schema' must be an object");
        refused("{\"response_format\":{\"type\":\"json_schema\",\"json_schema\":{\"schema\":{}}}}", "'response_format.json_schema.name' is required");
        refused("{\"response_format\":{\"type\":\"json_schema\",\"json_schema\":{\"name\":\"a b\"}}}", "'response_format.json_schema.name' must be");
        refused("{\"response_format\":{\"type\":\"json_schema\",\"json_schema\":{\"name\":\"" + "x".repeat(65) + "\"}}}", "1 to 64");
        refused("{\"response_format\":{\"type\":\"json_schema\",\"json_schema\":{\"name\":\"n\",\"strict\":\"yes\"}}}", "'response_format.json_schema.strict'");
        refused("{\"response_format\":{\"type\":\"json_schema\",\"json_schema\":{\"name\":\"n\",\"description\":1}}}", "'response_format.json_schema.description'");
        refused("{\"response_format\":{\"type\":\"json_schema\",\"json_schema\":{\"name\":\"n\",\"schema\":true}}}", "'response_format.json_schema.schema' must be");
        refused("{\"response_format\":{\"type\":\"json_object\",\"schema\":\"{}\"}}", "'response_format.schema' must be");
        refused("{\"grammar\":{\"root\":\"x\"}}", "'grammar' must be a string");
        refused("{\"json_schema\":\"{}\"}", "'json_schema' must be a JSON schema object");
    }

    @Test
    void aBadGrammarIsA400WithTheFieldLineAndColumn() {
        refused("{\"grammar\":\"root ::= \\\"a\\\" |\\nroot2 ::= [\"}", "'grammar': line 2, column");
        refused("{\"grammar\":\"root ::= other\"}", "'grammar': line 1");
        refused("{\"grammar\":\"root ::= root \\\"a\\\" | \\\"b\\\"\"}", "left-recursive");
        refused("{\"grammar\":\"root ::= root \\\"a\\\"\"}", "can never end");
    }

    @Test
    void aBadSchemaIsA400NamingTheFieldTheKeywordAndWhere() {
        refused("{\"response_format\":{\"type\":\"json_schema\",\"json_schema\":{\"name\":\"n\",\"schema\":"
                + "{\"type\":\"object\",\"properties\":{\"x\":{\"type\":\"number\",\"multipleOf\":3}}}}}}",
                "'response_format.json_schema.schema': ");
        refused("{\"response_format\":{\"type\":\"json_schema\",\"json_schema\":{\"name\":\"n\",\"schema\":"
                + "{\"type\":\"object\",\"properties\":{\"x\":{\"type\":\"number\",\"multipleOf\":3}}}}}}", "multipleOf");
        refused("{\"json_schema\":{\"properties\":{\"x\":{\"type\":\"number\",\"multipleOf\":3}}}}", "/properties/x");
        refused("{\"response_format\":{\"type\":\"json_object\",\"schema\":{\"type\":\"object\",\"not\":{}}}}", "'response_format.schema': ");
    }

    /** Fuzz findings: a $ref that is not a well-formed pointer is the request's error, not a crash. */
    @Test
    void aMalformedRefIsA400() {
        refused("{\"json_schema\":{\"items\":{\"$ref\":\"#/$defs/i%tem\"},\"$defs\":{\"item\":{}}}}", "malformed %-escape");
        refused("{\"json_schema\":{\"prefixItems\":[{}],\"items\":{\"$ref\":\"#/prefixItems/99999999999\"}}}", "nothing there");
    }

    @Test
    void jsonObjectAndASchemalessJsonSchemaAreAnyObject() {
        GrammarCache c = new GrammarCache(4);
        Grammar any = parse(c, "{\"response_format\":{\"type\":\"json_object\"}}").grammar();
        assertSame(any, parse(c, "{\"response_format\":{\"type\":\"json_schema\",\"json_schema\":{\"name\":\"n\",\"strict\":false}}}").grammar());
        assertTrue(any.matches("{\"a\": [1, {\"b\": null}], \"c\": \"d\"}") && any.matches("{}"));
        assertTrue(!any.matches("[1]") && !any.matches("\"x\"") && !any.matches("{\"a\": }"));
    }

    @Test
    void twoConstraintsAtOnceAreRefusedByName() {
        refused("{\"grammar\":\"" + YES_NO + "\",\"json_schema\":{}}", "'grammar' and 'json_schema'");
        refused("{\"response_format\":{\"type\":\"json_object\"},\"grammar\":\"" + YES_NO + "\"}", "'response_format' (json_object) and 'grammar'");
        refused("{\"response_format\":{\"type\":\"json_schema\",\"json_schema\":{\"name\":\"n\"}},\"json_schema\":{}}",
                "'response_format' (json_schema) and 'json_schema'");
    }

    @Test
    void aConstraintOverTheSizeLimitIsRefusedAsALimit() {
        String big = "root ::= \\\"" + "a".repeat(5000) + "\\\"";
        ApiError e = assertThrows(ApiError.class, () -> parse(new GrammarCache(4), "{\"grammar\":\"" + big + "\"}"));
        assertEquals(400, e.status);
        assertTrue(e.getMessage().contains("more than the limit of 4096"), e.getMessage());
        assertNotNull(e.limit, "logged as a refusal");
    }

    @Test
    void theCacheReusesAGrammarAndForgetsTheLeastRecentlyUsed() {
        GrammarCache c = new GrammarCache(2);
        Grammar a = parse(c, "{\"grammar\":\"root ::= \\\"a\\\"\"}").grammar();
        assertSame(a, parse(c, "{\"grammar\":\"root ::= \\\"a\\\"\"}").grammar(), "same text: the same instance, masks and all");
        Grammar b = parse(c, "{\"grammar\":\"root ::= \\\"b\\\"\"}").grammar();
        parse(c, "{\"grammar\":\"root ::= \\\"a\\\"\"}"); // a is now the most recent
        parse(c, "{\"grammar\":\"root ::= \\\"c\\\"\"}"); // b goes
        assertEquals(2, c.size());
        assertSame(a, parse(c, "{\"grammar\":\"root ::= \\\"a\\\"\"}").grammar());
        assertTrue(b != parse(c, "{\"grammar\":\"root ::= \\\"b\\\"\"}").grammar(), "b was compiled again");
        assertEquals(3, c.hits());
    }

    @Test
    void aFailedCompileIsNotCached() {
        GrammarCache c = new GrammarCache(2);
        assertThrows(ApiError.class, () -> parse(c, "{\"grammar\":\"root ::= [\"}"));
        assertEquals(0, c.size());
    }
}
