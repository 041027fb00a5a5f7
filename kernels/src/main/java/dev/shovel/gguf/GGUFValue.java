package dev.shovel.gguf;

/**
 * One metadata value with its GGUF type. Scalars are boxed Java values (unsigned ints widened:
 * UINT8/UINT16 → Integer, UINT32 → Long, UINT64 → Long as raw bits). Arrays are primitive arrays of the
 * stored width (byte[], short[], int[], long[], float[], double[], boolean[]), String[] or GGUFValue[] for nested arrays;
 * {@code elementType} is set only for arrays.
 */
public record GGUFValue(GGUFValueType type, GGUFValueType elementType, Object value) {

    public static GGUFValue of(GGUFValueType type, Object value) { return new GGUFValue(type, null, value); }
    public static GGUFValue string(String s) { return of(GGUFValueType.STRING, s); }
    public static GGUFValue u32(long v) { return of(GGUFValueType.UINT32, v); }
    public static GGUFValue i32(int v) { return of(GGUFValueType.INT32, v); }
    public static GGUFValue f32(float v) { return of(GGUFValueType.FLOAT32, v); }
    public static GGUFValue bool(boolean v) { return of(GGUFValueType.BOOL, v); }
    public static GGUFValue array(GGUFValueType elem, Object arr) { return new GGUFValue(GGUFValueType.ARRAY, elem, arr); }

    /** Length of an array value. */
    public int length() { return java.lang.reflect.Array.getLength(value); }

    /** A short human-readable form (arrays abbreviated). */
    public String display() {
        if (type != GGUFValueType.ARRAY) {
            return type == GGUFValueType.STRING ? '"' + abbreviate((String) value) + '"' : String.valueOf(value);
        }
        int n = length();
        StringBuilder sb = new StringBuilder("[" + elementType.name().toLowerCase() + " x " + n + ": ");
        for (int i = 0; i < Math.min(n, 5); i++) {
            Object e = java.lang.reflect.Array.get(value, i);
            if (i > 0) sb.append(", ");
            sb.append(e instanceof String s ? '"' + abbreviate(s) + '"' : e instanceof GGUFValue g ? g.display() : String.valueOf(e));
        }
        return sb.append(n > 5 ? ", …]" : "]").toString();
    }

    /** At most 60 characters, control characters escaped (a file's strings must not drive the terminal). */
    private static String abbreviate(String s) {
        String t = dev.shovel.ShovelException.oneLine(s.length() > 60 ? s.substring(0, 60) : s);
        return s.length() > 60 || t.length() > 60 ? t.substring(0, Math.min(57, t.length())) + "..." : t;
    }
}
