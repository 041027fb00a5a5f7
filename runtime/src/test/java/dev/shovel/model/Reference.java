package dev.shovel.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Path;

/** One reference case under test resources {@code reference/<name>/}: llama.cpp's logits and greedy tokens. */
public record Reference(String name, Path dir, int[] inputIds, float[][] logits, int[] greedyIds, float[] greedyMargins,
                        int[][] stepTopIds, float[][] stepTopLogits) {
    static final ObjectMapper JSON = new ObjectMapper();

    public static Path root() {
        try {
            return Path.of(Reference.class.getResource("/reference/MANIFEST.md").toURI()).getParent();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    public Path model() { return dir.resolve("model.gguf"); }

    public static Reference load(String name) {
        Path dir = root().resolve(name);
        try {
            JsonNode in = JSON.readTree(dir.resolve("input_ids.json").toFile());
            JsonNode lg = JSON.readTree(dir.resolve("logits.json").toFile()).get("logits");
            JsonNode gr = JSON.readTree(dir.resolve("greedy.json").toFile());
            float[][] logits = new float[lg.size()][];
            for (int i = 0; i < logits.length; i++) logits[i] = floats(lg.get(i));
            JsonNode steps = gr.get("steps");
            float[] margins = new float[steps.size()];
            int[][] topIds = new int[steps.size()][];
            float[][] topLogits = new float[steps.size()][];
            for (int i = 0; i < margins.length; i++) {
                JsonNode st = steps.get(i);
                margins[i] = (float) st.get("margin_top1_top2").asDouble();
                JsonNode top = st.get("top");
                topIds[i] = new int[top.size()];
                topLogits[i] = new float[top.size()];
                for (int j = 0; j < top.size(); j++) {
                    topIds[i][j] = top.get(j).get(0).asInt();
                    topLogits[i][j] = (float) top.get(j).get(1).asDouble();
                }
            }
            return new Reference(name, dir, ints(in.get("ids")), logits, ints(gr.get("ids")), margins, topIds, topLogits);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static int[] ints(JsonNode a) {
        int[] r = new int[a.size()];
        for (int i = 0; i < r.length; i++) r[i] = a.get(i).asInt();
        return r;
    }

    static float[] floats(JsonNode a) {
        float[] r = new float[a.size()];
        for (int i = 0; i < r.length; i++) r[i] = (float) a.get(i).asDouble();
        return r;
    }

    /** Largest |a - b| over all logits. */
    public static double maxAbs(float[][] a, float[][] b) {
        double m = 0;
        for (int i = 0; i < a.length; i++) for (int j = 0; j < a[i].length; j++) m = Math.max(m, Math.abs(a[i][j] - b[i][j]));
        return m;
    }

    /** Root mean square of a - b over all logits. */
    public static double rms(float[][] a, float[][] b) {
        double s = 0;
        long n = 0;
        for (int i = 0; i < a.length; i++) for (int j = 0; j < a[i].length; j++, n++) s += (a[i][j] - b[i][j]) * (double) (a[i][j] - b[i][j]);
        return Math.sqrt(s / n);
    }
}
