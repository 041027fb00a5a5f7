package dev.shovel.gguf;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Invalid files give a GGUFException with a one-line message naming the problem. */
class GGUFBadInputTest {
    @TempDir Path dir;

    private Path valid() throws Exception {
        Path p = dir.resolve("valid.gguf");
        new GGUFWriter()
                .putString("general.architecture", "llama")
                .putU32("llama.block_count", 2)
                .addF32("tok_embd.weight", new long[] {8, 4}, new float[32])
                .addF32("output.weight", new long[] {8, 2}, new float[16])
                .write(p);
        return p;
    }

    private Path withBytes(String name, byte[] b) throws Exception {
        Path p = dir.resolve(name);
        Files.write(p, b);
        return p;
    }

    private static GGUFException fails(Path p, String... fragments) {
        GGUFException e = assertThrows(GGUFException.class, () -> GGUFFile.open(p).close());
        String m = e.getMessage();
        assertFalse(m.contains("\n"), "message must be one line: " + m);
        for (String f : fragments) assertTrue(m.contains(f), "message '" + m + "' should contain '" + f + "'");
        return e;
    }

    private static int indexOf(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) if (hay[i + j] != needle[j]) continue outer;
            return i;
        }
        throw new AssertionError("not found");
    }

    private static void putI32(byte[] b, int pos, int v) {
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putInt(pos, v);
    }

    @Test
    void notAGgufFile() throws Exception {
        fails(withBytes("text.gguf", "hello, this is not a model file".getBytes(StandardCharsets.UTF_8)), "text.gguf", "not a GGUF file");
        fails(withBytes("empty.gguf", new byte[0]), "empty.gguf", "not a GGUF file");
        fails(withBytes("tiny.gguf", new byte[] {'G', 'G'}), "not a GGUF file");
    }

    @Test
    void missingFileAndDirectory() {
        fails(dir.resolve("nope.gguf"), "file not found", "nope.gguf");
        fails(dir, "directory");
    }

    @Test
    void headerCutAnywhere() throws Exception {
        byte[] all = Files.readAllBytes(valid());
        int headerEnd;
        try (GGUFFile g = GGUFFile.open(dir.resolve("valid.gguf"))) {
            headerEnd = (int) g.dataOffset();
        }
        // every cut inside the header (past the magic) is reported as truncation
        for (int cut = 4; cut < headerEnd - 32; cut += 3) {
            fails(withBytes("cut.gguf", Arrays.copyOf(all, cut)), "cut.gguf", "truncated");
        }
    }

    @Test
    void tensorDataCut() throws Exception {
        byte[] all = Files.readAllBytes(valid());
        Path p = withBytes("short.gguf", Arrays.copyOf(all, all.length - 40));
        fails(p, "short.gguf", "truncated", "output.weight");
    }

    @Test
    void unknownTensorTypeId() throws Exception {
        byte[] all = Files.readAllBytes(valid());
        byte[] name = "output.weight".getBytes(StandardCharsets.UTF_8);
        int typePos = indexOf(all, name) + name.length + 4 + 2 * 8; // n_dims, then 2 dims
        assertEquals(0, ByteBuffer.wrap(all).order(ByteOrder.LITTLE_ENDIAN).getInt(typePos)); // F32
        putI32(all, typePos, 99);
        fails(withBytes("badtype.gguf", all), "badtype.gguf", "output.weight", "unknown ggml type id 99");
    }

    @Test
    void unknownMetadataValueType() throws Exception {
        byte[] all = Files.readAllBytes(valid());
        byte[] key = "llama.block_count".getBytes(StandardCharsets.UTF_8);
        int typePos = indexOf(all, key) + key.length;
        assertEquals(GGUFValueType.UINT32.ordinal(), ByteBuffer.wrap(all).order(ByteOrder.LITTLE_ENDIAN).getInt(typePos));
        putI32(all, typePos, 13);
        fails(withBytes("badvalue.gguf", all), "llama.block_count", "unknown value type 13");
    }

    @Test
    void unsupportedVersions() throws Exception {
        byte[] all = Files.readAllBytes(valid());
        putI32(all, 4, 1);
        fails(withBytes("v1.gguf", all), "v1.gguf", "version 1");
        putI32(all, 4, 4);
        fails(withBytes("v4.gguf", all), "v4.gguf", "version 4");
    }

    @Test
    void tooManyDimensionsAndBadAlignment() throws Exception {
        byte[] all = Files.readAllBytes(valid());
        byte[] name = "output.weight".getBytes(StandardCharsets.UTF_8);
        putI32(all, indexOf(all, name) + name.length, 5);
        fails(withBytes("dims.gguf", all), "dims.gguf", "output.weight", "5 dimensions");

        Path p = dir.resolve("align.gguf");
        new GGUFWriter().putU32("general.alignment", 48).addF32("t", new long[] {4}, new float[4]).write(p);
        fails(p, "align.gguf", "general.alignment", "power of two");
    }

    @Test
    void hugeCountsAreCorruptNotOutOfMemory() throws Exception {
        byte[] all = Files.readAllBytes(valid());
        ByteBuffer.wrap(all).order(ByteOrder.LITTLE_ENDIAN).putLong(16, Long.MAX_VALUE / 2); // n_kv
        fails(withBytes("counts.gguf", all), "counts.gguf", "metadata entry count " + Long.MAX_VALUE / 2, "limit of 65536");
        byte[] b2 = Files.readAllBytes(dir.resolve("valid.gguf"));
        byte[] key = "general.architecture".getBytes(StandardCharsets.UTF_8);
        // the string value's length field follows the key and its type
        ByteBuffer.wrap(b2).order(ByteOrder.LITTLE_ENDIAN).putLong(indexOf(b2, key) + key.length + 4, 1L << 40);
        fails(withBytes("strlen.gguf", b2), "strlen.gguf", "general.architecture", "length of " + (1L << 40), "limit of");
    }
}
