package dev.shovel.server;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.databind.JsonNode;
import dev.shovel.ShovelException;
import dev.shovel.api.Model;
import dev.shovel.api.ModelOptions;
import dev.shovel.engine.Engine;
import dev.shovel.engine.EngineOptions;
import dev.shovel.engine.Request;
import dev.shovel.gen.Sampler;
import dev.shovel.grammar.Constraint;
import dev.shovel.grammar.Grammar;
import java.io.IOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * Fuzzes what the server makes of a request body, for every route in {@link Endpoints#ROUTES}, without HTTP: the body
 * read as {@link Call#parse} reads it (UTF-8, JSON limits), then the route's {@link Endpoints.Prepare} step (messages,
 * chat template, prompt, generation fields and output constraint; the whole answer for the cheap routes), and for a
 * generation its sampler built and run once, as the engine's first step would (a few steps under a grammar, its masks
 * built). No model runs.
 *
 * <p>An input is a path on its first line (a route's; anything else picks a route by its hash) and the body after it.
 * Allowed outcomes: success, an {@link ApiError} with a 4xx status, or a ShovelException (answered 400). Anything else
 * (NullPointerException, ClassCastException, NumberFormatException, IndexOutOfBounds, StackOverflowError,
 * OutOfMemoryError, ArithmeticException...) is a bug. Seeds and regression inputs: src/test/resources/
 * dev/shovel/server/RequestFuzzTestInputs/requests/ (replayed by plain mvn test; fuzz with JAZZER_FUZZ=1).
 */
class RequestFuzzTest {
    static final Model MODEL = Model.loadDefault(ModelOptions.defaults().withThreads(1).withCtxSize(512));
    static final Engine ENGINE = new Engine(MODEL, EngineOptions.defaults().withSlots(1));
    static final Endpoints ENDPOINTS = new Endpoints(ENGINE, "test-model", ServerOptions.defaults(), new Metrics());
    static final Call.Rules RULES = Call.Rules.of(ServerLimits.defaults());
    static final int VOCAB = MODEL.config().nVocab();

    @AfterAll
    static void close() {
        ENGINE.close();
        MODEL.close();
    }

    @FuzzTest(maxDuration = "30m", maxExecutions = 1_500_000)
    void requests(byte[] input) {
        int nl = indexOf(input, (byte) '\n');
        String path = new String(input, 0, nl < 0 ? input.length : nl, StandardCharsets.ISO_8859_1);
        byte[] body = nl < 0 ? new byte[0] : Arrays.copyOfRange(input, nl + 1, input.length);
        Endpoints.Route route = route(path);
        try {
            JsonNode node = Call.parse(body, RULES);
            Object prepared = route.prepare().prepare(ENDPOINTS, node);
            if (prepared instanceof Endpoints.Job job) generateOnce(job);
        } catch (ApiError e) {
            assertTrue(e.status >= 400 && e.status < 500, "a client error, not " + e.status + ": " + e.getMessage());
            assertTrue(e.getMessage() != null && !e.getMessage().isBlank());
        } catch (ShovelException e) {
            // answered 400 with its message, as the handler does
        }
    }

    /**
     * What the engine does first with a request: checks its tokens, builds its sampler, samples once. With an output
     * constraint, its masks are built and a few tokens sampled under it, each accepted as the engine does.
     */
    private static void generateOnce(Endpoints.Job job) {
        Request r = new Request(job.prompt(), job.params().options(), job.params().logprobs());
        for (int t : r.prompt()) if (t < 0 || t >= VOCAB) throw new AssertionError("token " + t + " outside the vocabulary passed the checks");
        Sampler s = new Sampler(r.options().sampler(), VOCAB);
        float[] logits = new float[VOCAB];
        SplittableRandom rnd = new SplittableRandom(r.prompt().length);
        for (int i = 0; i < VOCAB; i++) logits[i] = (float) rnd.nextGaussian() * 3;
        Grammar g = r.options().grammar();
        if (g == null) {
            int t = s.sample(logits, 0, r.prompt(), r.prompt().length);
            if (t < 0 || t >= VOCAB) throw new AssertionError("sampled token " + t);
            return;
        }
        Constraint c = Constraint.of(g, MODEL.tokenizer()).prepare();
        int max = r.options().maxTokens() < 0 ? GRAMMAR_STEPS : Math.min(GRAMMAR_STEPS, r.options().maxTokens());
        for (int i = 0; i < max && !c.finished(); i++) {
            int t = s.sample(logits, 0, r.prompt(), r.prompt().length, c, r.options().maxTokens() < 0 ? -1 : r.options().maxTokens() - i);
            if (t < 0 || t >= VOCAB) throw new AssertionError("sampled token " + t);
            if (MODEL.tokenizer().isEog(t)) return;
            c.accept(t); // a refused token is a GrammarException: the engine's 400
        }
    }

    /** Tokens sampled under a grammar per input: enough to walk into its rules, few enough to stay fast. */
    static final int GRAMMAR_STEPS = 8;

    static Endpoints.Route route(String path) {
        for (Endpoints.Route r : Endpoints.ROUTES) if (r.matches(path)) return r;
        return Endpoints.ROUTES.get(Math.floorMod(path.hashCode(), Endpoints.ROUTES.size()));
    }

    private static int indexOf(byte[] b, byte x) {
        for (int i = 0; i < b.length; i++) if (b[i] == x) return i;
        return -1;
    }

    /** A route added to the server without a seed here fails this: every endpoint is fuzzed from a real request. */
    @Test
    void everyRouteHasASeed() throws IOException, URISyntaxException {
        URL dir = RequestFuzzTest.class.getResource("RequestFuzzTestInputs/requests");
        Set<Endpoints.Route> seeded = new HashSet<>();
        try (Stream<Path> files = Files.list(Path.of(dir.toURI()))) {
            for (Path f : files.toList()) {
                byte[] b = Files.readAllBytes(f);
                int nl = indexOf(b, (byte) '\n');
                String path = new String(b, 0, nl < 0 ? b.length : nl, StandardCharsets.ISO_8859_1);
                for (Endpoints.Route r : Endpoints.ROUTES) if (r.matches(path)) seeded.add(r);
            }
        }
        List<String> missing = Endpoints.ROUTES.stream().filter(r -> !seeded.contains(r)).map(r -> r.paths().get(0)).toList();
        assertTrue(missing.isEmpty(), "routes without a seed input in RequestFuzzTestInputs/requests: " + missing);
    }
}
