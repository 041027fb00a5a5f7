package dev.shovel.tokenizer;

import dev.shovel.ShovelException;

/** Missing or malformed tokenizer data, or a tokenizer feature that is not supported. */
public class TokenizerException extends ShovelException {
    public TokenizerException(String message) { super(message); }
    public TokenizerException(String message, Throwable cause) { super(message, cause); }
}
