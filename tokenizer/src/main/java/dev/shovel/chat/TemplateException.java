package dev.shovel.chat;

import dev.shovel.ShovelException;

/**
 * A chat template failed to parse or to render. For {@code raise_exception(msg)} the message is exactly {@code msg};
 * other errors name the template line when it is known.
 */
public class TemplateException extends ShovelException {
    private final int line;

    public TemplateException(String message) {
        super(message);
        this.line = 0;
    }

    public TemplateException(String message, int line) {
        super(line > 0 ? message + " (template line " + line + ")" : message);
        this.line = line;
    }

    /** A render error caused by a Java error or exception (kept as the cause). */
    public TemplateException(String message, int line, Throwable cause) {
        super(line > 0 ? message + " (template line " + line + ")" : message, cause);
        this.line = line;
    }

    public TemplateException(String message, Throwable cause) {
        this(message, 0, cause);
    }

    /** 1-based template line of the error, 0 when unknown (always 0 for {@code raise_exception}). */
    public int line() {
        return line;
    }
}
