package dev.shovel.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The server driven by the official {@code openai} npm client (6.49.0, installed by {@code .ci/run} into
 * {@code $SHOVEL_NPM}): chat with and without streaming, the stream helper, completions, logprobs, models, an abort
 * mid-stream, wrong and missing keys, bad requests, structured output (a JSON schema in {@code response_format}:
 * create, parse, streamed, the stream helper with a Standard Schema; {@code json_object}; a bad schema). Skipped without node or the package, unless
 * {@code SHOVEL_REQUIRE_NODE=1} (set by {@code .ci/run} once it installed them).
 */
class OpenAiClientTest {
    @Test
    void theOfficialClientWorksAgainstTheServer() throws Exception {
        String npm = System.getenv().getOrDefault("SHOVEL_NPM", System.getProperty("user.home") + "/.cache/shovel-npm");
        boolean have = Files.isRegularFile(Path.of(npm, "node_modules/openai/package.json")) && nodeRuns();
        if (!have && "1".equals(System.getenv("SHOVEL_REQUIRE_NODE"))) {
            throw new AssertionError("node or the openai package (in " + npm + ") is missing, and SHOVEL_REQUIRE_NODE=1");
        }
        assumeTrue(have, "node and the openai package are not installed (.ci/run installs them)");
        try (TestServer t = TestServer.stories(4, ServerOptions.defaults().withApiKeys(List.of("test-key")))) {
            ProcessBuilder pb = new ProcessBuilder("node", Path.of("src/test/node/openai-client.mjs").toAbsolutePath().toString())
                    .redirectErrorStream(true);
            pb.environment().put("SHOVEL_URL", t.server.url());
            pb.environment().put("SHOVEL_API_KEY", "test-key");
            pb.environment().put("SHOVEL_MODEL", "test-model");
            pb.environment().put("SHOVEL_NPM", npm);
            Process p = pb.start();
            String out;
            try (var in = p.getInputStream()) {
                out = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
            assertTrue(p.waitFor(5, TimeUnit.MINUTES), "the client script ends");
            System.out.print(out);
            assertEquals(0, p.exitValue(), out);
            assertTrue(out.contains("summary: ") && out.contains(" 0 failed"), out);
        }
    }

    static boolean nodeRuns() {
        try {
            Process p = new ProcessBuilder("node", "--version").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(20, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (Exception e) {
            return false;
        }
    }
}
