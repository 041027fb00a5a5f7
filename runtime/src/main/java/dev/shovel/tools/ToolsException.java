package dev.shovel.tools;

import dev.shovel.ShovelException;

/** A conversion or synthesis that cannot be done as asked (bad input file, unsupported option). */
public class ToolsException extends ShovelException {
    public ToolsException(String message) { super(message); }
    public ToolsException(String message, Throwable cause) { super(message, cause); }
}
