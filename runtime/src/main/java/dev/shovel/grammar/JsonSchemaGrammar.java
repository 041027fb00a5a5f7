package dev.shovel.grammar;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * JSON Schema to GBNF: the grammar's sentences are JSON texts valid under the schema (a sound subset of them).
 *
 * <p>Supported: {@code type} (one or a list), {@code properties}, {@code required}, {@code additionalProperties},
 * {@code enum}, {@code const}, {@code items}, {@code prefixItems}, {@code minItems}/{@code maxItems},
 * {@code minLength}/{@code maxLength} (code points), {@code pattern} (a regex subset), {@code format} (date, time,
 * date-time, uuid, email), integer {@code minimum}/{@code maximum}/{@code exclusiveMinimum}/{@code exclusiveMaximum},
 * {@code anyOf}, {@code oneOf} (as anyOf), {@code allOf} (merged), local {@code $ref} with recursion, {@code true}
 * and {@code false} schemas. Annotations are ignored; any other keyword is a {@link GrammarException} naming it and
 * its JSON pointer, as are malformed JSON, bad {@code $ref}s and schemas nothing can satisfy.
 *
 * <p>Deliberate limits (all sound: what is generated validates): properties come in the schema's order, extra
 * members after the declared ones; without {@code additionalProperties} declared properties leave no room for others;
 * strings and keys use canonical escapes where a set of characters is
 * constrained; numbers have at most 16 integral and 16 fraction digits and a 2-digit exponent (so every number is a finite double); between tokens at most
 * one space or a newline with up to 20 blanks. Free-form objects ({@code additionalProperties} true, or any object)
 * may repeat a key the grammar cannot see: a validator that rejects duplicate keys may refuse those.
 */
public final class JsonSchemaGrammar {
    private JsonSchemaGrammar() {}

    /** The GBNF grammar of the JSON texts valid under {@code schemaJson}; an unsupported keyword is a {@link GrammarException} naming it. */
    public static String toGbnf(String schemaJson) {
        return toGbnf(SchemaConverter.parse(schemaJson));
    }

    /** The same for a parsed schema. */
    public static String toGbnf(JsonNode schema) {
        if (schema == null || schema.isMissingNode()) throw new GrammarException("no JSON schema given");
        String gbnf = new SchemaConverter(schema).grammar(schema, "");
        try {
            Grammar.parse(gbnf); // e.g. a recursion that never ends: say so in terms of the schema
        } catch (GrammarException e) {
            throw new GrammarException("the schema has no finite valid JSON value, or cannot be converted: " + e.getMessage());
        }
        return gbnf;
    }

    /** A grammar for any JSON object (OpenAI's {@code response_format: json_object}), with the same white space and number rules. */
    public static String anyJsonObjectGbnf() {
        return toGbnf("{\"type\":\"object\"}");
    }

    /** A grammar for any JSON value. */
    public static String anyJsonGbnf() {
        return toGbnf("true");
    }
}
