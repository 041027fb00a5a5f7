package dev.shovel.tools;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A llama2.c fp32 checkpoint mapped read-only: the legacy format (7 int32 header; negative vocab_size = separate
 * classifier) or the "ak42" version 1 format (256-byte header with a shared-classifier flag). Matrices are
 * [out][in] row-major floats.
 */
final class Llama2cCheckpoint implements AutoCloseable {
    static final int AK42_MAGIC = 0x616b3432;
    static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfInt I32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    /** Hyper-parameters from the header. */
    record Config(int dim, int hiddenDim, int nLayers, int nHeads, int nKvHeads, int vocabSize, int seqLen,
                  boolean sharedClassifier) {
        int headSize() { return dim / nHeads; }
        int kvDim() { return dim / nHeads * nKvHeads; }
    }

    final Config config;
    final int version; // 0 = legacy
    /** Byte offsets of the weight arrays (all layers of one kind are contiguous). */
    final long tokenEmbd, rmsAtt, wq, wk, wv, wo, rmsFfn, w1, w2, w3, rmsFinal, wcls;
    private final Arena arena;
    final MemorySegment data;

    private Llama2cCheckpoint(Path path, Arena arena, MemorySegment data) {
        this.arena = arena;
        this.data = data;
        long size = data.byteSize();
        if (size < 28) throw new ToolsException(path + " is too small to be a llama2.c checkpoint");
        int first = data.get(I32, 0);
        long pos;
        int[] h = new int[7];
        boolean shared;
        if (first == AK42_MAGIC) {
            version = data.get(I32, 4);
            if (version != 1) {
                throw new ToolsException(path + ": llama2.c checkpoint version " + version
                        + " is not supported (only the legacy and version 1 fp32 formats)");
            }
            if (size < 256) throw new ToolsException(path + " is truncated: its 256-byte header is incomplete");
            for (int i = 0; i < 7; i++) h[i] = data.get(I32, 8 + 4L * i);
            shared = data.get(ValueLayout.JAVA_BYTE, 36) != 0;
            pos = 256;
        } else {
            version = 0;
            for (int i = 0; i < 7; i++) h[i] = data.get(I32, 4L * i);
            shared = h[5] > 0;
            h[5] = Math.abs(h[5]);
            pos = 28;
        }
        config = new Config(h[0], h[1], h[2], h[3], h[4], h[5], h[6], shared);
        check(path, config);
        Config c = config;
        long dim = c.dim, hid = c.hiddenDim, L = c.nLayers, kv = c.kvDim(), voc = c.vocabSize;
        long[] off = new long[12];
        if (version == 0) {
            long[] sizes = {voc * dim, L * dim, L * dim * dim, L * kv * dim, L * kv * dim, L * dim * dim, L * dim,
                    L * hid * dim, L * dim * hid, L * hid * dim, dim, (long) c.seqLen * c.headSize()};
            int[] slot = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, -1}; // -1: RoPE tables (real and imag), skipped
            for (int i = 0; i < sizes.length; i++) {
                if (slot[i] >= 0) off[slot[i]] = pos;
                pos += 4 * sizes[i];
            }
        } else {
            // rms_att, rms_ffn, rms_final, token_embd, wq, wk, wv, wo, w1, w2, w3
            long[] sizes = {L * dim, L * dim, dim, voc * dim, L * dim * dim, L * kv * dim, L * kv * dim, L * dim * dim,
                    L * hid * dim, L * dim * hid, L * hid * dim};
            int[] slot = {1, 6, 10, 0, 2, 3, 4, 5, 7, 8, 9};
            for (int i = 0; i < sizes.length; i++) {
                off[slot[i]] = pos;
                pos += 4 * sizes[i];
            }
        }
        off[11] = shared ? off[0] : pos;
        if (!shared) pos += 4 * voc * dim;
        if (size != pos) {
            throw new ToolsException(path + (size < pos ? " is truncated" : " has trailing data") + ": the header "
                    + c + " implies " + pos + " bytes but the file has " + size);
        }
        tokenEmbd = off[0]; rmsAtt = off[1]; wq = off[2]; wk = off[3]; wv = off[4]; wo = off[5];
        rmsFfn = off[6]; w1 = off[7]; w2 = off[8]; w3 = off[9]; rmsFinal = off[10]; wcls = off[11];
    }

    private static void check(Path path, Config c) {
        if (c.dim <= 0 || c.hiddenDim <= 0 || c.nLayers <= 0 || c.nHeads <= 0 || c.nKvHeads <= 0 || c.vocabSize <= 0
                || c.seqLen <= 0 || c.dim > 1 << 16 || c.hiddenDim > 1 << 18 || c.nLayers > 1024 || c.vocabSize > 1 << 22) {
            throw new ToolsException(path + " is not a llama2.c checkpoint (implausible header " + c + ")");
        }
        if (c.dim % c.nHeads != 0 || c.nHeads % c.nKvHeads != 0 || c.headSize() % 2 != 0) {
            throw new ToolsException(path + ": inconsistent head counts in header " + c);
        }
    }

    static Llama2cCheckpoint open(Path path) {
        if (Files.isDirectory(path)) throw new ToolsException(path + " is a directory, not a llama2.c checkpoint");
        Arena arena = Arena.ofShared();
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            MemorySegment seg = ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size(), arena);
            return new Llama2cCheckpoint(path, arena, seg);
        } catch (NoSuchFileException e) {
            arena.close();
            throw new ToolsException("file not found: " + path);
        } catch (IOException e) {
            arena.close();
            throw new ToolsException("cannot read " + path + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            arena.close();
            throw e;
        }
    }

    @Override
    public void close() { arena.close(); }
}
