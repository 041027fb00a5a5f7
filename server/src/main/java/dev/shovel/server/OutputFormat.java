package dev.shovel.server;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.shovel.grammar.Grammar;
import dev.shovel.grammar.GrammarException;
import dev.shovel.grammar.JsonSchemaGrammar;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * A request's output constraint, checked and compiled. OpenAI's {@code response_format}: {@code {"type": "text"}}
 * (none), {@code {"type": "json_object"}} (any JSON object), {@code {"type": "json_schema", "json_schema": {"name",
 * "schema"?, "strict"?, "description"?}}} (no schema: any JSON object); llama-server's {@code {"type": "json_object",
 * "schema": {...}}}, and its top-level {@code grammar} (GBNF) and {@code json_schema}. At most one per request. The
 * output always follows the constraint: {@code strict} changes nothing here.
 */
final class OutputFormat {
    private OutputFormat() {}

    /** The grammar of any JSON object, in GBNF. */
    static final String ANY_OBJECT = JsonSchemaGrammar.anyJsonObjectGbnf();

    /** OpenAI's rule for {@code json_schema.name}. */
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_-]{1,64}");

    /** A compiled constraint and the field it came from. */
    record Constrained(String field, Grammar grammar) {}

    /** What a field asks for, before compiling: GBNF text, or a schema's JSON text. */
    private record Source(String field, String label, boolean schema, String text) {}

    /** The request's constraint, or null when it has none; a 400 naming the field when it is malformed or too large. */
    static Constrained parse(JsonNode b, GrammarCache cache, int maxChars) {
        List<Source> given = new ArrayList<>();
        Source rf = responseFormat(b);
        if (rf != null) given.add(rf);
        JsonNode g = b.get("grammar");
        if (g != null && !g.isNull()) {
            if (!g.isTextual()) throw ApiError.badRequest("'grammar' must be a string of GBNF rules, e.g. \"root ::= \\\"yes\\\" | \\\"no\\\"\"");
            if (!g.asText().isEmpty()) given.add(new Source("grammar", "'grammar'", false, g.asText())); // "": none, as llama-server
        }
        JsonNode js = b.get("json_schema");
        if (js != null && !js.isNull()) {
            if (!js.isObject()) throw ApiError.badRequest("'json_schema' must be a JSON schema object");
            given.add(new Source("json_schema", "'json_schema'", true, compact(js)));
        }
        if (given.isEmpty()) return null;
        if (given.size() > 1) {
            throw ApiError.badRequest("only one output constraint per request, got " + String.join(" and ", given.stream().map(Source::label).toList())
                    + "; send one of them");
        }
        Source s = given.get(0);
        if (s.text().length() > maxChars) {
            throw ApiError.badRequest("'" + s.field() + "' is " + s.text().length() + " characters" + (s.schema() ? " (as compact JSON)" : "")
                    + ", more than the limit of " + maxChars).limit(s.field() + " of " + s.text().length() + " chars");
        }
        try {
            Grammar grammar = s.schema()
                    ? cache.get("schema\n" + s.text(), s.text(), Grammar::fromJsonSchema)
                    : cache.get("gbnf\n" + s.text(), s.text(), Grammar::parse);
            return new Constrained(s.field(), grammar);
        } catch (GrammarException e) {
            throw ApiError.badRequest("'" + s.field() + "': " + e.getMessage());
        }
    }

    /** OpenAI's (and llama-server's) {@code response_format}; null for none or {@code "text"}. */
    private static Source responseFormat(JsonNode b) {
        JsonNode rf = b.get("response_format");
        if (rf == null || rf.isNull()) return null;
        if (!rf.isObject()) throw ApiError.badRequest("'response_format' must be an object, e.g. {\"type\": \"json_object\"}");
        JsonNode type = rf.get("type");
        String types = "\"text\", \"json_object\" or \"json_schema\"";
        if (type == null || type.isNull()) throw ApiError.badRequest("'response_format.type' is required: " + types);
        if (!type.isTextual()) throw ApiError.badRequest("'response_format.type' must be " + types);
        switch (type.asText()) {
            case "text":
                return null;
            case "json_object": {
                JsonNode schema = schema(rf, "response_format.schema");
                return schema == null ? new Source("response_format", "'response_format' (json_object)", false, ANY_OBJECT)
                        : new Source("response_format.schema", "'response_format' (json_object with a schema)", true, compact(schema));
            }
            case "json_schema": {
                JsonNode js = rf.get("json_schema");
                if (js == null || js.isNull()) throw ApiError.badRequest("'response_format.json_schema' is required with type \"json_schema\": {\"name\": ..., \"schema\": {...}}");
                if (!js.isObject()) throw ApiError.badRequest("'response_format.json_schema' must be an object: {\"name\": ..., \"schema\": {...}}");
                JsonNode name = js.get("name");
                if (name == null || name.isNull()) throw ApiError.badRequest("'response_format.json_schema.name' is required");
                if (!name.isTextual() || !NAME.matcher(name.asText()).matches()) {
                    throw ApiError.badRequest("'response_format.json_schema.name' must be 1 to 64 of a-z, A-Z, 0-9, '_' and '-'");
                }
                JsonNode d = js.get("description");
                if (d != null && !d.isNull() && !d.isTextual()) throw ApiError.badRequest("'response_format.json_schema.description' must be a string");
                JsonNode strict = js.get("strict");
                if (strict != null && !strict.isNull() && !strict.isBoolean()) throw ApiError.badRequest("'response_format.json_schema.strict' must be true or false");
                JsonNode schema = schema(js, "response_format.json_schema.schema");
                return schema == null ? new Source("response_format.json_schema", "'response_format' (json_schema)", false, ANY_OBJECT)
                        : new Source("response_format.json_schema.schema", "'response_format' (json_schema)", true, compact(schema));
            }
            default:
                throw ApiError.badRequest("'response_format.type' must be " + types + ", got " + clip(type.asText()));
        }
    }

    private static JsonNode schema(JsonNode parent, String field) {
        JsonNode s = parent.get("schema");
        if (s == null || s.isNull()) return null;
        if (!s.isObject()) throw ApiError.badRequest("'" + field + "' must be a JSON schema object");
        return s;
    }

    /** The schema as compact JSON: its cache key and what the converter reads (key order kept: it orders properties). */
    private static String compact(JsonNode n) {
        try {
            return Call.JSON.writeValueAsString(n);
        } catch (JsonProcessingException e) {
            throw ApiError.badRequest("the schema cannot be written as JSON: " + e.getOriginalMessage());
        }
    }

    private static String clip(String s) {
        String q = "\"" + (s.length() > 40 ? s.substring(0, 40) + "..." : s) + "\"";
        return q.replaceAll("\\p{Cntrl}", "?");
    }
}
