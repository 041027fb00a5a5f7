package dev.shovel.api;

import dev.shovel.ShovelException;

/** The prompt does not fit in the context. */
public class PromptTooLongException extends ShovelException {
    public PromptTooLongException(int tokens, int ctx) {
        super("the prompt is " + tokens + " tokens but the context holds " + ctx + "; raise -c/--ctx-size or shorten the prompt");
    }
}
