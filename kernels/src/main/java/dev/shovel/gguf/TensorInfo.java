package dev.shovel.gguf;

/** A tensor as the GGUF header describes it; {@code dims[0]} is the innermost (row) length, as in ggml. */
public record TensorInfo(String name, long[] dims, GGMLType type, long offset) {

    public long elements() {
        long n = 1;
        for (long d : dims) n *= d;
        return n;
    }

    public long bytes() { return type.bytesFor(elements()); }

    /** Row length (ne0). */
    public long rowLength() { return dims[0]; }

    /** Number of rows (product of the outer dimensions). */
    public long rows() { return elements() / dims[0]; }

    public String shape() {
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < dims.length; i++) sb.append(i > 0 ? ", " : "").append(dims[i]);
        return sb.append(']').toString();
    }
}
