package dev.shovel.backend;

/** One layer's keys and values: {@code cells} rows of {@code kvDim} (K) and {@code vDim} (V) elements. */
public interface KvStore extends AutoCloseable {
    int cells();
    @Override void close();
}
