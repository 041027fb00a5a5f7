package dev.shovel.chat;

/** Runtime error inside an expression; the interpreter turns it into a {@link TemplateException} with the line. */
final class JinjaError extends RuntimeException {
    JinjaError(String message) {
        super(message, null, false, false);
    }
}
