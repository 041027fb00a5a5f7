package dev.shovel.engine;

import dev.shovel.ShovelException;

/** The engine has been closed and takes no more requests. */
public final class EngineClosedException extends ShovelException {
    public EngineClosedException() { super("the engine is shut down"); }
}
