package dev.shovel.chat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.shovel.gguf.GGUFFile;
import dev.shovel.gguf.GGUFWriter;
import dev.shovel.gguf.TensorInfo;
import dev.shovel.vocab.TokenizerJsonConverter;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.zip.GZIPInputStream;

/**
 * Test data under src/test/resources/vocab, unpacked once per JVM: the Qwen3 tokenizer.json directory, its
 * conversion to a vocab-only GGUF, and a 2-layer random-weight qwen3 model carrying that vocabulary and chat template.
 */
public final class ChatFixtures {
    private static Path tmp, qwen3Dir, qwen3Vocab, qwen3Model;
    private static JsonNode qwen3Json;

    private ChatFixtures() {}

    static synchronized Path tmp() throws IOException {
        if (tmp == null) {
            tmp = Files.createTempDirectory("shovel-chat-test");
            tmp.toFile().deleteOnExit();
        }
        return tmp;
    }

    /** A directory with the Qwen3 tokenizer.json and tokenizer_config.json. */
    public static synchronized Path qwen3Dir() {
        try {
            if (qwen3Dir == null) {
                Path d = Files.createDirectories(tmp().resolve("qwen3"));
                try (InputStream in = new GZIPInputStream(resource("/vocab/qwen3/tokenizer.json.gz"))) {
                    Files.copy(in, d.resolve("tokenizer.json"));
                }
                try (InputStream in = resource("/vocab/qwen3/tokenizer_config.json")) {
                    Files.copy(in, d.resolve("tokenizer_config.json"));
                }
                for (String f : new String[] {"tokenizer.json", "tokenizer_config.json"}) d.resolve(f).toFile().deleteOnExit();
                d.toFile().deleteOnExit();
                qwen3Dir = d;
            }
            return qwen3Dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The Qwen3 tokenizer.json, parsed (the reference for token ids). */
    public static synchronized JsonNode qwen3Json() {
        try {
            if (qwen3Json == null) qwen3Json = new ObjectMapper().readTree(qwen3Dir().resolve("tokenizer.json").toFile());
            return qwen3Json;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Id of a piece in tokenizer.json: model.vocab or added_tokens. */
    public static int qwen3Id(String piece) {
        JsonNode v = qwen3Json().path("model").path("vocab").get(piece);
        if (v != null) return v.asInt();
        for (JsonNode t : qwen3Json().path("added_tokens")) if (t.path("content").asText().equals(piece)) return t.path("id").asInt();
        throw new IllegalArgumentException("no token " + piece);
    }

    public static synchronized Path qwen3VocabGguf() {
        try {
            if (qwen3Vocab == null) {
                Path p = tmp().resolve("qwen3-vocab.gguf");
                TokenizerJsonConverter.writeVocabGGUF(qwen3Dir().resolve("tokenizer.json"), null, p);
                p.toFile().deleteOnExit();
                qwen3Vocab = p;
            }
            return qwen3Vocab;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The random-weight qwen3 reference model (2 layers, q/k norms, tied output; resources/reference/qwen3) with its
     * stories260K vocabulary swapped for Qwen3's: the tokenizer keys of {@link #qwen3VocabGguf()} and a new
     * token_embd of 151669 random rows with the spread of the old one. Everything else is copied.
     */
    public static synchronized Path qwen3Model() {
        if (qwen3Model != null) return qwen3Model;
        try (GGUFFile ref = GGUFFile.open(unpack("/reference/qwen3/model.gguf"));
             GGUFFile vocab = GGUFFile.open(qwen3VocabGguf())) {
            int nVocab = vocab.getStringArray("tokenizer.ggml.tokens").length;
            GGUFWriter w = new GGUFWriter();
            ref.metadata().forEach((k, v) -> { if (!k.startsWith("tokenizer.")) w.put(k, v); });
            w.putString("general.name", "chat-test-qwen3").putU32("qwen3.vocab_size", nVocab);
            vocab.metadata().forEach((k, v) -> { if (k.startsWith("tokenizer.")) w.put(k, v); });
            for (TensorInfo t : ref.tensors().values()) {
                if (!t.name().equals("token_embd.weight")) {
                    MemorySegment data = ref.tensorData(t);
                    w.addTensor(t.name(), t.type(), t.dims(), seg -> seg.copyFrom(data));
                    continue;
                }
                MemorySegment old = ref.tensorData(t);
                long n = t.elements();
                double sq = 0;
                for (long i = 0; i < n; i++) sq += Math.pow(old.getAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED, i), 2);
                float std = (float) Math.sqrt(sq / n);
                int dim = (int) t.dims()[0];
                float[] emb = new float[dim * nVocab];
                SplittableRandom rng = new SplittableRandom(3);
                for (int i = 0; i < emb.length; i++) emb[i] = std * (float) rng.nextGaussian();
                w.addF32(t.name(), new long[] {dim, nVocab}, emb);
            }
            Path p = tmp().resolve("qwen3-chat.gguf");
            w.write(p);
            p.toFile().deleteOnExit();
            qwen3Model = p;
            return p;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A resource unpacked (and gunzipped when it ends in .gz) into the test directory. */
    public static synchronized Path unpack(String resource) {
        try {
            String name = resource.substring(resource.lastIndexOf('/') + 1).replaceAll("\\.gz$", "");
            Path out = tmp().resolve(name);
            if (!Files.exists(out)) {
                try (InputStream raw = resource(resource);
                     InputStream in = resource.endsWith(".gz") ? new GZIPInputStream(raw) : raw) {
                    Files.copy(in, out);
                }
                out.toFile().deleteOnExit();
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The texts of a test-tokenizer-0 .inp file. */
    public static List<String> vectorInputs(String name) {
        String all = text("/vocab/llama.cpp-vocab/" + name + ".inp");
        List<String> out = new ArrayList<>(Arrays.asList(all.split("\n__ggml_vocab_test__\n", -1)));
        out.removeLast();
        return out;
    }

    /** The expected ids of a test-tokenizer-0 .out file, one array per text. */
    public static List<int[]> vectorOutputs(String name) {
        List<int[]> out = new ArrayList<>();
        for (String line : text("/vocab/llama.cpp-vocab/" + name + ".out").split("\n", -1)) {
            String s = line.strip();
            out.add(s.isEmpty() ? new int[0] : Arrays.stream(s.split(" ")).mapToInt(Integer::parseInt).toArray());
        }
        if (out.size() > 0 && out.getLast().length == 0 && text("/vocab/llama.cpp-vocab/" + name + ".out").endsWith("\n")) out.removeLast();
        return out;
    }

    static String text(String name) {
        try (InputStream in = resource(name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static InputStream resource(String name) {
        InputStream in = ChatFixtures.class.getResourceAsStream(name);
        if (in == null) throw new IllegalStateException("missing test resource " + name);
        return in;
    }
}
