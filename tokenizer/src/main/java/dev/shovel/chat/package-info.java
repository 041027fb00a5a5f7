/**
 * Chat templates: a Jinja2 interpreter for the subset that model chat templates use, with the semantics of Python
 * Jinja2 as transformers configures it (the reference @huggingface/jinja renders the test corpus identically).
 *
 * <p>Lexer ({@code Lexer}) → parser ({@code Parser}, AST in {@code Node}) → tree-walking evaluator
 * ({@code Interpreter}); Python value semantics live in {@code Py}/{@code PyStr}, built-ins in {@code Filters},
 * {@code JinjaTests} and {@code Methods}. Entry point: {@link dev.shovel.chat.ChatTemplate}.
 *
 * <p>A template is hostile input (it comes with the model file): parsing and rendering stay within
 * {@link dev.shovel.chat.TemplateLimits} (source size, nesting, recursion, steps, string and list sizes, string
 * building), counted per render by {@code Budget}; past one, a one-line TemplateException names it.
 *
 * <p>Known differences from Python Jinja2: no Markup type, so {@code "a"|safe + x} does not HTML-escape {@code x}
 * (as in @huggingface/jinja and llama.cpp); lists and dicts may be mutated ({@code append}, {@code pop}, ...), which
 * Jinja2's immutable sandbox forbids; macros accept extra arguments instead of raising; filter results are lists
 * where Jinja2 returns generators; unknown filters and tests fail when evaluated; {@code include}, {@code extends},
 * {@code block}, {@code import} and {@code *args} in calls are not supported.
 */
package dev.shovel.chat;
