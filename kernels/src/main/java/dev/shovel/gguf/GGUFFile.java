package dev.shovel.gguf;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A GGUF file (versions 2 and 3) mapped read-only into one shared {@link Arena}: metadata, tensor infos, and
 * zero-copy tensor data. {@link #close()} unmaps it; later access to tensor data is an error.
 */
public final class GGUFFile implements AutoCloseable {
    public static final int MAGIC = 0x46554747; // "GGUF" little-endian
    public static final int DEFAULT_ALIGNMENT = 32;

    private final Path path;
    private final Arena arena;
    private final PageMemory.Pool pages;
    private final MemorySegment data;
    private final int version;
    private final Map<String, GGUFValue> metadata;
    private final Map<String, TensorInfo> tensors;
    private final long dataOffset;
    private final int alignment;
    private volatile boolean closed;
    private boolean autoArena; // memory freed by the garbage collector, not by close()

    private GGUFFile(Path path, Arena arena, MemorySegment data, int version, Map<String, GGUFValue> metadata,
                     Map<String, TensorInfo> tensors, long dataOffset, int alignment) {
        this.path = path;
        this.arena = arena;
        this.pages = new PageMemory.Pool(arena);
        this.data = data;
        this.version = version;
        this.metadata = metadata;
        this.tensors = tensors;
        this.dataOffset = dataOffset;
        this.alignment = alignment;
    }

    /** Maps and parses {@code path}; every format problem is a {@link GGUFException} naming it. */
    public static GGUFFile open(Path path) {
        if (Files.isDirectory(path)) throw new GGUFException(path + " is a directory, not a GGUF file");
        Arena arena = Arena.ofShared();
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            long size = ch.size();
            MemorySegment seg = size == 0 ? MemorySegment.NULL : ch.map(FileChannel.MapMode.READ_ONLY, 0, size, arena);
            GGUFFile f = parse(path, arena, seg, size);
            return f;
        } catch (NoSuchFileException e) {
            arena.close();
            throw new GGUFException("file not found: " + path);
        } catch (IOException e) {
            arena.close();
            throw new GGUFException("cannot read " + path + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            arena.close();
            throw e;
        }
    }

    /**
     * Parses a GGUF held in memory (a copy of {@code bytes}, freed by the garbage collector once this and every
     * model over it are unreachable); {@code name} stands for the file in messages.
     */
    public static GGUFFile of(byte[] bytes, String name) {
        Arena arena = Arena.ofAuto(); // closing a shared arena costs a handshake with every thread: too slow to fuzz
        MemorySegment seg = arena.allocate(Math.max(1, bytes.length), 64);
        MemorySegment.copy(bytes, 0, seg, ValueLayout.JAVA_BYTE, 0, bytes.length);
        GGUFFile f = parse(Path.of(name), arena, seg.asSlice(0, bytes.length), bytes.length);
        f.autoArena = true;
        return f;
    }

    private static GGUFFile parse(Path path, Arena arena, MemorySegment seg, long size) {
        Cursor c = new Cursor(seg, size, path);
        if (size < 4 || c.i32() != MAGIC) throw new GGUFException(path + " is not a GGUF file (bad magic)");
        int version = c.i32();
        if (version == 1) throw new GGUFException(path + ": GGUF version 1 is not supported (convert it with a newer llama.cpp)");
        if (version < 2 || version > 3) throw new GGUFException(path + ": unsupported GGUF version " + version);
        long nTensors = c.i64();
        long nKv = c.i64();
        // every entry takes at least 8 + 4 (kv) or 8 + 4 + 8 + 4 + 8 (tensor info) bytes of the file
        c.count("metadata entry count", nKv, GGUFLimits.MAX_KV, 12);
        c.count("tensor count", nTensors, GGUFLimits.MAX_TENSORS, 32);
        Map<String, GGUFValue> meta = new LinkedHashMap<>();
        for (long i = 0; i < nKv; i++) {
            String key = c.name("metadata key #" + i, GGUFLimits.MAX_KEY_BYTES);
            GGUFValueType t = c.type(key);
            if (meta.put(key, c.value(key, t)) != null) throw new GGUFException(path + ": duplicate metadata key " + key);
        }
        int alignment = DEFAULT_ALIGNMENT;
        GGUFValue a = meta.get("general.alignment");
        if (a != null) {
            long al = toLong(a, "general.alignment");
            if (al <= 0 || (al & (al - 1)) != 0 || al > GGUFLimits.MAX_ALIGNMENT) {
                throw new GGUFException(path + ": general.alignment " + al + " is not a power of two up to " + GGUFLimits.MAX_ALIGNMENT);
            }
            alignment = (int) al;
        }
        Map<String, TensorInfo> tensors = new LinkedHashMap<>();
        for (long i = 0; i < nTensors; i++) {
            String name = c.name("name of tensor #" + i, GGUFLimits.MAX_TENSOR_NAME_BYTES);
            int nd = c.i32();
            if (nd < 1 || nd > GGUFLimits.MAX_DIMS) {
                throw new GGUFException(path + ": tensor " + name + " has " + nd + " dimensions (1 to " + GGUFLimits.MAX_DIMS + " allowed)");
            }
            long[] dims = new long[nd];
            for (int d = 0; d < nd; d++) dims[d] = c.i64();
            int typeId = c.i32();
            GGMLType type;
            try {
                type = GGMLType.fromId(typeId);
            } catch (GGUFException e) {
                throw new GGUFException(path + ": tensor " + name + " has unknown ggml type id " + typeId);
            }
            long off = c.i64();
            TensorInfo ti = new TensorInfo(name, dims, type, off);
            checkShape(path, ti);
            if (tensors.put(name, ti) != null) throw new GGUFException(path + ": duplicate tensor " + name);
        }
        long dataOffset = align(c.pos, alignment);
        for (TensorInfo ti : tensors.values()) {
            if (ti.offset() < 0) throw new GGUFException(path + ": tensor " + ti.name() + " has a negative offset " + ti.offset());
            if (ti.offset() % alignment != 0) {
                throw new GGUFException(path + ": tensor " + ti.name() + " offset " + ti.offset() + " is not aligned to " + alignment);
            }
            long room = size - dataOffset; // bytes after the header; the tensor must fit in them
            if (ti.offset() > room || ti.bytes() > room - ti.offset()) {
                throw new GGUFException(path + " is truncated: tensor " + ti.name() + " needs " + ti.bytes() + " bytes at offset "
                        + ti.offset() + " of the data section, which has " + Math.max(0, room));
            }
        }
        return new GGUFFile(path, arena, seg, version, Collections.unmodifiableMap(meta),
                Collections.unmodifiableMap(tensors), dataOffset, alignment);
    }

    /** Positive dimensions, whole blocks per row, and an element count and byte size that fit in a long. */
    private static void checkShape(Path path, TensorInfo t) {
        long n = 1;
        for (long d : t.dims()) {
            if (d < 1) throw new GGUFException(path + ": tensor " + t.name() + " has shape " + t.shape() + " (dimensions must be positive)");
            if (n > Long.MAX_VALUE / d) throw new GGUFException(path + ": tensor " + t.name() + " has shape " + t.shape()
                    + ", more than 2^63 elements");
            n *= d;
        }
        GGMLType type = t.type();
        if (t.dims()[0] % type.blockSize != 0) {
            throw new GGUFException(path + ": tensor " + t.name() + " has shape " + t.shape() + " but " + type
                    + " rows must be a multiple of " + type.blockSize + " elements");
        }
        if (n / type.blockSize > Long.MAX_VALUE / type.typeSize) {
            throw new GGUFException(path + ": tensor " + t.name() + " has shape " + t.shape() + ", more than 2^63 bytes");
        }
    }

    static long align(long x, long a) { return (x + a - 1) / a * a; }

    public Path path() { return path; }
    public int version() { return version; }
    public int alignment() { return alignment; }
    public long dataOffset() { return dataOffset; }
    public long fileSize() { return data.byteSize(); }
    public Map<String, GGUFValue> metadata() { return metadata; }
    public Map<String, TensorInfo> tensors() { return tensors; }
    public List<TensorInfo> tensorList() { return List.copyOf(tensors.values()); }
    public TensorInfo tensor(String name) { return tensors.get(name); }
    public boolean has(String key) { return metadata.containsKey(key); }
    public GGUFValue get(String key) { return metadata.get(key); }

    /** Zero-copy view of a tensor's bytes. */
    public MemorySegment tensorData(TensorInfo t) {
        if (closed) throw new GGUFException("GGUF file " + path + " is closed");
        return data.asSlice(dataOffset + t.offset(), t.bytes());
    }

    /** Zeroed, 64-byte aligned memory that lives as long as this file is open (weights repacked at load). */
    public MemorySegment allocate(long bytes) {
        if (closed) throw new GGUFException("GGUF file " + path + " is closed");
        return pages.allocate(bytes);
    }

    public String getString(String key, String def) {
        GGUFValue v = metadata.get(key);
        if (v == null) return def;
        if (v.type() != GGUFValueType.STRING) throw new GGUFException(key + " is " + v.type() + ", expected a string");
        return (String) v.value();
    }

    public String getString(String key) {
        String s = getString(key, null);
        if (s == null) throw new GGUFException("missing metadata key " + key);
        return s;
    }

    public long getLong(String key, long def) {
        GGUFValue v = metadata.get(key);
        return v == null ? def : toLong(v, key);
    }

    public long getLong(String key) {
        GGUFValue v = metadata.get(key);
        if (v == null) throw new GGUFException("missing metadata key " + key);
        return toLong(v, key);
    }

    public int getInt(String key, int def) { return toInt(getLong(key, def), key); }
    public int getInt(String key) { return toInt(getLong(key), key); }

    private static int toInt(long v, String key) {
        if (v != (int) v) throw new GGUFException(key + " = " + v + " is out of range");
        return (int) v;
    }

    public float getFloat(String key, float def) {
        GGUFValue v = metadata.get(key);
        if (v == null) return def;
        return switch (v.value()) {
            case Float f -> f;
            case Double d -> d.floatValue();
            case Number n -> n.floatValue();
            default -> throw new GGUFException(key + " is " + v.type() + ", expected a number");
        };
    }

    public boolean getBool(String key, boolean def) {
        GGUFValue v = metadata.get(key);
        if (v == null) return def;
        if (v.value() instanceof Boolean b) return b;
        throw new GGUFException(key + " is " + v.type() + ", expected a bool");
    }

    public String[] getStringArray(String key) {
        GGUFValue v = metadata.get(key);
        if (v == null) return null;
        if (v.type() != GGUFValueType.ARRAY || !(v.value() instanceof String[] s)) {
            throw new GGUFException(key + " is not an array of strings");
        }
        return s;
    }

    public float[] getFloatArray(String key) {
        GGUFValue v = metadata.get(key);
        if (v == null) return null;
        if (v.value() instanceof float[] f) return f;
        if (v.value() instanceof double[] d) {
            float[] f = new float[d.length];
            for (int i = 0; i < d.length; i++) f[i] = (float) d[i];
            return f;
        }
        throw new GGUFException(key + " is not an array of floats");
    }

    /** Any integer or bool array widened to int[] (values of unsigned 8/16-bit arrays are taken unsigned). */
    public int[] getIntArray(String key) {
        GGUFValue v = metadata.get(key);
        if (v == null) return null;
        Object a = v.value();
        boolean unsigned = v.elementType() == GGUFValueType.UINT8 || v.elementType() == GGUFValueType.UINT16;
        if (a instanceof int[] i) return i;
        int n = v.type() == GGUFValueType.ARRAY ? v.length() : -1;
        if (n < 0) {
            return new int[] {toInt(toLong(v, key), key)};
        }
        int[] out = new int[n];
        for (int i = 0; i < n; i++) {
            out[i] = switch (a) {
                case byte[] b -> unsigned ? b[i] & 0xff : b[i];
                case short[] s -> unsigned ? s[i] & 0xffff : s[i];
                case long[] l -> toInt(l[i], key);
                case boolean[] z -> z[i] ? 1 : 0;
                default -> throw new GGUFException(key + " is not an array of integers");
            };
        }
        return out;
    }

    static long toLong(GGUFValue v, String key) {
        return switch (v.value()) {
            case Long l -> l;
            case Integer i -> i;
            case Short s -> s;
            case Byte b -> b;
            case Boolean z -> z ? 1 : 0;
            default -> throw new GGUFException(key + " is " + v.type() + ", expected an integer");
        };
    }

    public boolean isClosed() { return closed; }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            if (!autoArena) arena.close();
        }
    }

    /** Bounds-checked little-endian reader over the mapped header. */
    private static final class Cursor {
        private static final ValueLayout.OfInt I32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
        private static final ValueLayout.OfLong I64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
        private static final ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
        private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
        private static final ValueLayout.OfDouble F64 = ValueLayout.JAVA_DOUBLE_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
        final MemorySegment seg;
        final long size;
        final Path path;
        long pos;
        long heap; // estimated bytes of decoded metadata

        Cursor(MemorySegment seg, long size, Path path) {
            this.seg = seg;
            this.size = size;
            this.path = path;
        }

        void need(long n) {
            if (n < 0 || pos + n > size) throw new GGUFException(path + " is truncated: header ends at byte " + size);
        }

        int i32() { need(4); int v = seg.get(I32, pos); pos += 4; return v; }
        long i64() { need(8); long v = seg.get(I64, pos); pos += 8; return v; }
        short i16() { need(2); short v = seg.get(I16, pos); pos += 2; return v; }
        byte i8() { need(1); byte v = seg.get(ValueLayout.JAVA_BYTE, pos); pos += 1; return v; }
        float f32() { need(4); float v = seg.get(F32, pos); pos += 4; return v; }
        double f64() { need(8); double v = seg.get(F64, pos); pos += 8; return v; }

        /** A count of entries that each take at least {@code minBytes} of the rest of the file. */
        void count(String what, long n, long limit, int minBytes) {
            if (n < 0 || n > limit) throw new GGUFException(path + ": " + what + " " + n + " is over the limit of " + limit);
            if (n * minBytes > size - pos) throw new GGUFException(path + " is truncated: " + what + " " + n
                    + " needs more than the " + (size - pos) + " bytes left");
        }

        /** Counts the estimated heap of decoded metadata against its limit. */
        void spend(String key, long bytes) {
            heap += bytes;
            if (heap > GGUFLimits.MAX_METADATA_HEAP) throw new GGUFException(path + ": metadata up to key " + key
                    + " would take more than " + (GGUFLimits.MAX_METADATA_HEAP >> 20) + " MiB of memory");
        }

        String str(String what, long limit) { return str(what, -1, limit); }

        /** A key or tensor name, without control characters (messages print it). */
        String name(String what, long limit) {
            String s = str(what, limit);
            for (int i = 0; i < s.length(); i++) {
                char ch = s.charAt(i);
                if (ch < 0x20 || ch == 0x7f) {
                    throw new GGUFException(path + ": " + what + " holds control character " + (int) ch + " at " + i);
                }
            }
            return s;
        }

        /** A string of at most {@code limit} bytes; {@code what} (element {@code index} if not -1) names it in errors. */
        String str(String what, long index, long limit) {
            long n = i64();
            if (n < 0 || n > limit) throw new GGUFException(path + ": " + what + (index >= 0 ? " element " + index : "")
                    + " has a length of " + n + " bytes, over the limit of " + limit);
            need(n);
            byte[] b = seg.asSlice(pos, n).toArray(ValueLayout.JAVA_BYTE);
            pos += n;
            return new String(b, StandardCharsets.UTF_8);
        }

        GGUFValueType type(String key) {
            int id = i32();
            try {
                return GGUFValueType.fromId(id);
            } catch (GGUFException e) {
                throw new GGUFException(path + ": metadata key " + key + " has unknown value type " + id);
            }
        }

        GGUFValue value(String key, GGUFValueType t) {
            if (t == GGUFValueType.ARRAY) return array(key, 1);
            if (t == GGUFValueType.STRING) {
                String s = str("metadata key " + key, GGUFLimits.MAX_STRING_BYTES);
                spend(key, 48 + s.length());
                return GGUFValue.of(t, s);
            }
            spend(key, 16);
            return GGUFValue.of(t, scalar(t));
        }

        Object scalar(GGUFValueType t) {
            return switch (t) {
                case UINT8 -> i8() & 0xff;
                case INT8 -> (int) i8();
                case UINT16 -> i16() & 0xffff;
                case INT16 -> (int) i16();
                case UINT32 -> i32() & 0xffffffffL;
                case INT32 -> i32();
                case FLOAT32 -> f32();
                case BOOL -> i8() != 0;
                case UINT64, INT64 -> i64();
                case FLOAT64 -> f64();
                case STRING, ARRAY -> throw new IllegalArgumentException(t.name());
            };
        }

        GGUFValue array(String key, int depth) {
            if (depth > GGUFLimits.MAX_ARRAY_DEPTH) {
                throw new GGUFException(path + ": metadata key " + key + " nests arrays deeper than " + GGUFLimits.MAX_ARRAY_DEPTH);
            }
            GGUFValueType et = type(key);
            long n = i64();
            int width = switch (et) {
                case UINT8, INT8, BOOL -> 1;
                case UINT16, INT16 -> 2;
                case UINT32, INT32, FLOAT32 -> 4;
                case UINT64, INT64, FLOAT64, STRING -> 8; // a string takes its 8-byte length at least
                case ARRAY -> 12;
            };
            if (n < 0 || n > GGUFLimits.MAX_ARRAY_ELEMENTS) {
                throw new GGUFException(path + ": metadata key " + key + " is an array of " + n + " elements, over the limit of "
                        + GGUFLimits.MAX_ARRAY_ELEMENTS);
            }
            if (n * width > size - pos) {
                throw new GGUFException(path + " is truncated: metadata key " + key + " is an array of " + n + " " + et
                        + " elements but " + (size - pos) + " bytes are left");
            }
            int len = (int) n;
            spend(key, 16 + n * (et == GGUFValueType.STRING || et == GGUFValueType.ARRAY ? 8 : width));
            Object arr = switch (et) {
                case UINT8, INT8 -> { byte[] a = seg.asSlice(pos, n).toArray(ValueLayout.JAVA_BYTE); pos += n; yield a; }
                case UINT16, INT16 -> { short[] a = new short[len]; for (int i = 0; i < len; i++) a[i] = i16(); yield a; }
                case UINT32, INT32 -> { int[] a = new int[len]; for (int i = 0; i < len; i++) a[i] = i32(); yield a; }
                case UINT64, INT64 -> { long[] a = new long[len]; for (int i = 0; i < len; i++) a[i] = i64(); yield a; }
                case FLOAT32 -> { float[] a = new float[len]; for (int i = 0; i < len; i++) a[i] = f32(); yield a; }
                case FLOAT64 -> { double[] a = new double[len]; for (int i = 0; i < len; i++) a[i] = f64(); yield a; }
                case BOOL -> { boolean[] a = new boolean[len]; for (int i = 0; i < len; i++) a[i] = i8() != 0; yield a; }
                case STRING -> {
                    String what = "metadata key " + key;
                    String[] a = new String[len];
                    for (int i = 0; i < len; i++) {
                        a[i] = str(what, i, GGUFLimits.MAX_STRING_BYTES);
                        spend(key, 40 + a[i].length());
                    }
                    yield a;
                }
                case ARRAY -> { GGUFValue[] a = new GGUFValue[len]; for (int i = 0; i < len; i++) a[i] = array(key, depth + 1); yield a; }
            };
            return GGUFValue.array(et, arr);
        }
    }
}
