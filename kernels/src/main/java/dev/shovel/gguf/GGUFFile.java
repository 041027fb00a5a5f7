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

    private static GGUFFile parse(Path path, Arena arena, MemorySegment seg, long size) {
        Cursor c = new Cursor(seg, size, path);
        if (size < 4 || c.i32() != MAGIC) throw new GGUFException(path + " is not a GGUF file (bad magic)");
        int version = c.i32();
        if (version == 1) throw new GGUFException(path + ": GGUF version 1 is not supported (convert it with a newer llama.cpp)");
        if (version < 2 || version > 3) throw new GGUFException(path + ": unsupported GGUF version " + version);
        long nTensors = c.i64();
        long nKv = c.i64();
        if (nTensors < 0 || nKv < 0 || nTensors > size || nKv > size) throw new GGUFException(path + ": corrupt GGUF header counts");
        Map<String, GGUFValue> meta = new LinkedHashMap<>();
        for (long i = 0; i < nKv; i++) {
            String key = c.str();
            GGUFValueType t = GGUFValueType.fromId(c.i32());
            meta.put(key, c.value(t));
        }
        int alignment = DEFAULT_ALIGNMENT;
        GGUFValue a = meta.get("general.alignment");
        if (a != null) {
            alignment = (int) toLong(a, "general.alignment");
            if (alignment <= 0 || (alignment & (alignment - 1)) != 0) {
                throw new GGUFException(path + ": general.alignment " + alignment + " is not a power of two");
            }
        }
        Map<String, TensorInfo> tensors = new LinkedHashMap<>();
        for (long i = 0; i < nTensors; i++) {
            String name = c.str();
            int nd = c.i32();
            if (nd < 1 || nd > 4) throw new GGUFException(path + ": tensor " + name + " has " + nd + " dimensions");
            long[] dims = new long[nd];
            for (int d = 0; d < nd; d++) {
                dims[d] = c.i64();
                if (dims[d] < 0) throw new GGUFException(path + ": tensor " + name + " has a negative dimension");
            }
            int typeId = c.i32();
            GGMLType type;
            try {
                type = GGMLType.fromId(typeId);
            } catch (GGUFException e) {
                throw new GGUFException(path + ": tensor " + name + " has unknown ggml type id " + typeId);
            }
            long off = c.i64();
            TensorInfo ti = new TensorInfo(name, dims, type, off);
            if (tensors.put(name, ti) != null) throw new GGUFException(path + ": duplicate tensor " + name);
        }
        long dataOffset = align(c.pos, alignment);
        for (TensorInfo ti : tensors.values()) {
            long end = dataOffset + ti.offset() + ti.bytes();
            if (ti.offset() % alignment != 0) {
                throw new GGUFException(path + ": tensor " + ti.name() + " offset is not aligned to " + alignment);
            }
            if (end > size || end < 0) {
                throw new GGUFException(path + " is truncated: tensor " + ti.name() + " ends at byte " + end
                        + " but the file has " + size + " bytes");
            }
        }
        return new GGUFFile(path, arena, seg, version, Collections.unmodifiableMap(meta),
                Collections.unmodifiableMap(tensors), dataOffset, alignment);
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

    public int getInt(String key, int def) { return Math.toIntExact(getLong(key, def)); }
    public int getInt(String key) { return Math.toIntExact(getLong(key)); }

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
            return new int[] {Math.toIntExact(toLong(v, key))};
        }
        int[] out = new int[n];
        for (int i = 0; i < n; i++) {
            out[i] = switch (a) {
                case byte[] b -> unsigned ? b[i] & 0xff : b[i];
                case short[] s -> unsigned ? s[i] & 0xffff : s[i];
                case long[] l -> Math.toIntExact(l[i]);
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
            arena.close();
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

        String str() {
            long n = i64();
            need(n);
            if (n > Integer.MAX_VALUE) throw new GGUFException(path + ": string of " + n + " bytes");
            byte[] b = seg.asSlice(pos, n).toArray(ValueLayout.JAVA_BYTE);
            pos += n;
            return new String(b, StandardCharsets.UTF_8);
        }

        GGUFValue value(GGUFValueType t) {
            return switch (t) {
                case UINT8 -> GGUFValue.of(t, i8() & 0xff);
                case INT8 -> GGUFValue.of(t, (int) i8());
                case UINT16 -> GGUFValue.of(t, i16() & 0xffff);
                case INT16 -> GGUFValue.of(t, (int) i16());
                case UINT32 -> GGUFValue.of(t, i32() & 0xffffffffL);
                case INT32 -> GGUFValue.of(t, i32());
                case FLOAT32 -> GGUFValue.of(t, f32());
                case BOOL -> GGUFValue.of(t, i8() != 0);
                case STRING -> GGUFValue.of(t, str());
                case UINT64, INT64 -> GGUFValue.of(t, i64());
                case FLOAT64 -> GGUFValue.of(t, f64());
                case ARRAY -> array();
            };
        }

        GGUFValue array() {
            GGUFValueType et = GGUFValueType.fromId(i32());
            long n = i64();
            if (n < 0 || n > size - pos) throw new GGUFException(path + " is truncated or corrupt: array of " + n + " elements");
            int len = (int) n;
            Object arr = switch (et) {
                case UINT8, INT8 -> { need(n); byte[] a = seg.asSlice(pos, n).toArray(ValueLayout.JAVA_BYTE); pos += n; yield a; }
                case UINT16, INT16 -> { short[] a = new short[len]; for (int i = 0; i < len; i++) a[i] = i16(); yield a; }
                case UINT32, INT32 -> { int[] a = new int[len]; for (int i = 0; i < len; i++) a[i] = i32(); yield a; }
                case UINT64, INT64 -> { long[] a = new long[len]; for (int i = 0; i < len; i++) a[i] = i64(); yield a; }
                case FLOAT32 -> { float[] a = new float[len]; for (int i = 0; i < len; i++) a[i] = f32(); yield a; }
                case FLOAT64 -> { double[] a = new double[len]; for (int i = 0; i < len; i++) a[i] = f64(); yield a; }
                case BOOL -> { boolean[] a = new boolean[len]; for (int i = 0; i < len; i++) a[i] = i8() != 0; yield a; }
                case STRING -> { String[] a = new String[len]; for (int i = 0; i < len; i++) a[i] = str(); yield a; }
                case ARRAY -> { GGUFValue[] a = new GGUFValue[len]; for (int i = 0; i < len; i++) a[i] = array(); yield a; }
            };
            return GGUFValue.array(et, arr);
        }
    }
}
