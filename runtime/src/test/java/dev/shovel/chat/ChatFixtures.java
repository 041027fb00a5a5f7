package dev.shovel.chat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.shovel.tools.Synth;
import dev.shovel.tools.SynthSpec;
import dev.shovel.vocab.TokenizerJsonConverter;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.GZIPInputStream;

/**
 * Test data under src/test/resources/vocab, unpacked once per JVM: the Qwen3 tokenizer.json directory, its
 * conversion to a vocab-only GGUF, and a 2-layer random-weight model carrying that vocabulary and chat template.
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

    /** A tiny random llama with the Qwen3 vocabulary and template (tied output, F32, context 512). */
    public static synchronized Path qwen3Model() {
        try {
            if (qwen3Model == null) {
                Path p = tmp().resolve("qwen3-synth.gguf");
                Synth.write(SynthSpec.builder().name("chat-test").tiedOutput(true).contextLength(512).seed(5)
                        .vocabFrom(qwen3VocabGguf()).build(), p);
                p.toFile().deleteOnExit();
                qwen3Model = p;
            }
            return qwen3Model;
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
