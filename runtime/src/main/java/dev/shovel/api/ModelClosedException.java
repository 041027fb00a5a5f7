package dev.shovel.api;

import dev.shovel.ShovelException;

/** The model was used after {@link Model#close()}. */
public class ModelClosedException extends ShovelException {
    public ModelClosedException() { super("the model is closed"); }
}
