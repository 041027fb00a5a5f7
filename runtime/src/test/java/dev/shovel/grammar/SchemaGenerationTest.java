package dev.shovel.grammar;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shovel.api.GenerationOptions;
import dev.shovel.api.GenerationResult.StopReason;
import dev.shovel.api.Model;
import dev.shovel.api.ModelOptions;
import dev.shovel.chat.ChatFixtures;
import dev.shovel.engine.Completion;
import dev.shovel.engine.Engine;
import dev.shovel.engine.EngineOptions;
import dev.shovel.engine.Generation;
import dev.shovel.engine.Request;
import dev.shovel.gen.SamplerParams;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every schema of {@code resources/grammar/schemas}: 20 generations at temperature 1 (seeds 0-19) on the embedded
 * stories260K model and 20 on a random-weight model with Qwen3's 151k-token vocabulary, each parsed strictly and
 * validated by networknt's validator with format assertions. A generation cut by its budget fails too. Random
 * weights rarely close a string by chance, so most outputs run into the budget: this also checks that its last tokens
 * close the sentence.
 */
class SchemaGenerationTest {
    static final Path DIR = Path.of("src/test/resources/grammar/schemas");
    static final int RUNS = 20;
    static Model stories, qwen;

    @BeforeAll
    static void load() {
        stories = Model.loadDefault(ModelOptions.defaults());
        qwen = Model.load(ChatFixtures.qwen3Model(), ModelOptions.defaults().withCtxSize(2048));
    }

    @AfterAll
    static void close() {
        stories.close();
        qwen.close();
    }

    static List<Path> schemas() throws IOException {
        try (Stream<Path> s = Files.list(DIR)) {
            return s.filter(p -> p.toString().endsWith(".json")).sorted().toList();
        }
    }

    @Test
    void everyOutputValidatesOnTheEmbeddedModel() throws IOException { run(stories, "stories260K", 0, 192); }

    @Test
    void everyOutputValidatesOnARandomModelWithQwen3sVocabulary() throws IOException { run(qwen, "random qwen3", 1000, 128); }

    /** {@code maxTokens}: room for the longest schema's shortest output in the model's tokens (stories260K spells digits one by one). */
    private static void run(Model m, String name, long seedBase, int maxTokens) throws IOException {
        List<Path> files = schemas();
        assertTrue(files.size() >= 40, "at least 40 schemas, found " + files.size());
        List<String> failures = new ArrayList<>();
        int[] prompt = m.tokenizer().encode("A JSON object:", true, true);
        try (Engine e = new Engine(m, new EngineOptions(RUNS, RUNS * (maxTokens + 16), 0, RUNS, null))) {
            for (Path f : files) {
                String schema = Files.readString(f);
                Grammar g = Grammar.fromJsonSchema(schema);
                SchemaValidator v = new SchemaValidator(schema);
                List<Generation> gens = new ArrayList<>();
                for (int i = 0; i < RUNS; i++) {
                    SamplerParams sp = SamplerParams.DEFAULT.withTemperature(1f).withSeed(seedBase + i);
                    gens.add(e.submit(new Request(prompt, new GenerationOptions(maxTokens, sp, List.of()).withGrammar(g))));
                }
                for (int i = 0; i < RUNS; i++) {
                    Completion c = gens.get(i).run(null);
                    String where = f.getFileName() + " seed " + (seedBase + i) + " on " + name;
                    if (c.error() != null) failures.add(where + ": " + c.error());
                    else if (c.stopReason() != StopReason.END_OF_GENERATION) failures.add(where + ": stopped by " + c.stopReason() + ": " + c.text());
                    else {
                        List<String> errs = v.errors(c.text());
                        if (!errs.isEmpty()) failures.add(where + ": " + errs + " in " + c.text());
                    }
                }
            }
        }
        assertTrue(failures.isEmpty(), failures.size() + " of " + files.size() * RUNS + " outputs failed:\n" + String.join("\n", failures));
    }
}
