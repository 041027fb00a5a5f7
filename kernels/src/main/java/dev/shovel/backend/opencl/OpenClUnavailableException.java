package dev.shovel.backend.opencl;

/** No OpenCL loader, no platform, or no such device; the message says what is missing and how to install it. */
public final class OpenClUnavailableException extends OpenClException {
    public OpenClUnavailableException(String message) { super(message); }
    public OpenClUnavailableException(String message, Throwable cause) { super(message, cause); }
}
