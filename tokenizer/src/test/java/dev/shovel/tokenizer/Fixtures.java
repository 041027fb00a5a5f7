package dev.shovel.tokenizer;

import dev.shovel.gguf.GGUFFile;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;

/** Test data under src/test/resources/tokenizer: gzipped GGUF/JSON files unpacked once per JVM. */
final class Fixtures {
    static final String VOCAB_DIR = "/tokenizer/llama.cpp-vocab/";
    private static final String SEPARATOR = "\n__ggml_vocab_test__\n";
    private static final Map<String, Tokenizer> TOKENIZERS = new ConcurrentHashMap<>();
    private static Path tmp;

    private Fixtures() {}

    static synchronized Path unpack(String resourceGz) {
        try {
            if (tmp == null) {
                tmp = Files.createTempDirectory("shovel-tokenizer-test");
                tmp.toFile().deleteOnExit();
            }
            String name = resourceGz.substring(resourceGz.lastIndexOf('/') + 1).replaceAll("\\.gz$", "");
            Path dir = tmp.resolve(Integer.toHexString(resourceGz.hashCode()));
            Files.createDirectories(dir);
            Path out = dir.resolve(name);
            if (!Files.exists(out)) {
                try (InputStream in = new GZIPInputStream(resource(resourceGz))) {
                    Files.copy(in, out);
                }
                out.toFile().deleteOnExit();
                dir.toFile().deleteOnExit();
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static InputStream resource(String name) {
        InputStream in = Fixtures.class.getResourceAsStream(name);
        if (in == null) throw new IllegalStateException("missing test resource " + name);
        return in;
    }

    static String text(String name) {
        try (InputStream in = resource(name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Tokenizer of ggml-vocab-&lt;name&gt;.gguf (cached). */
    static Tokenizer vocab(String name) {
        return TOKENIZERS.computeIfAbsent("gguf:" + name, k -> {
            try (GGUFFile g = GGUFFile.open(unpack(VOCAB_DIR + "ggml-vocab-" + name + ".gguf.gz"))) {
                return Tokenizer.fromGGUF(g);
            }
        });
    }

    static Tokenizer gguf(String resourceGz) {
        return TOKENIZERS.computeIfAbsent("gguf:" + resourceGz, k -> {
            try (GGUFFile g = GGUFFile.open(unpack(resourceGz))) {
                return Tokenizer.fromGGUF(g);
            }
        });
    }

    /** Tokenizer of a gzipped tokenizer.json with its tokenizer_config.json copied beside it. */
    static Tokenizer huggingFace(String dir) {
        return TOKENIZERS.computeIfAbsent("hf:" + dir, k -> {
            Path json = unpack("/tokenizer/" + dir + "/tokenizer.json.gz");
            try (InputStream in = resource("/tokenizer/" + dir + "/tokenizer_config.json")) {
                Path cfg = json.resolveSibling("tokenizer_config.json");
                if (!Files.exists(cfg)) Files.copy(in, cfg);
                cfg.toFile().deleteOnExit();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return Tokenizer.fromHuggingFace(json);
        });
    }

    /** The test texts of ggml-vocab-&lt;name&gt;.gguf.inp (each followed by the separator). */
    static List<String> inputs(String name) {
        String all = text(VOCAB_DIR + "ggml-vocab-" + name + ".gguf.inp");
        if (!all.endsWith(SEPARATOR)) throw new IllegalStateException(name + ".inp does not end with the separator");
        String[] parts = all.split(Pattern.quote(SEPARATOR), -1);
        return List.of(parts).subList(0, parts.length - 1);
    }

    /** The expected ids of ggml-vocab-&lt;name&gt;.gguf.out, one line per test. */
    static List<int[]> outputs(String name) {
        String all = text(VOCAB_DIR + "ggml-vocab-" + name + ".gguf.out");
        List<int[]> out = new ArrayList<>();
        for (String line : all.split("\n", -1)) out.add(parseIds(line));
        if (all.endsWith("\n")) out.removeLast();
        return out;
    }

    static int[] parseIds(String line) {
        String s = line.strip();
        if (s.isEmpty()) return new int[0];
        return Arrays.stream(s.split(" ")).mapToInt(Integer::parseInt).toArray();
    }
}
