package dev.shovel.grammar;

/** JSON Schema to GBNF. */
public final class JsonSchemaGrammar {
    private JsonSchemaGrammar() {}

    /** The GBNF grammar of the JSON texts valid under {@code schemaJson}; an unsupported keyword is a {@link GrammarException} naming it. */
    public static String toGbnf(String schemaJson) {
        throw new UnsupportedOperationException("not yet");
    }
}
