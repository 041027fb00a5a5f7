package dev.shovel.gguf;

import static org.junit.jupiter.api.Assertions.*;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.reflect.Array;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GGUFRoundTripTest {
    @TempDir Path dir;

    private static GGUFValue v(GGUFValueType t, Object o) { return GGUFValue.of(t, o); }

    /** One value of every scalar type, arrays of every element type, string arrays and nested arrays. */
    static Map<String, GGUFValue> allValues() {
        Map<String, GGUFValue> m = new LinkedHashMap<>();
        m.put("t.u8", v(GGUFValueType.UINT8, 200));
        m.put("t.i8", v(GGUFValueType.INT8, -5));
        m.put("t.u16", v(GGUFValueType.UINT16, 60000));
        m.put("t.i16", v(GGUFValueType.INT16, -30000));
        m.put("t.u32", v(GGUFValueType.UINT32, 4_000_000_000L));
        m.put("t.i32", v(GGUFValueType.INT32, -2_000_000_000));
        m.put("t.f32", v(GGUFValueType.FLOAT32, 1.5e-5f));
        m.put("t.bool", v(GGUFValueType.BOOL, true));
        m.put("t.bool_false", v(GGUFValueType.BOOL, false));
        m.put("t.str", v(GGUFValueType.STRING, "héllo\nwörld ✓"));
        m.put("t.empty_str", v(GGUFValueType.STRING, ""));
        m.put("t.u64", v(GGUFValueType.UINT64, -1L)); // all bits set: 2^64 - 1
        m.put("t.i64", v(GGUFValueType.INT64, Long.MIN_VALUE + 7));
        m.put("t.f64", v(GGUFValueType.FLOAT64, Math.PI));
        m.put("a.u8", GGUFValue.array(GGUFValueType.UINT8, new byte[] {0, 1, (byte) 255, (byte) 128}));
        m.put("a.i8", GGUFValue.array(GGUFValueType.INT8, new byte[] {-128, 0, 127}));
        m.put("a.u16", GGUFValue.array(GGUFValueType.UINT16, new short[] {(short) 65535, 1}));
        m.put("a.i16", GGUFValue.array(GGUFValueType.INT16, new short[] {-32768, 32767}));
        m.put("a.u32", GGUFValue.array(GGUFValueType.UINT32, new int[] {-1, 7}));
        m.put("a.i32", GGUFValue.array(GGUFValueType.INT32, new int[] {Integer.MIN_VALUE, 0, 42}));
        m.put("a.f32", GGUFValue.array(GGUFValueType.FLOAT32, new float[] {-0f, 1e30f, Float.MIN_VALUE}));
        m.put("a.bool", GGUFValue.array(GGUFValueType.BOOL, new boolean[] {true, false, true}));
        m.put("a.str", GGUFValue.array(GGUFValueType.STRING, new String[] {"<s>", "", "▁the", "\u0000x"}));
        m.put("a.u64", GGUFValue.array(GGUFValueType.UINT64, new long[] {-1L, 0}));
        m.put("a.i64", GGUFValue.array(GGUFValueType.INT64, new long[] {Long.MAX_VALUE}));
        m.put("a.f64", GGUFValue.array(GGUFValueType.FLOAT64, new double[] {1e-300, -2.5}));
        m.put("a.empty", GGUFValue.array(GGUFValueType.INT32, new int[0]));
        GGUFValue inner1 = GGUFValue.array(GGUFValueType.INT32, new int[] {1, 2, 3});
        GGUFValue inner2 = GGUFValue.array(GGUFValueType.STRING, new String[] {"a", "bc"});
        GGUFValue deep = GGUFValue.array(GGUFValueType.ARRAY, new GGUFValue[] {
                GGUFValue.array(GGUFValueType.FLOAT32, new float[] {0.25f}), GGUFValue.array(GGUFValueType.UINT8, new byte[0])});
        m.put("a.nested", GGUFValue.array(GGUFValueType.ARRAY, new GGUFValue[] {inner1, inner2, deep}));
        return m;
    }

    /** Deep equality of two values, arrays by content. */
    static void assertSameValue(String key, GGUFValue want, GGUFValue got) {
        assertNotNull(got, key);
        assertEquals(want.type(), got.type(), key);
        assertEquals(want.elementType(), got.elementType(), key);
        if (want.type() != GGUFValueType.ARRAY) {
            assertEquals(want.value(), got.value(), key);
            return;
        }
        assertEquals(want.value().getClass(), got.value().getClass(), key);
        int n = Array.getLength(want.value());
        assertEquals(n, Array.getLength(got.value()), key);
        for (int i = 0; i < n; i++) {
            Object a = Array.get(want.value(), i), b = Array.get(got.value(), i);
            if (a instanceof GGUFValue ga) assertSameValue(key + "[" + i + "]", ga, (GGUFValue) b);
            else assertEquals(a, b, key + "[" + i + "]");
        }
    }

    /** Deterministic pattern byte for tensor k, byte i. */
    static byte pattern(int k, long i) { return (byte) (i * 31 + k * 7 + (i >> 8)); }

    @Test
    void everyValueTypeAndTensorsRoundTripWithNonDefaultAlignment() throws Exception {
        Map<String, GGUFValue> values = allValues();
        GGUFWriter w = new GGUFWriter();
        w.putString("general.architecture", "llama");
        w.putU32("general.alignment", 64);
        w.putAll(values);
        record T(String name, GGMLType type, long[] dims) {}
        List<T> ts = List.of(
                new T("a.f32", GGMLType.F32, new long[] {7, 3}),
                new T("b.f16", GGMLType.F16, new long[] {64, 2}),
                new T("c.q8_0", GGMLType.Q8_0, new long[] {64, 3}),
                new T("d.q4_0", GGMLType.Q4_0, new long[] {32}),
                new T("e.i32", GGMLType.I32, new long[] {5}),
                new T("f.bf16", GGMLType.BF16, new long[] {3, 1, 1}),
                new T("g.q6_k", GGMLType.Q6_K, new long[] {256, 2, 1, 1}));
        for (int k = 0; k < ts.size(); k++) {
            int kk = k;
            T t = ts.get(k);
            long expectBytes = t.type.bytesFor(product(t.dims));
            w.addTensor(t.name, t.type, t.dims, seg -> {
                assertEquals(expectBytes, seg.byteSize());
                for (long i = 0; i < seg.byteSize(); i++) seg.set(ValueLayout.JAVA_BYTE, i, pattern(kk, i));
            });
        }
        float[] f = {1, -2, 3.5f};
        w.addF32("h.addf32", new long[] {3}, f);
        Path p = dir.resolve("all.gguf");
        w.write(p);

        try (GGUFFile g = GGUFFile.open(p)) {
            assertEquals(3, g.version());
            assertEquals(64, g.alignment());
            assertEquals(0, g.dataOffset() % 64);
            for (var e : values.entrySet()) assertSameValue(e.getKey(), e.getValue(), g.get(e.getKey()));
            assertEquals(values.size() + 2, g.metadata().size());
            assertEquals(List.of("general.architecture", "general.alignment"), g.metadata().keySet().stream().limit(2).toList());

            // typed getters
            assertEquals("llama", g.getString("general.architecture"));
            assertEquals(200, g.getInt("t.u8"));
            assertEquals(-5, g.getInt("t.i8"));
            assertEquals(4_000_000_000L, g.getLong("t.u32"));
            assertEquals(1.5e-5f, g.getFloat("t.f32", 0));
            assertEquals((float) Math.PI, g.getFloat("t.f64", 0));
            assertTrue(g.getBool("t.bool", false));
            assertFalse(g.getBool("t.bool_false", true));
            assertArrayEquals(new String[] {"<s>", "", "▁the", "\u0000x"}, g.getStringArray("a.str"));
            assertArrayEquals(new float[] {-0f, 1e30f, Float.MIN_VALUE}, g.getFloatArray("a.f32"));
            assertArrayEquals(new float[] {0f, -2.5f}, g.getFloatArray("a.f64"));
            assertArrayEquals(new int[] {0, 1, 255, 128}, g.getIntArray("a.u8"));
            assertArrayEquals(new int[] {-128, 0, 127}, g.getIntArray("a.i8"));
            assertArrayEquals(new int[] {65535, 1}, g.getIntArray("a.u16"));
            assertArrayEquals(new int[] {1, 0, 1}, g.getIntArray("a.bool"));
            assertEquals(42, g.getInt("missing", 42));
            assertNull(g.getStringArray("missing"));
            GGUFException e = assertThrows(GGUFException.class, () -> g.getString("missing.key"));
            assertTrue(e.getMessage().contains("missing.key"));
            assertThrows(GGUFException.class, () -> g.getString("t.i32"));

            // tensors: order, shape, type, aligned offsets, bytes
            List<TensorInfo> infos = g.tensorList();
            assertEquals(ts.size() + 1, infos.size());
            for (int k = 0; k < ts.size(); k++) {
                T t = ts.get(k);
                TensorInfo ti = infos.get(k);
                assertEquals(t.name, ti.name());
                assertArrayEquals(t.dims, ti.dims());
                assertEquals(t.type, ti.type());
                assertEquals(0, ti.offset() % 64, t.name);
                assertEquals(t.dims[0], ti.rowLength());
                MemorySegment d = g.tensorData(ti);
                assertEquals(t.type.bytesFor(product(t.dims)), d.byteSize());
                assertEquals(0, (g.dataOffset() + ti.offset()) % 64);
                for (long i = 0; i < d.byteSize(); i++) assertEquals(pattern(k, i), d.get(ValueLayout.JAVA_BYTE, i), t.name + " byte " + i);
            }
            MemorySegment h = g.tensorData(g.tensor("h.addf32"));
            for (int i = 0; i < 3; i++) assertEquals(f[i], h.getAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED, i));
        }
    }

    @Test
    void defaultAlignmentIs32AndClosedFileRefusesData() throws Exception {
        Path p = dir.resolve("small.gguf");
        new GGUFWriter().putString("general.name", "x").addF32("t", new long[] {3}, new float[] {1, 2, 3})
                .addF32("u", new long[] {1}, new float[] {4}).write(p);
        GGUFFile g = GGUFFile.open(p);
        assertEquals(32, g.alignment());
        assertEquals(0, g.dataOffset() % 32);
        assertEquals(32, g.tensor("u").offset()); // 12 bytes of t, padded to 32
        TensorInfo t = g.tensor("t");
        g.close();
        assertTrue(g.isClosed());
        GGUFException e = assertThrows(GGUFException.class, () -> g.tensorData(t));
        assertTrue(e.getMessage().contains("closed"));
    }

    static long product(long[] d) {
        long n = 1;
        for (long x : d) n *= x;
        return n;
    }
}
