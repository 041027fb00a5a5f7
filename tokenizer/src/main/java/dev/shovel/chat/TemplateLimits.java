package dev.shovel.chat;

/**
 * Bounds on parsing and rendering a chat template. A template comes with the model file, so it is hostile input:
 * each limit ends the parse or render quickly with a one-line {@link TemplateException} naming the limit and its
 * value, instead of a hang, a StackOverflowError or an OutOfMemoryError. Real templates are at most ~100 KB of text
 * and render a few hundred KB for long chats, so every limit is far above what they use.
 */
public final class TemplateLimits {
    private TemplateLimits() { }

    /** 1 Mi chars of template source: real templates are at most ~100 KB. */
    public static final int MAX_SOURCE_CHARS = 1 << 20;

    /**
     * 200 levels of syntactic nesting (brackets, unary operators, chained binary operators, filters and attribute
     * accesses, nested blocks): real templates nest less than 30; deeper input would overflow the parser's stack.
     */
    public static final int MAX_NESTING = 200;

    /**
     * 300 levels of rendering recursion: nested statements and expressions, macro and caller calls, recursive loops,
     * and nested values walked by repr, tojson and comparisons. Real templates use less than 50 (a recursive macro
     * over a JSON schema ~10 per schema level). About 1 KB of Java stack per level before the JIT compiles the
     * interpreter, so the deepest render fits a 512 KB stack (Java's default is 1 MB, virtual threads included).
     */
    public static final int MAX_DEPTH = 300;

    /**
     * 16 Mi chars for the output and for any one string value: a 128k-token context is ~0.5 MB of text, so this is
     * 32 times a long chat. A caller with a longer history must trim it first (the model could not take it anyway).
     */
    public static final int MAX_STRING_CHARS = 16 << 20;

    /**
     * 256 Mi chars of string building per render (output, concatenation, filters, methods, formatting, and substring
     * searches at their worst-case cost): 16 times the output limit, so building is bounded to well under a second.
     */
    public static final long MAX_WORK_CHARS = 256L << 20;

    /** 1 Mi items in one list (repetition, concatenation, extend, batch): real lists are messages and tools. */
    public static final int MAX_ITEMS = 1 << 20;

    /** 100,000 items per {@code range()}, the limit of Jinja2's SandboxedEnvironment. */
    public static final int MAX_RANGE = 100_000;

    /**
     * 2 M steps per render: statements, expressions, loop iterations, and items that built-ins copy, compare or
     * serialise. Real templates take ~50 per message (a 2,000-message chat ~100 k); 2 M take a few 100 ms at most.
     */
    public static final long MAX_STEPS = 2_000_000;
}
