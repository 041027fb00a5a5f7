package dev.shovel.backend.opencl;

import dev.shovel.ShovelException;

/** An OpenCL call failed, or the kernels did not build (the message then carries the compiler log). */
public class OpenClException extends ShovelException {
    public OpenClException(String message) { super(message); }
    public OpenClException(String message, Throwable cause) { super(message, cause); }
}
