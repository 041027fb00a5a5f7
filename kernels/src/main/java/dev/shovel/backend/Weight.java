package dev.shovel.backend;

import dev.shovel.gguf.GGMLType;

/** A weight tensor resolved at load: {@code rows} rows of {@code cols} elements of one ggml type. */
public interface Weight {
    String name();
    GGMLType type();
    int rows();
    int cols();
}
