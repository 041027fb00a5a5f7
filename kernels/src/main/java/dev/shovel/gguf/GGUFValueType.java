package dev.shovel.gguf;

/** GGUF metadata value types, in spec order. */
public enum GGUFValueType {
    UINT8, INT8, UINT16, INT16, UINT32, INT32, FLOAT32, BOOL, STRING, ARRAY, UINT64, INT64, FLOAT64;

    static GGUFValueType fromId(int id) {
        if (id < 0 || id >= values().length) throw new GGUFException("unknown GGUF metadata value type " + id);
        return values()[id];
    }
}
