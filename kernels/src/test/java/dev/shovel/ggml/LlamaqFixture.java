package dev.shovel.ggml;

import dev.shovel.gguf.GGMLType;
import dev.shovel.gguf.GGUFFile;
import dev.shovel.gguf.GGUFWriter;
import dev.shovel.gguf.TensorInfo;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;

/**
 * Builds src/test/resources/llamaq/llamaq-slices.gguf from the project's llama.cpp reference models
 * (shared/reference/llamaq-TYPE/model.gguf, quantized from llamaq-f32 by llama-quantize --pure): the raw bytes of
 * the first rows of blk.0.attn_q.weight and blk.0.ffn_down.weight for every type, named TYPE.attn_q / TYPE.ffn_down;
 * and blk.0.ffn_gate_exps / ffn_down_exps (all experts) of gpt-oss (F32) and gpt-oss-mxfp4 (its MXFP4 quantization),
 * named f32.gate_exps / mxfp4.gate_exps and so on.
 * Run once by hand: {@code java -cp ... dev.shovel.ggml.LlamaqFixture /work/shared/reference out.gguf}.
 */
public final class LlamaqFixture {
    static final String[] TYPES = {"f32", "q8_0", "q4_0", "q4_1", "q5_0", "q5_1", "q4_k", "q5_k", "q6_k", "iq4_nl", "iq4_xs"};
    static final String[][] TENSORS = {{"blk.0.attn_q.weight", "attn_q", "256"}, {"blk.0.ffn_down.weight", "ffn_down", "64"}};
    static final String[][] EXPERTS = {{"blk.0.ffn_gate_exps.weight", "gate_exps"}, {"blk.0.ffn_down_exps.weight", "down_exps"}};

    public static void main(String[] args) throws Exception {
        Path ref = Path.of(args[0]);
        GGUFWriter w = new GGUFWriter();
        w.putString("general.name", "llamaq slices (llama.cpp llama-quantize --pure output, first rows)");
        for (String t : TYPES) {
            GGUFFile f = GGUFFile.open(ref.resolve("llamaq-" + t).resolve("model.gguf"));
            for (String[] tn : TENSORS) {
                TensorInfo ti = f.tensor(tn[0]);
                long rows = Long.parseLong(tn[2]);
                GGMLType type = ti.type();
                if (!type.name().equalsIgnoreCase(t)) throw new IllegalStateException(t + " file holds " + type);
                long bytes = type.bytesFor(ti.rowLength() * rows);
                MemorySegment src = f.tensorData(ti).asSlice(0, bytes);
                w.addTensor(t + "." + tn[1], type, new long[] {ti.rowLength(), rows}, seg -> seg.copyFrom(src));
            }
        }
        for (String[] fp : new String[][] {{"gpt-oss", "f32"}, {"gpt-oss-mxfp4", "mxfp4"}}) {
            GGUFFile f = GGUFFile.open(ref.resolve(fp[0]).resolve("model.gguf"));
            for (String[] tn : EXPERTS) {
                TensorInfo ti = f.tensor(tn[0]);
                if (!ti.type().name().equalsIgnoreCase(fp[1])) throw new IllegalStateException(fp[0] + " holds " + ti.type());
                MemorySegment src = f.tensorData(ti).asSlice(0, ti.bytes());
                w.addTensor(fp[1] + "." + tn[1], ti.type(), ti.dims(), seg -> seg.copyFrom(src));
            }
        }
        w.write(Path.of(args[1]));
    }
}
