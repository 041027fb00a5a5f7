package dev.shovel.gguf;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Writes a GGUF v3 file. Tensor data are filled in place through a mapping of the output, so files of any size can be
 * written tensor by tensor; a tensor whose filler writes nothing stays a sparse hole of zeros.
 * The file is written to a temporary sibling and moved into place only when complete.
 */
public final class GGUFWriter {
    private final Map<String, GGUFValue> metadata = new LinkedHashMap<>();
    private final List<Pending> tensors = new ArrayList<>();
    private int alignment = GGUFFile.DEFAULT_ALIGNMENT;

    private record Pending(String name, long[] dims, GGMLType type, Consumer<MemorySegment> filler) {}

    public GGUFWriter put(String key, GGUFValue value) {
        metadata.put(key, value);
        if (key.equals("general.alignment")) alignment = (int) GGUFFile.toLong(value, key);
        return this;
    }

    public GGUFWriter putString(String key, String v) { return put(key, GGUFValue.string(v)); }
    public GGUFWriter putU32(String key, long v) { return put(key, GGUFValue.u32(v)); }
    public GGUFWriter putF32(String key, float v) { return put(key, GGUFValue.f32(v)); }
    public GGUFWriter putBool(String key, boolean v) { return put(key, GGUFValue.bool(v)); }

    public GGUFWriter putAll(Map<String, GGUFValue> values) {
        values.forEach(this::put);
        return this;
    }

    /** Adds a tensor; {@code filler} receives a segment of exactly the tensor's byte size. */
    public GGUFWriter addTensor(String name, GGMLType type, long[] dims, Consumer<MemorySegment> filler) {
        tensors.add(new Pending(name, dims.clone(), type, filler));
        return this;
    }

    /** Adds an F32 tensor from an array. */
    public GGUFWriter addF32(String name, long[] dims, float[] values) {
        return addTensor(name, GGMLType.F32, dims,
                seg -> MemorySegment.copy(values, 0, seg, ValueLayout.JAVA_FLOAT_UNALIGNED, 0, values.length));
    }

    public void write(Path out) throws IOException {
        byte[] header = header();
        long dataStart = GGUFFile.align(header.length, alignment);
        long[] offsets = new long[tensors.size()];
        long off = 0;
        for (int i = 0; i < tensors.size(); i++) {
            offsets[i] = off;
            Pending p = tensors.get(i);
            off = GGUFFile.align(off + p.type.bytesFor(elements(p.dims)), alignment);
        }
        long total = dataStart + off;
        Path dir = out.toAbsolutePath().getParent();
        if (dir != null) Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, out.getFileName().toString(), ".part");
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.READ, StandardOpenOption.WRITE);
                 Arena arena = Arena.ofConfined()) {
                ch.write(ByteBuffer.wrap(header), 0);
                if (total > header.length) {
                    ch.write(ByteBuffer.wrap(new byte[] {0}), total - 1); // extends the file sparsely
                }
                for (int i = 0; i < tensors.size(); i++) {
                    Pending p = tensors.get(i);
                    long bytes = p.type.bytesFor(elements(p.dims));
                    if (bytes == 0) continue;
                    MemorySegment seg = ch.map(FileChannel.MapMode.READ_WRITE, dataStart + offsets[i], bytes, arena);
                    p.filler.accept(seg);
                }
                ch.force(false);
            }
            try {
                Files.setPosixFilePermissions(tmp, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
            } catch (UnsupportedOperationException e) {
                // not a POSIX file system: keep the default permissions
            }
            Files.move(tmp, out, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    private static long elements(long[] dims) {
        long n = 1;
        for (long d : dims) n *= d;
        return n;
    }

    private byte[] header() {
        Out o = new Out();
        o.i32(GGUFFile.MAGIC);
        o.i32(3);
        o.i64(tensors.size());
        o.i64(metadata.size());
        for (var e : metadata.entrySet()) {
            o.str(e.getKey());
            o.i32(e.getValue().type().ordinal());
            o.value(e.getValue());
        }
        long off = 0;
        for (Pending p : tensors) {
            o.str(p.name);
            o.i32(p.dims.length);
            for (long d : p.dims) o.i64(d);
            o.i32(p.type.id);
            o.i64(off);
            off = GGUFFile.align(off + p.type.bytesFor(elements(p.dims)), alignment);
        }
        return o.bytes();
    }

    /** Little-endian byte sink for the header. */
    private static final class Out {
        private final ByteArrayOutputStream bos = new ByteArrayOutputStream();
        private final ByteBuffer buf = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);

        void put(int n) { bos.write(buf.array(), 0, n); buf.clear(); }
        void i8(int v) { bos.write(v); }
        void i16(int v) { buf.putShort((short) v); put(2); }
        void i32(int v) { buf.putInt(v); put(4); }
        void i64(long v) { buf.putLong(v); put(8); }
        void f32(float v) { buf.putFloat(v); put(4); }
        void f64(double v) { buf.putDouble(v); put(8); }

        void str(String s) {
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            i64(b.length);
            bos.writeBytes(b);
        }

        void value(GGUFValue v) {
            Object x = v.value();
            switch (v.type()) {
                case UINT8, INT8 -> i8(((Number) x).intValue());
                case UINT16, INT16 -> i16(((Number) x).intValue());
                case UINT32, INT32 -> i32(((Number) x).intValue());
                case UINT64, INT64 -> i64(((Number) x).longValue());
                case FLOAT32 -> f32(((Number) x).floatValue());
                case FLOAT64 -> f64(((Number) x).doubleValue());
                case BOOL -> i8((Boolean) x ? 1 : 0);
                case STRING -> str((String) x);
                case ARRAY -> array(v);
            }
        }

        void array(GGUFValue v) {
            i32(v.elementType().ordinal());
            int n = v.length();
            i64(n);
            switch (v.value()) {
                case byte[] a -> bos.writeBytes(a);
                case short[] a -> { for (short s : a) i16(s); }
                case int[] a -> { for (int s : a) i32(s); }
                case long[] a -> { for (long s : a) i64(s); }
                case float[] a -> { for (float s : a) f32(s); }
                case double[] a -> { for (double s : a) f64(s); }
                case boolean[] a -> { for (boolean s : a) i8(s ? 1 : 0); }
                case String[] a -> { for (String s : a) str(s); }
                case GGUFValue[] a -> { for (GGUFValue s : a) array(s); }
                default -> throw new GGUFException("unsupported array value " + v.value().getClass());
            }
        }

        byte[] bytes() { return bos.toByteArray(); }
    }
}
