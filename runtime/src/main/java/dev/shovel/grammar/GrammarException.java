package dev.shovel.grammar;

import dev.shovel.ShovelException;

/** A grammar or JSON schema that cannot be used: malformed, unsupported, or one that could never finish. */
public class GrammarException extends ShovelException {
    public GrammarException(String message) { super(message); }
}
