package dev.shovel.backend;

import dev.shovel.ggml.PlanarMatrix;
import dev.shovel.ggml.TypeOps;
import dev.shovel.gguf.GGMLType;
import java.lang.foreign.MemorySegment;

/**
 * A weight read in place from the mapped file, or (Q8_0, Q4_0, Q4_K, Q6_K) repacked at load into {@code planar}, whose mapped
 * pages are then let go; 1-D tensors (norms, biases) are also kept as a float array.
 */
public record CpuWeight(String name, GGMLType type, int rows, int cols, MemorySegment data, TypeOps ops, float[] dense,
                        PlanarMatrix planar) implements Weight {}
