package dev.shovel.tokenizer;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.shovel.gguf.GGUFValue;
import dev.shovel.gguf.GGUFValueType;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Jazzer harnesses: a vocabulary from fuzzed tokenizer metadata, then encode/decode of fuzzed text with it. The only
 * acceptable outcomes are success or a {@link TokenizerException}; anything else is a bug. Under plain mvn test the
 * inputs in src/test/resources/dev/shovel/tokenizer/TokenizerFuzzTestInputs/&lt;method&gt;/ are replayed; with
 * JAZZER_FUZZ=1 Jazzer fuzzes (see {@link FuzzSeeds} for how the seeds are made).
 */
class TokenizerFuzzTest {
    /**
     * One input may take this long once the JVM is warm (libFuzzer's -timeout is only set from a JUnit timeout,
     * which would also cap the whole fuzzing run, so the harness times itself; a slower input is a finding).
     * The first inputs run cold (class loading, JIT, Jazzer's instrumentation) and get {@link #WARMUP_NANOS}.
     */
    private static final long MAX_NANOS_PER_INPUT = 1_000_000_000L;
    private static final java.lang.management.ThreadMXBean CPU = java.lang.management.ManagementFactory.getThreadMXBean();
    private static final long WARMUP_NANOS = 30_000_000_000L;
    private static final int WARMUP_INPUTS = 500;
    /** Texts are cut to this many chars: enough for every tokenizer path, small enough for instrumented runs. */
    private static final int MAX_TEXT = 4096;
    private static final java.util.concurrent.atomic.AtomicInteger RUNS = new java.util.concurrent.atomic.AtomicInteger();

    static {
        // class initialisation (Unicode tables, pre-tokenizer table) is not part of any input's time
        Unicode.flags(0);
        PreTokenizer.names();
    }

    /**
     * Runs one input under the time limit. The machine is shared (GC, other processes), so a slow input runs
     * twice more and is a finding only if every run is slow.
     */
    private static void timed(byte[] data, java.util.function.Consumer<byte[]> body) {
        long limit = RUNS.incrementAndGet() <= WARMUP_INPUTS ? WARMUP_NANOS : MAX_NANOS_PER_INPUT;
        long best = Long.MAX_VALUE;
        for (int attempt = 0; attempt < 3 && best > limit; attempt++) {
            long start = CPU.getCurrentThreadCpuTime(); // CPU time: other processes on the machine do not count
            body.accept(data);
            best = Math.min(best, CPU.getCurrentThreadCpuTime() - start);
        }
        if (best > limit) throw new AssertionError("input of " + data.length + " bytes took " + best / 1_000_000 + " ms");
    }

    /**
     * tokenizer.ggml.* metadata in a compact GGUF-like form ({@link MetaCodec}), then text: a vocabulary is built,
     * checked, and used on the text.
     */
    @FuzzTest(maxDuration = "40m", maxExecutions = 1_100_000)
    void ggufMetadata(byte[] data) {
        timed(data, TokenizerFuzzTest::ggufMetadata0);
    }

    private static void ggufMetadata0(byte[] data) {
        ByteBuffer b = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
        Map<String, GGUFValue> meta = MetaCodec.decode(b);
        int flags = b.hasRemaining() ? b.get() & 0xFF : 0;
        byte[] rest = new byte[b.remaining()];
        b.get(rest);
        Tokenizer t;
        try {
            t = Tokenizer.fromMetadata(meta, "fuzz.gguf");
        } catch (TokenizerException e) {
            return;
        }
        String text = text(rest, flags);
        exercise(t, text.substring(0, Math.min(text.length(), MAX_TEXT)), flags, rest);
    }

    /**
     * A tokenizer.json, tokenizer_config.json, config.json, pre name and text, separated by NUL characters (an
     * empty part means absent).
     */
    @FuzzTest(maxDuration = "40m", maxExecutions = 1_100_000)
    void tokenizerJson(byte[] data) {
        timed(data, TokenizerFuzzTest::tokenizerJson0);
    }

