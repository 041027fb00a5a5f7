package dev.shovel.model;

import dev.shovel.ShovelException;

/** The KV cache has no free cell left. */
public class ContextFullException extends ShovelException {
    public ContextFullException(int size) {
        super("the context is full (" + size + " tokens); raise -c/--ctx-size or shorten the input");
    }
}
