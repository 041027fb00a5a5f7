package dev.shovel;

/** Base of every error Shovel reports to a caller; the CLI prints its message on one line. */
public class ShovelException extends RuntimeException {
    public ShovelException(String message) { super(message); }
    public ShovelException(String message, Throwable cause) { super(message, cause); }
}
