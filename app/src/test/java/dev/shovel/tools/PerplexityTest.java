package dev.shovel.tools;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shovel.ShovelException;
import dev.shovel.api.EmbeddedModel;
import dev.shovel.backend.Backend;
import dev.shovel.gguf.GGMLType;
import dev.shovel.model.Batch;
import dev.shovel.model.KvCache;
import dev.shovel.cli.Main;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class PerplexityTest {
    static final int V = 16;

    /** Target logit 2 on even positions, 0 elsewhere (a uniform row); records the chunks it is given. */
    static Perplexity.Evaluator twoLevel(List<int[]> seen) {
        return (tokens, from) -> {
            seen.add(tokens.clone());
            float[] out = new float[(tokens.length - from) * V];
            for (int j = from; j < tokens.length - 1; j++) if (j % 2 == 0) out[(j - from) * V + tokens[j + 1]] = 2f;
            return out;
        };
    }

    @Test
    void chunkingBosAndLlamaCppStandardError() {
        int[] tokens = new int[2 * 8 + 5]; // two chunks of 8, remainder dropped
        for (int i = 0; i < tokens.length; i++) tokens[i] = 3 + i % 7;
        List<int[]> seen = new ArrayList<>();
        Perplexity.Result r = Perplexity.compute(tokens, 8, 1, V, twoLevel(seen), null);
        assertEquals(2, seen.size());
        assertArrayEquals(new int[] {1, 4, 5, 6, 7, 8, 9, 3}, seen.get(0));
        assertEquals(1, seen.get(1)[0]);
        assertEquals(tokens[9], seen.get(1)[1]);
        // positions 4, 5, 6 of each chunk are scored: NLL a = -ln(e^2 / (e^2 + 15)) at 4 and 6, b = ln 16 at 5
        double a = -Math.log(Math.exp(2) / (Math.exp(2) + V - 1)), b = Math.log(V);
        double[] nll = {a, b, a, a, b, a};
        double mean = 0, mean2 = 0;
        for (double v : nll) { mean += v / 6; mean2 += v * v / 6; }
        assertEquals(6, r.scored());
        assertEquals(Math.exp(mean), r.ppl(), 1e-9);
        assertEquals(Math.exp(mean) * Math.sqrt((mean2 - mean * mean) / 5), r.stderr(), 1e-9);
        assertEquals(Math.exp((2 * a + b) / 3), r.running()[0], 1e-9);
    }

    @Test
    void batchedEvaluatorSplitsChunksAndAsksOnlyForScoredLogits() {
        List<Batch> calls = new ArrayList<>();
        try (KvCache cache = new KvCache(new Backend[0], 16, new int[0], new int[0], GGMLType.F32)) {
            Perplexity.Evaluator ev = Perplexity.batched((b, c) -> {
                calls.add(b);
                float[] out = new float[b.outputs() * V];
                for (int i = 0, k = 0; i < b.n(); i++) if (b.logits()[i]) out[k++ * V] = b.pos()[i];
                return out;
            }, cache, 3, V);
            float[] l = ev.logits(new int[] {1, 5, 6, 7, 8, 9, 10, 11}, 4);
            assertEquals(3, calls.size()); // 3 + 3 + 2 tokens
            assertArrayEquals(new int[] {3, 4, 5}, calls.get(1).pos());
            assertArrayEquals(new boolean[] {false, true, true}, calls.get(1).logits());
            assertArrayEquals(new int[] {10, 11}, calls.get(2).tokens());
            assertEquals(4 * V, l.length);
            for (int j = 0; j < 4; j++) assertEquals(4 + j, l[j * V]);
        }
    }

    @Test
    void tooShortTextIsAOneLineError() {
        ShovelException e = assertThrows(ShovelException.class,
                () -> Perplexity.compute(new int[15], 8, 1, V, twoLevel(new ArrayList<>()), null));
        assertTrue(e.getMessage().contains("at least 16"), e.getMessage());
    }

    /** The command on the embedded stories260K model, against llama-perplexity's 5.0647 +/- 0.32354 (perplexity.json). */
    @Test
    void commandPrintsRunningValuesAndTheFinalEstimate() throws URISyntaxException {
        Path story = Path.of(getClass().getResource("/reference/story.txt").toURI());
        PrintStream o = System.out, e = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int code;
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
            code = Main.run("perplexity", "-m", EmbeddedModel.path().toString(), "-f", story.toString(), "-c", "128",
                    "-b", "128", "-t", "2", "-ctk", "f32");
        } finally {
            System.setOut(o);
            System.setErr(e);
        }
        String s = out.toString(StandardCharsets.UTF_8);
        assertEquals(0, code, s);
        assertTrue(s.startsWith("[1]") && s.contains(",[13]"), s);
        Matcher m = Pattern.compile("Final estimate: PPL = (\\d+\\.\\d{4}) \\+/- (\\d+\\.\\d{5})").matcher(s);
        assertTrue(m.find(), s);
        assertEquals(5.0647, Double.parseDouble(m.group(1)), 5.0647 * 0.002);
        assertEquals(0.32354, Double.parseDouble(m.group(2)), 0.32354 * 0.01);
    }

    /** {@code --chunks 3} scores the first three chunks only: their running values are the full run's first three. */
    @Test
    void chunksLimitsTheChunksScored() throws URISyntaxException {
        Path story = Path.of(getClass().getResource("/reference/story.txt").toURI());
        String all = run(story), three = run(story, "--chunks", "3");
        assertTrue(three.startsWith("[1]") && three.contains(",[3]") && !three.contains("[4]"), three);
        assertEquals(all.substring(0, all.indexOf(",[4]")), three.substring(0, three.indexOf("\n")).replaceAll(",$", ""), three);
    }

    private static String run(Path story, String... more) {
        PrintStream o = System.out, e = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
            String[] args = {"perplexity", "-m", EmbeddedModel.path().toString(), "-f", story.toString(), "-c", "128", "-t", "2"};
            String[] all = java.util.Arrays.copyOf(args, args.length + more.length);
            System.arraycopy(more, 0, all, args.length, more.length);
            assertEquals(0, Main.run(all));
        } finally {
            System.setOut(o);
            System.setErr(e);
        }
        return out.toString(StandardCharsets.UTF_8);
    }
}