    private static void tokenizerJson0(byte[] data) {
        String[] parts = new String(data, StandardCharsets.UTF_8).split("\0", 5);
        String json = parts[0];
        String config = parts.length > 1 && !parts[1].isEmpty() ? parts[1] : null;
        String hparams = parts.length > 2 && !parts[2].isEmpty() ? parts[2] : null;
        String pre = parts.length > 3 && !parts[3].isEmpty() ? parts[3] : null;
        String text = parts.length > 4 ? parts[4].substring(0, Math.min(parts[4].length(), MAX_TEXT)) : "";
        Tokenizer t;
        try {
            t = Tokenizer.fromHuggingFaceJson(json, config, hparams, pre, "fuzz/tokenizer.json");
        } catch (TokenizerException e) {
            return;
        }
        int flags = text.isEmpty() ? 0 : text.charAt(0);
        exercise(t, text, flags, data);
    }

    /**
     * The seeds are real vocabularies: each must load, or the harness only fuzzes the error paths. (Inputs kept from
     * a fuzzing run's corpus, {@code corpus-*}, need not.)
     */
    @org.junit.jupiter.api.Test
    void seedsLoad() throws Exception {
        for (String method : new String[] {"ggufMetadata", "tokenizerJson"}) {
            java.net.URL dir = getClass().getResource("TokenizerFuzzTestInputs/" + method);
            try (var files = java.nio.file.Files.list(java.nio.file.Path.of(dir.toURI()))) {
                for (java.nio.file.Path f : files.filter(x -> !x.getFileName().toString().startsWith("corpus-")).toList()) {
                    byte[] data = java.nio.file.Files.readAllBytes(f);
                    if (method.equals("ggufMetadata")) {
                        Tokenizer t = Tokenizer.fromMetadata(MetaCodec.decode(ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN)), f.toString());
                        assertTrue(t.vocabSize() >= 500, f.toString());
                    } else {
                        String[] p = new String(data, StandardCharsets.UTF_8).split("\0", 5);
                        Tokenizer t = Tokenizer.fromHuggingFaceJson(p[0], p[1].isEmpty() ? null : p[1],
                            p[2].isEmpty() ? null : p[2], p[3].isEmpty() ? null : p[3], f.toString());
                        assertTrue(t.encode(p[4], true, true).length > 0, f.toString());
                    }
                }
            }
        }
    }

    /** The text as UTF-8, or (flag 8) as UTF-16LE code units so lone surrogates occur. */
    static String text(byte[] b, int flags) {
        if ((flags & 8) == 0) return new String(b, StandardCharsets.UTF_8);
        char[] c = new char[b.length / 2];
        for (int i = 0; i < c.length; i++) c[i] = (char) ((b[2 * i] & 0xFF) | (b[2 * i + 1] & 0xFF) << 8);
        return new String(c);
    }

    static void exercise(Tokenizer t, String text, int flags, byte[] raw) {
        int n = t.vocabSize();
        assertTrue(n > 0);
        for (int id = 0; id < Math.min(n, 64); id++) {
            t.tokenText(id);
            t.attributes(id);
            t.tokenBytes(id, (flags & 4) != 0);
        }
        try {
            int[] ids = t.encode(text, (flags & 1) != 0, (flags & 2) != 0);
            for (int id : ids) assertTrue(id >= 0 && id < n, "encode gave id " + id + " of " + n);
            t.decode(ids, (flags & 1) != 0, (flags & 4) != 0);
            StreamDecoder sd = new StreamDecoder(t, (flags & 4) != 0);
            StringBuilder sb = new StringBuilder();
            for (int id : ids) sb.append(sd.push(id));
            sb.append(sd.flush());
            if (t.model().equals("gpt2") && (flags & 3) == 0 && !t.vocab().cleanSpaces && isByteComplete(t, ids)) {
                // byte-level BPE without specials loses nothing a byte token covers
                assertEquals(new String(t.decodeBytes(ids, false, false), StandardCharsets.UTF_8), sb.toString());
            }
        } catch (TokenizerException e) {
            // a vocabulary lacking a byte/unknown token for the text: allowed
        }
        // arbitrary ids: in range decode, out of range is a TokenizerException
        ByteBuffer b = ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN);
        int[] ids = new int[Math.min(8, raw.length / 4)];
        for (int i = 0; i < ids.length; i++) ids[i] = b.getInt();
        try {
            t.decode(ids, (flags & 1) != 0, (flags & 4) != 0);
            for (int id : ids) assertTrue(id >= 0 && id < n);
        } catch (TokenizerException e) {
            boolean bad = false;
            for (int id : ids) bad |= id < 0 || id >= n;
            assertTrue(bad, e.getMessage());
        }
        for (int id : ids) t.isEog(id);
    }

    private static boolean isByteComplete(Tokenizer t, int[] ids) {
        for (int id : ids) if ((t.attributes(id) & (TokenAttr.CONTROL | TokenAttr.UNKNOWN)) != 0) return false;
        return true;
    }

    /**
     * GGUF-like metadata in bytes: entries of [key index u8][value type u8][value], ended by key 0xFF or the end
     * of the data. Key indexes past {@link #KEYS} name a key by a string that follows. Values as GGUF stores them:
     * little-endian scalars, strings as varint length + UTF-8, arrays as element type u8 + varint count +
     * elements. Values decode to the Java types GGUFFile gives.
     */
    static final class MetaCodec {
        static final String[] KEYS;

        static {
            String[] fixed = {"model", "pre", "tokens", "scores", "token_type", "merges", "add_bos_token",
                "add_eos_token", "add_sep_token", "add_space_prefix", "remove_extra_whitespaces",
                "normalizer.lowercase", "normalizer.strip_accents"};
            KEYS = new String[fixed.length + 3 + VocabData.ID_KEYS.length];
            int k = 0;
            for (String f : fixed) KEYS[k++] = "tokenizer.ggml." + f;
            KEYS[k++] = "general.name";
            KEYS[k++] = "general.architecture";
            KEYS[k++] = "tokenizer.chat_template";
            for (String id : VocabData.ID_KEYS) KEYS[k++] = "tokenizer.ggml." + id + "_token_id";
        }

        private static final GGUFValueType[] TYPES = GGUFValueType.values();

        static Map<String, GGUFValue> decode(ByteBuffer b) {
            Map<String, GGUFValue> m = new LinkedHashMap<>();
            while (b.remaining() >= 2) {
                int key = b.get() & 0xFF;
                if (key == 0xFF) break;
                String name = key < KEYS.length ? KEYS[key] : str(b);
                if (!b.hasRemaining()) break;
                GGUFValueType type = TYPES[(b.get() & 0xFF) % TYPES.length];
                GGUFValue v = value(b, type, 0);
                if (v == null) break;
                m.put(name, v);
            }
            return m;
        }

        private static long varint(ByteBuffer b) {
            long v = 0;
            for (int shift = 0; shift < 35 && b.hasRemaining(); shift += 7) {
                int x = b.get() & 0xFF;
                v |= (long) (x & 0x7F) << shift;
                if ((x & 0x80) == 0) break;
            }
            return v;
        }

        private static String str(ByteBuffer b) {
            int n = (int) Math.min(varint(b), b.remaining());
            byte[] s = new byte[n];
            b.get(s);
            return new String(s, StandardCharsets.UTF_8);
        }

        private static int size(GGUFValueType t) {
            return switch (t) {
                case UINT8, INT8, BOOL -> 1;
                case UINT16, INT16 -> 2;
                case UINT32, INT32, FLOAT32 -> 4;
                case UINT64, INT64, FLOAT64 -> 8;
                case STRING, ARRAY -> 1;
            };
        }

        /** A value, or null when the data ends inside a scalar. */
        private static GGUFValue value(ByteBuffer b, GGUFValueType t, int depth) {
            if (t != GGUFValueType.ARRAY && t != GGUFValueType.STRING && b.remaining() < size(t)) return null;
            return switch (t) {
                case UINT8 -> GGUFValue.of(t, b.get() & 0xFF);
                case INT8 -> GGUFValue.of(t, (int) b.get());
                case UINT16 -> GGUFValue.of(t, b.getShort() & 0xFFFF);
                case INT16 -> GGUFValue.of(t, (int) b.getShort());
                case UINT32 -> GGUFValue.of(t, b.getInt() & 0xFFFFFFFFL);
                case INT32 -> GGUFValue.of(t, b.getInt());
                case FLOAT32 -> GGUFValue.of(t, b.getFloat());
                case BOOL -> GGUFValue.of(t, b.get() != 0);
                case STRING -> GGUFValue.of(t, str(b));
                case UINT64, INT64 -> GGUFValue.of(t, b.getLong());
                case FLOAT64 -> GGUFValue.of(t, b.getDouble());
                case ARRAY -> array(b, depth);
            };
        }

        private static GGUFValue array(ByteBuffer b, int depth) {
            if (!b.hasRemaining()) return null;
            GGUFValueType e = TYPES[(b.get() & 0xFF) % TYPES.length];
            if (e == GGUFValueType.ARRAY && depth > 0) e = GGUFValueType.INT32;
            int n = (int) Math.min(varint(b), b.remaining() / size(e));
            Object a = switch (e) {
                case UINT8, INT8 -> { byte[] x = new byte[n]; b.get(x); yield x; }
                case UINT16, INT16 -> { short[] x = new short[n]; for (int i = 0; i < n; i++) x[i] = b.getShort(); yield x; }
                case UINT32, INT32 -> { int[] x = new int[n]; for (int i = 0; i < n; i++) x[i] = b.getInt(); yield x; }
                case UINT64, INT64 -> { long[] x = new long[n]; for (int i = 0; i < n; i++) x[i] = b.getLong(); yield x; }
                case FLOAT32 -> { float[] x = new float[n]; for (int i = 0; i < n; i++) x[i] = b.getFloat(); yield x; }
                case FLOAT64 -> { double[] x = new double[n]; for (int i = 0; i < n; i++) x[i] = b.getDouble(); yield x; }
                case BOOL -> { boolean[] x = new boolean[n]; for (int i = 0; i < n; i++) x[i] = b.get() != 0; yield x; }
                case STRING -> { String[] x = new String[n]; for (int i = 0; i < n; i++) x[i] = str(b); yield x; }
                case ARRAY -> {
                    GGUFValue[] x = new GGUFValue[n];
                    for (int i = 0; i < n; i++) {
                        x[i] = array(b, depth + 1);
                        if (x[i] == null) x[i] = GGUFValue.array(GGUFValueType.INT32, new int[0]);
                    }
                    yield x;
                }
            };
            return GGUFValue.array(e, a);
        }

        /** The inverse, for making seeds (keys outside KEYS are skipped). */
        static byte[] encode(Map<String, GGUFValue> m) {
            java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
            for (var en : m.entrySet()) {
                int k = java.util.Arrays.asList(KEYS).indexOf(en.getKey());
                if (k < 0) continue;
                out.write(k);
                GGUFValue v = en.getValue();
                out.write(v.type().ordinal());
                writeValue(out, v.type(), v.value(), v.elementType());
            }
            out.write(0xFF);
            return out.toByteArray();
        }

        private static void writeValue(java.io.ByteArrayOutputStream out, GGUFValueType t, Object v, GGUFValueType elem) {
            ByteBuffer b = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            switch (t) {
                case UINT8, INT8, BOOL -> out.write(v instanceof Boolean z ? (z ? 1 : 0) : ((Number) v).intValue());
                case UINT16, INT16 -> out.write(b.putShort(((Number) v).shortValue()).array(), 0, 2);
                case UINT32, INT32 -> out.write(b.putInt(((Number) v).intValue()).array(), 0, 4);
                case FLOAT32 -> out.write(b.putFloat((Float) v).array(), 0, 4);
                case UINT64, INT64 -> out.write(b.putLong(((Number) v).longValue()).array(), 0, 8);
                case FLOAT64 -> out.write(b.putDouble((Double) v).array(), 0, 8);
                case STRING -> writeString(out, (String) v);
                case ARRAY -> {
                    out.write(elem.ordinal());
                    int n = java.lang.reflect.Array.getLength(v);
                    writeVarint(out, n);
                    for (int i = 0; i < n; i++) writeValue(out, elem, java.lang.reflect.Array.get(v, i), null);
                }
            }
        }

        private static void writeString(java.io.ByteArrayOutputStream out, String s) {
            byte[] u = s.getBytes(StandardCharsets.UTF_8);
            writeVarint(out, u.length);
            out.write(u, 0, u.length);
        }

        private static void writeVarint(java.io.ByteArrayOutputStream out, long v) {
            while (v >= 0x80) {
                out.write((int) (v & 0x7F) | 0x80);
                v >>>= 7;
            }
            out.write((int) v);
        }
    }
}
