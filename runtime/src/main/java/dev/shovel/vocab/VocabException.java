package dev.shovel.vocab;

import dev.shovel.ShovelException;

/** A tokenizer file could not be converted. */
public class VocabException extends ShovelException {
    public VocabException(String message) { super(message); }
    public VocabException(String message, Throwable cause) { super(message, cause); }
}
