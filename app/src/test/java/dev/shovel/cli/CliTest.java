package dev.shovel.cli;

import static dev.shovel.cli.CliRun.assertOneLineError;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.shovel.api.EmbeddedModel;
import dev.shovel.gguf.GGMLType;
import dev.shovel.gguf.GGUFFile;
import dev.shovel.gguf.GGUFValue;
import dev.shovel.gguf.GGUFWriter;
import dev.shovel.gguf.TensorInfo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command line as a user meets it: exit codes, stdout/stderr split, one-line errors. */
class CliTest {
    static CliRun.Run run(String... args) { return CliRun.run("", args); }

    @Test
    void greedyStdoutHoldsOnlyTheContinuation() throws Exception {
        JsonNode v = new ObjectMapper().readTree(getClass().getResourceAsStream("/stories260K/stories260K-testvectors.json"));
        String story = v.get("greedy_256").get("text").asText();
        CliRun.Run r = run("-p", "Once upon a time", "-n", "20", "--temp", "0", "-t", "2");
        assertEquals(0, r.code(), r.err());
        assertTrue(story.startsWith("Once upon a time" + r.out().stripTrailing()),
                "stdout continues the prompt exactly as llama2.c's greedy story: [" + r.out() + "]");
        assertTrue(r.err().contains("tok/s"), "stats on stderr");
        assertTrue(r.err().startsWith("Once upon a time"), "prompt echo on stderr");
    }

    @Test
    void sameSeedSameText() {
        CliRun.Run a = run("-p", "Lily", "-n", "30", "--seed", "7", "--temp", "1.0");
        CliRun.Run b = run("-p", "Lily", "-n", "30", "--seed", "7", "--temp", "1.0");
        assertEquals(0, a.code(), a.err());
        assertEquals(a.out(), b.out());
    }

    @Test
    void stopStringIsNeverPrinted() {
        CliRun.Run r = run("-p", "Once upon a time", "-n", "100", "--temp", "0", "--stop", "Lily");
        assertEquals(0, r.code(), r.err());
        assertFalse(r.out().contains("Lily"), r.out());
        assertTrue(r.err().contains("stop: stop_string"), r.err());
    }

    @Test
    void q8_0KvCacheNeedsWholeBlocksPerHead() {
        // the embedded stories260K has heads of 8: a q8_0 cache cannot hold them; q4_0 is no cache type here
        assertOneLineError(run("-p", "x", "-n", "2", "-ctk", "q8_0"), "multiple of 32");
        assertOneLineError(run("-p", "x", "-n", "2", "-ctk", "q4_0"), "f32, f16 or q8_0");
    }

    @Test
    void missingFile() {
        assertOneLineError(run("-m", "/nonexistent/model.gguf", "-p", "x"), "not found");
    }

    @Test
    void notAGguf(@TempDir Path tmp) throws Exception {
        Path f = tmp.resolve("x.gguf");
        Files.writeString(f, "this is not a model at all");
        assertOneLineError(run("-m", f.toString(), "-p", "x"), "not a GGUF");
    }

    @Test
    void truncatedGguf(@TempDir Path tmp) throws Exception {
        byte[] all = Files.readAllBytes(EmbeddedModel.path());
        Path f = tmp.resolve("cut.gguf");
        Files.write(f, Arrays.copyOf(all, all.length / 2));
        assertOneLineError(run("-m", f.toString(), "-p", "x"), "truncated");
        Path g = tmp.resolve("cut-header.gguf");
        Files.write(g, Arrays.copyOf(all, 100));
        assertOneLineError(run("-m", g.toString(), "-p", "x"), "truncated");
    }

    @Test
    void tensorTypeThatCannotBeComputed(@TempDir Path tmp) throws Exception {
        // the embedded model with token_embd stored as IQ2_XXS (bytes copied; the type is what matters)
        Path f = tmp.resolve("iq.gguf");
        try (GGUFFile src = GGUFFile.open(EmbeddedModel.path())) {
            GGUFWriter w = new GGUFWriter();
            src.metadata().forEach(w::put);
            for (TensorInfo t : src.tensors().values()) {
                GGMLType type = t.name().equals("blk.0.ffn_down.weight") ? GGMLType.IQ2_XXS : t.type();
                long[] dims = t.name().equals("blk.0.ffn_down.weight") ? new long[] {256, 43} : t.dims();
                w.addTensor(t.name(), type, dims, seg -> {});
            }
            w.write(f);
        }
        CliRun.Run r = run("-m", f.toString(), "-p", "x");
        assertOneLineError(r, "IQ2_XXS");
        assertTrue(r.err().contains("blk.0.ffn_down.weight"), r.err());
    }

    @Test
    void promptLongerThanContext() {
        assertOneLineError(run("-p", "Once upon a time ".repeat(40), "-c", "16"), "context");
    }

    @Test
    void badOptionValues() {
        assertOneLineError(run("-p", "x", "--temp", "-1"), "temperature");
        assertOneLineError(run("-p", "x", "--top-p", "2"), "top-p");
        assertOneLineError(run("-p", "x", "-n", "abc"), "abc");
        assertOneLineError(run("-p", "x", "-ctk", "q9"), "q9");
    }

    @Test
    void helpEverywhere() {
        for (String cmd : new String[] {"generate", "chat", "tokenize", "info", "convert", "synth", "bench", "perplexity", "devices"}) {
            CliRun.Run r = run(cmd, "--help");
            assertEquals(0, r.code(), cmd);
            assertTrue(r.out().contains("Usage:"), cmd + ": " + r.out());
        }
    }

    @Test
    void benchPrintsLlamaBenchRows() {
        CliRun.Run r = run("bench", "-p", "8", "-n", "4", "-r", "2", "-t", "1");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("| model "), r.out());
        assertTrue(r.out().matches("(?s).*\\| +pp8 \\| +[0-9.]+ ± [0-9.]+ \\|.*"), r.out());
        assertTrue(r.out().matches("(?s).*\\| +tg4 \\| +[0-9.]+ ± [0-9.]+ \\|.*"), r.out());
    }

    @Test
    void infoListsTheEmbeddedModel() {
        CliRun.Run r = run("info");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("token_embd.weight"), r.out());
        assertTrue(r.out().contains("architecture: llama"), r.out());
    }

    @Test
    void synthThenGenerate(@TempDir Path tmp) {
        Path f = tmp.resolve("s.gguf");
        CliRun.Run s = run("synth", "-o", f.toString(), "--type", "q8_0", "--dim", "128", "--ffn", "256", "--heads", "4", "--kv-heads", "2");
        assertEquals(0, s.code(), s.err());
        CliRun.Run g = run("-m", f.toString(), "-p", "Once", "-n", "8", "--temp", "0");
        assertEquals(0, g.code(), g.err());
        assertTrue(g.err().contains("generated: 8 tokens") || g.err().contains("stop: end_of_generation"), g.err());
    }
}
