package dev.shovel.api;

import dev.shovel.ShovelException;

/** A model file could not be loaded. */
public class ModelLoadException extends ShovelException {
    public ModelLoadException(String message, Throwable cause) { super(message, cause); }
}
