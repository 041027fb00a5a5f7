package dev.shovel.gguf;

import dev.shovel.ShovelException;

/** A file that is not a valid GGUF, or a GGUF that cannot be used as asked. */
public class GGUFException extends ShovelException {
    public GGUFException(String message) { super(message); }
    public GGUFException(String message, Throwable cause) { super(message, cause); }
}
