package dev.shovel.grammar;

/**
 * A checked GBNF grammar (llama.cpp's format). Immutable and thread-safe; constrain generation with it through
 * {@code GenerationOptions.withGrammar}.
 */
public final class Grammar {
    private final String source;

    private Grammar(String source) { this.source = source; }

    /** Parses and checks GBNF text with a {@code root} rule; a malformed or unusable grammar is a {@link GrammarException}. */
    public static Grammar parse(String gbnf) {
        throw new UnsupportedOperationException("not yet");
    }

    /** The grammar a JSON schema (its JSON text) converts to. */
    public static Grammar fromJsonSchema(String schemaJson) {
        return parse(JsonSchemaGrammar.toGbnf(schemaJson));
    }

    /** The GBNF text this grammar was parsed from. */
    public String source() { return source; }

    /** Whether the whole of {@code text} is a sentence of the grammar. */
    public boolean matches(String text) { throw new UnsupportedOperationException("not yet"); }

    /** Whether {@code text} can be continued into a sentence of the grammar (or already is one). */
    public boolean matchesPrefix(String text) { throw new UnsupportedOperationException("not yet"); }
}
