package dev.shovel.tools;

import dev.shovel.ggml.TypeOps;
import dev.shovel.gguf.GGMLType;
import dev.shovel.gguf.GGUFValue;
import dev.shovel.gguf.GGUFWriter;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.Map;

/**
 * Converts a llama2.c checkpoint plus its {@code tokenizer.bin} into a GGUF v3 file of architecture {@code llama}
 * with llama.cpp's tensor names. Weight bytes keep their layout (W[out][in] row-major is ggml [in, out]); llama2.c's
 * RoPE already pairs adjacent elements like llama.cpp's normal RoPE, so nothing is permuted.
 */
public final class Llama2cConverter {
    private Llama2cConverter() {}

    /**
     * @param type          type of the 2-D weights (norms stay F32); a tensor whose rows are not whole blocks of it
     *                      gets llama-quantize's fallback type ({@link QuantMix#fallback}), F16 as last resort
     * @param name          {@code general.name}; null = checkpoint file name without extension
     * @param contextLength {@code llama.context_length}; 0 = the checkpoint's seq_len
     */
    public record Options(GGMLType type, String name, int contextLength) {
        public static Options defaults() { return new Options(GGMLType.F32, null, 0); }
        public Options withType(GGMLType t) { return new Options(t, name, contextLength); }
        public Options withName(String n) { return new Options(type, n, contextLength); }
        public Options withContextLength(int n) { return new Options(type, name, n); }
    }

    public static void convert(Path checkpoint, Path tokenizerBin, Path outGguf) {
        convert(checkpoint, tokenizerBin, outGguf, Options.defaults());
    }

    public static void convert(Path checkpoint, Path tokenizerBin, Path outGguf, Options opt) {
        int fileType = FileType.of(opt.type);
        if (fileType < 0 || !TypeOps.supported(opt.type)) {
            throw new ToolsException("cannot convert to tensor type " + opt.type + " (no quantizer for it)");
        }
        if (opt.contextLength < 0) throw new ToolsException("context length must be positive, got " + opt.contextLength);
        try (Llama2cCheckpoint ck = Llama2cCheckpoint.open(checkpoint)) {
            Llama2cCheckpoint.Config c = ck.config;
            Map<String, GGUFValue> tok = Llama2cVocab.read(tokenizerBin, c.vocabSize());
            String name = opt.name != null ? opt.name : baseName(checkpoint);
            GGUFWriter w = new GGUFWriter()
                    .putString("general.architecture", "llama")
                    .putString("general.name", name)
                    .putU32("general.file_type", fileType)
                    .putU32("llama.context_length", opt.contextLength > 0 ? opt.contextLength : c.seqLen())
                    .putU32("llama.embedding_length", c.dim())
                    .putU32("llama.block_count", c.nLayers())
                    .putU32("llama.feed_forward_length", c.hiddenDim())
                    .putU32("llama.attention.head_count", c.nHeads())
                    .putU32("llama.attention.head_count_kv", c.nKvHeads())
                    .putF32("llama.rope.freq_base", 10000f)
                    .putU32("llama.rope.dimension_count", c.headSize())
                    .putF32("llama.attention.layer_norm_rms_epsilon", 1e-5f)
                    .putU32("llama.vocab_size", c.vocabSize());
            if (opt.type != GGMLType.F32) w.putU32("general.quantization_version", 2);
            w.putAll(tok);
            int dim = c.dim(), hid = c.hiddenDim(), kv = c.kvDim(), voc = c.vocabSize();
            add(w, ck, opt.type, "token_embd.weight", ck.tokenEmbd, dim, voc);
            add(w, ck, opt.type, "output_norm.weight", ck.rmsFinal, dim, 1);
            if (!c.sharedClassifier()) add(w, ck, opt.type, "output.weight", ck.wcls, dim, voc);
            for (int l = 0; l < c.nLayers(); l++) {
                String p = "blk." + l + ".";
                add(w, ck, opt.type, p + "attn_norm.weight", ck.rmsAtt + 4L * l * dim, dim, 1);
                add(w, ck, opt.type, p + "attn_q.weight", ck.wq + 4L * l * dim * dim, dim, dim);
                add(w, ck, opt.type, p + "attn_k.weight", ck.wk + 4L * l * kv * dim, dim, kv);
                add(w, ck, opt.type, p + "attn_v.weight", ck.wv + 4L * l * kv * dim, dim, kv);
                add(w, ck, opt.type, p + "attn_output.weight", ck.wo + 4L * l * dim * dim, dim, dim);
                add(w, ck, opt.type, p + "ffn_norm.weight", ck.rmsFfn + 4L * l * dim, dim, 1);
                add(w, ck, opt.type, p + "ffn_gate.weight", ck.w1 + 4L * l * hid * dim, dim, hid);
                add(w, ck, opt.type, p + "ffn_up.weight", ck.w3 + 4L * l * hid * dim, dim, hid);
                add(w, ck, opt.type, p + "ffn_down.weight", ck.w2 + 4L * l * dim * hid, hid, dim);
            }
            w.write(outGguf);
        } catch (IOException e) {
            throw new ToolsException("cannot write " + outGguf + ": " + e.getMessage(), e);
        }
    }

    /** Adds a [rows][n] fp32 array at byte {@code off} of the checkpoint; rows == 1 means a 1-D norm vector. */
    private static void add(GGUFWriter w, Llama2cCheckpoint ck, GGMLType want, String name, long off, int n, int rows) {
        long[] dims = rows == 1 ? new long[] {n} : new long[] {n, rows};
        GGMLType t = rows == 1 ? GGMLType.F32 : QuantMix.fallback(want, n);
        MemorySegment src = ck.data.asSlice(off, 4L * n * rows);
        if (t == GGMLType.F32) {
            w.addTensor(name, t, dims, seg -> MemorySegment.copy(src, 0, seg, 0, src.byteSize()));
        } else {
            w.addTensor(name, t, dims, seg -> RowEncoder.encode(seg, t, n, rows,
                    (r, out) -> MemorySegment.copy(src, Llama2cCheckpoint.F32, 4L * r * n, out, 0, n)));
        }
    }

    private static String baseName(Path p) {
        String s = p.getFileName().toString();
        int dot = s.lastIndexOf('.');
        return dot > 0 ? s.substring(0, dot) : s;
    }
}
