package dev.shovel.tools;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.shovel.gguf.GGMLType;
import dev.shovel.gguf.GGUFFile;
import dev.shovel.gguf.GGUFValue;
import dev.shovel.gguf.TensorInfo;
import java.io.IOException;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class Llama2cConverterTest {
    @TempDir static Path dir;
    static Path f32;

    // stories260K layout (models MANIFEST): dim 64, hidden 172, 5 layers, kv_dim 32, vocab 512, seq_len 512
    static final int DIM = 64, HID = 172, L = 5, KV = 32, VOC = 512, SEQ = 512, HS = 8;

    @BeforeAll
    static void convert() {
        f32 = dir.resolve("stories260K.gguf");
        Llama2cConverter.convert(TestFiles.checkpoint(), TestFiles.tok512(), f32);
    }

    static float[] checkpointFloats(Path p, int headerBytes) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(p)).order(ByteOrder.LITTLE_ENDIAN);
        b.position(headerBytes);
        float[] f = new float[b.remaining() / 4];
        b.asFloatBuffer().get(f);
        return f;
    }

    static void assertSameValue(String key, GGUFValue want, GGUFValue got) {
        assertNotNull(got, key + " missing");
        assertEquals(want.type(), got.type(), key);
        assertEquals(want.elementType(), got.elementType(), key);
        Object a = want.value(), b = got.value();
        boolean eq = switch (a) {
            case String[] s -> Arrays.equals(s, (String[]) b);
            case float[] s -> Arrays.equals(s, (float[]) b); // bitwise, so -0.0 != 0.0
            case int[] s -> Arrays.equals(s, (int[]) b);
            default -> a.equals(b);
        };
        assertTrue(eq, key + " differs: " + want.display() + " vs " + got.display());
    }

    @Test
    void tokenizerKeysEqualLlamaCppOutput() {
        try (GGUFFile ref = GGUFFile.open(TestFiles.referenceLlama()); GGUFFile got = GGUFFile.open(f32)) {
            Set<String> want = new TreeSet<>(), have = new TreeSet<>();
            ref.metadata().keySet().stream().filter(k -> k.startsWith("tokenizer.")).forEach(want::add);
            got.metadata().keySet().stream().filter(k -> k.startsWith("tokenizer.")).forEach(have::add);
            assertEquals(9, want.size());
            assertEquals(want, have);
            for (String k : want) assertSameValue(k, ref.get(k), got.get(k));
            // spot checks of what llama.cpp wrote
            String[] toks = got.getStringArray("tokenizer.ggml.tokens");
            assertEquals("<s>", toks[1]);
            assertEquals("<0x0A>", toks[13]);
            assertEquals("\u2581t", toks[259]);
            assertEquals("\u2581Lily", toks[317]);
            assertEquals(0xFFFFFFFFL, got.getLong("tokenizer.ggml.padding_token_id"));
        }
    }

    @Test
    void hyperParametersAndTensorShapes() {
        try (GGUFFile g = GGUFFile.open(f32)) {
            assertEquals(3, g.version());
            assertEquals("llama", g.getString("general.architecture"));
            assertEquals("stories260K", g.getString("general.name"));
            assertEquals(0, g.getInt("general.file_type"));
            assertEquals(SEQ, g.getInt("llama.context_length"));
            assertEquals(DIM, g.getInt("llama.embedding_length"));
            assertEquals(L, g.getInt("llama.block_count"));
            assertEquals(HID, g.getInt("llama.feed_forward_length"));
            assertEquals(8, g.getInt("llama.attention.head_count"));
            assertEquals(4, g.getInt("llama.attention.head_count_kv"));
            assertEquals(HS, g.getInt("llama.rope.dimension_count"));
            assertEquals(10000f, g.getFloat("llama.rope.freq_base", 0));
            assertEquals(1e-5f, g.getFloat("llama.attention.layer_norm_rms_epsilon", 0));
            assertEquals(VOC, g.getInt("llama.vocab_size"));
            assertEquals(2 + 9 * L, g.tensors().size());
            assertNull(g.tensor("output.weight"), "tied classifier must not be written");
            assertArrayEquals(new long[] {DIM, VOC}, g.tensor("token_embd.weight").dims());
            assertArrayEquals(new long[] {DIM, KV}, g.tensor("blk.3.attn_k.weight").dims());
            assertArrayEquals(new long[] {DIM, HID}, g.tensor("blk.0.ffn_gate.weight").dims());
            assertArrayEquals(new long[] {HID, DIM}, g.tensor("blk.4.ffn_down.weight").dims());
            assertArrayEquals(new long[] {DIM}, g.tensor("blk.2.ffn_norm.weight").dims());
            for (TensorInfo t : g.tensors().values()) assertEquals(GGMLType.F32, t.type(), t.name());
        }
    }

    @Test
    void weightsAreTheCheckpointBytes() throws IOException {
        float[] ck = checkpointFloats(TestFiles.checkpoint(), 28);
        // offsets (floats) in legacy order: embd, rms_att, wq, wk, wv, wo, rms_ffn, w1, w2, w3, rms_final
        int emb = 0, rmsAtt = emb + VOC * DIM, wq = rmsAtt + L * DIM, wk = wq + L * DIM * DIM, wv = wk + L * KV * DIM,
                wo = wv + L * KV * DIM, rmsFfn = wo + L * DIM * DIM, w1 = rmsFfn + L * DIM, w2 = w1 + L * HID * DIM,
                w3 = w2 + L * DIM * HID, fin = w3 + L * HID * DIM;
        assertEquals(ck.length, fin + DIM + 2 * SEQ * HS / 2);
        try (GGUFFile g = GGUFFile.open(f32)) {
            assertArrayEquals(slice(ck, emb, VOC * DIM), TestFiles.floats(g, "token_embd.weight"));
            assertArrayEquals(slice(ck, fin, DIM), TestFiles.floats(g, "output_norm.weight"));
            int l = 3;
            String p = "blk." + l + ".";
            assertArrayEquals(slice(ck, rmsAtt + l * DIM, DIM), TestFiles.floats(g, p + "attn_norm.weight"));
            assertArrayEquals(slice(ck, wq + l * DIM * DIM, DIM * DIM), TestFiles.floats(g, p + "attn_q.weight"));
            assertArrayEquals(slice(ck, wk + l * KV * DIM, KV * DIM), TestFiles.floats(g, p + "attn_k.weight"));
            assertArrayEquals(slice(ck, wv + l * KV * DIM, KV * DIM), TestFiles.floats(g, p + "attn_v.weight"));
            assertArrayEquals(slice(ck, wo + l * DIM * DIM, DIM * DIM), TestFiles.floats(g, p + "attn_output.weight"));
            assertArrayEquals(slice(ck, rmsFfn + l * DIM, DIM), TestFiles.floats(g, p + "ffn_norm.weight"));
            assertArrayEquals(slice(ck, w1 + l * HID * DIM, HID * DIM), TestFiles.floats(g, p + "ffn_gate.weight"));
            assertArrayEquals(slice(ck, w2 + l * DIM * HID, DIM * HID), TestFiles.floats(g, p + "ffn_down.weight"));
            assertArrayEquals(slice(ck, w3 + l * HID * DIM, HID * DIM), TestFiles.floats(g, p + "ffn_up.weight"));
        }
    }

    static float[] slice(float[] a, int off, int n) { return Arrays.copyOfRange(a, off, off + n); }

    static double[] referenceLogits() throws IOException {
        JsonNode v = new ObjectMapper().readTree(TestFiles.resource("stories260K-testvectors.json").toFile())
                .get("logits_pos0_after_bos").get("values");
        double[] d = new double[v.size()];
        for (int i = 0; i < d.length; i++) d[i] = v.get(i).asDouble();
        return d;
    }

    @Test
    void firstPositionLogitsMatchReferenceForward() throws IOException {
        double[] want = referenceLogits();
        try (GGUFFile g = GGUFFile.open(f32)) {
            double[] got = TestFiles.logitsPos0(g, 1);
            assertEquals(VOC, want.length);
            for (int i = 0; i < VOC; i++) assertEquals(want[i], got[i], 1e-4, "logit " + i);
        }
    }

    @Test
    void ak42VersionOneAndUntiedClassifier() throws IOException {
        float[] ck = checkpointFloats(TestFiles.checkpoint(), 28);
        int emb = 0, rmsAtt = VOC * DIM, wq = rmsAtt + L * DIM, rmsFfn = wq + L * (2 * DIM * DIM + 2 * KV * DIM),
                w1 = rmsFfn + L * DIM, fin = w1 + 3 * L * HID * DIM;
        float[] wcls = slice(ck, emb, VOC * DIM);
        for (int i = 0; i < wcls.length; i++) wcls[i] = -wcls[i] * 0.5f;
        // version 1: 256-byte header, then norms, embedding, wq..wo, w1..w3, classifier
        ByteBuffer b = ByteBuffer.allocate(256 + 4 * (fin + DIM + wcls.length)).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(0x616b3432).putInt(1).putInt(DIM).putInt(HID).putInt(L).putInt(8).putInt(4).putInt(VOC).putInt(SEQ);
        b.put((byte) 0).position(256);
        var fb = b.asFloatBuffer();
        fb.put(ck, rmsAtt, L * DIM).put(ck, rmsFfn, L * DIM).put(ck, fin, DIM).put(ck, emb, VOC * DIM);
        fb.put(ck, wq, rmsFfn - wq).put(ck, w1, fin - w1).put(wcls);
        Path v1 = dir.resolve("v1.bin");
        Files.write(v1, b.array());
        Path out = dir.resolve("v1.gguf");
        Llama2cConverter.convert(v1, TestFiles.tok512(), out, Llama2cConverter.Options.defaults().withName("v1"));
        try (GGUFFile a = GGUFFile.open(f32); GGUFFile c = GGUFFile.open(out)) {
            assertEquals("v1", c.getString("general.name"));
            assertArrayEquals(wcls, TestFiles.floats(c, "output.weight"));
            for (TensorInfo t : a.tensors().values()) {
                assertArrayEquals(a.tensorData(t).toArray(ValueLayout.JAVA_BYTE),
                        c.tensorData(c.tensor(t.name())).toArray(ValueLayout.JAVA_BYTE), t.name());
            }
        }
    }

    @Test
    void legacyNegativeVocabMeansUntied() throws IOException {
        byte[] orig = Files.readAllBytes(TestFiles.checkpoint());
        ByteBuffer b = ByteBuffer.allocate(orig.length + 4 * VOC * DIM).order(ByteOrder.LITTLE_ENDIAN);
        b.put(orig).putInt(20, -VOC);
        for (int i = 0; i < VOC * DIM; i++) b.putFloat(orig.length + 4 * i, i * 1e-3f);
        Path p = dir.resolve("untied.bin");
        Files.write(p, b.array());
        Path out = dir.resolve("untied.gguf");
        Llama2cConverter.convert(p, TestFiles.tok512(), out);
        try (GGUFFile g = GGUFFile.open(out)) {
            assertEquals(VOC, g.getInt("llama.vocab_size"));
            float[] w = TestFiles.floats(g, "output.weight");
            assertEquals(VOC * DIM, w.length);
            assertEquals(1234 * 1e-3f, w[1234]);
        }
    }

    @Test
    void q8_0OutputKeepsIncompatibleRowsAsF16() throws IOException {
        Path out = dir.resolve("q8.gguf");
        Llama2cConverter.convert(TestFiles.checkpoint(), TestFiles.tok512(), out,
                Llama2cConverter.Options.defaults().withType(GGMLType.Q8_0).withContextLength(256));
        try (GGUFFile q = GGUFFile.open(out); GGUFFile f = GGUFFile.open(f32)) {
            assertEquals(7, q.getInt("general.file_type"));
            assertEquals(256, q.getInt("llama.context_length"));
            assertEquals(GGMLType.Q8_0, q.tensor("blk.0.attn_q.weight").type());
            assertEquals(GGMLType.Q8_0, q.tensor("token_embd.weight").type());
            assertEquals(GGMLType.F16, q.tensor("blk.0.ffn_down.weight").type()); // 172 % 32 != 0
            assertEquals(GGMLType.F32, q.tensor("blk.0.ffn_norm.weight").type());
            // Q8_0: q = round(x * 127/amax) is within half a step d = amax/127, and d stored as fp16 (relative
            // error <= 2^-11) moves q*d by at most 127 * d * 2^-11
            float[] a = TestFiles.floats(f, "blk.1.ffn_gate.weight"), c = TestFiles.floats(q, "blk.1.ffn_gate.weight");
            for (int blk = 0; blk < a.length / 32; blk++) {
                float amax = 0;
                for (int j = 0; j < 32; j++) amax = Math.max(amax, Math.abs(a[blk * 32 + j]));
                for (int j = 0; j < 32; j++) {
                    int i = blk * 32 + j;
                    assertEquals(a[i], c[i], amax / 127 * (0.5 + 127 * 0x1p-11) * 1.001 + 1e-7, "element " + i);
                }
            }
            double[] want = referenceLogits(), got = TestFiles.logitsPos0(q, 1);
            int argmax = 0;
            for (int i = 0; i < VOC; i++) if (got[i] > got[argmax]) argmax = i;
            assertEquals(403, argmax); // " Once"
            for (int i = 0; i < VOC; i++) assertEquals(want[i], got[i], 0.3, "logit " + i);
        }
    }

    @Test
    void badInputsGiveOneLineErrors() throws IOException {
        byte[] orig = Files.readAllBytes(TestFiles.checkpoint());
        Path cut = dir.resolve("cut.bin");
        Files.write(cut, Arrays.copyOf(orig, orig.length - 100));
        ToolsException e = assertThrows(ToolsException.class,
                () -> Llama2cConverter.convert(cut, TestFiles.tok512(), dir.resolve("x.gguf")));
        assertTrue(e.getMessage().contains("truncated"), e.getMessage());
        Path tok = dir.resolve("short-tok.bin");
        Files.write(tok, Arrays.copyOf(Files.readAllBytes(TestFiles.tok512()), 3000));
        e = assertThrows(ToolsException.class,
                () -> Llama2cConverter.convert(TestFiles.checkpoint(), tok, dir.resolve("y.gguf")));
        assertTrue(e.getMessage().contains("cannot be read"), e.getMessage());
        e = assertThrows(ToolsException.class,
                () -> Llama2cConverter.convert(dir.resolve("nope.bin"), TestFiles.tok512(), dir.resolve("z.gguf")));
        assertTrue(e.getMessage().contains("not found"), e.getMessage());
        assertFalse(Files.exists(dir.resolve("x.gguf")));
    }
}
