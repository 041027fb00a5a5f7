package dev.shovel.backend;

/** An activation matrix of {@code rows x cols} floats owned by a backend (host memory or device memory). */
public interface Buf {
    int rows();
    int cols();
}
