package dev.shovel.opencl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.shovel.api.Device;
import dev.shovel.api.EmbeddedModel;
import dev.shovel.api.Model;
import dev.shovel.api.ModelOptions;
import dev.shovel.api.Session;
import dev.shovel.cli.Main;
import dev.shovel.gen.Sampler;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The embedded stories260K through the library API and the CLI on {@code --device opencl}. */
class OpenClModelTest {
    @BeforeAll
    static void requireOpenCl() { OpenClAssume.requireOpenCl(); }

    static int[] greedy(ModelOptions o, int steps) {
        try (Model m = Model.load(EmbeddedModel.path(), o); Session s = m.newSession()) {
            float[] logits = s.evaluate(m.tokenizer().encode("Once upon a time", true, false));
            int[] ids = new int[steps];
            for (int k = 0; k < steps; k++) {
                ids[k] = Sampler.argmax(logits, 0, logits.length);
                logits = s.decode(ids[k]);
            }
            return ids;
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {-1, 2}) // all 5 layers, or the first 2
    void greedyTokensMatchTheCpu(int gpuLayers) {
        ModelOptions cpu = ModelOptions.defaults().withThreads(2);
        int[] want = greedy(cpu, 64);
        int[] got = greedy(cpu.withDevice(Device.opencl()).withGpuLayers(gpuLayers), 64);
        assertArrayEquals(want, got);
    }

    @Test
    void cliGreedyStoryMatchesTheTestVector() throws Exception {
        String story = new ObjectMapper().readTree(getClass().getResourceAsStream("/stories260K/stories260K-testvectors.json"))
                .get("greedy_256").get("text").asText();
        PrintStream o = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int code;
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            code = Main.run("-p", "Once upon a time", "-n", "40", "--temp", "0", "-t", "2", "--device", "opencl:0");
        } finally {
            System.setOut(o);
        }
        String text = out.toString(StandardCharsets.UTF_8).stripTrailing();
        assertEquals(0, code);
        assertTrue(text.length() > 40 && story.startsWith("Once upon a time" + text), text);
    }
}
