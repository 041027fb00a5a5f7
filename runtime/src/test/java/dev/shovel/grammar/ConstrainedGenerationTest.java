package dev.shovel.grammar;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shovel.api.GenerationOptions;
import dev.shovel.api.GenerationResult;
import dev.shovel.api.GenerationResult.StopReason;
import dev.shovel.api.Model;
import dev.shovel.api.ModelOptions;
import dev.shovel.api.Session;
import dev.shovel.engine.Engine;
import dev.shovel.engine.EngineOptions;
import dev.shovel.engine.Request;
import dev.shovel.gen.SamplerParams;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Generation under a grammar on the embedded stories260K model (512 tokens, byte fallback). */
class ConstrainedGenerationTest {
    static Model model;

    static final String ARITH = """
            root ::= expr "=" [0-9]+
            expr ::= term (("+" | "-") term)*
            term ::= [0-9]+ | "(" expr ")"
            """;

    @BeforeAll
    static void load() { model = Model.loadDefault(ModelOptions.defaults()); }

    @AfterAll
    static void close() { model.close(); }

    static GenerationOptions sampled(long seed, int max, Grammar g) {
        return new GenerationOptions(max, SamplerParams.DEFAULT.withTemperature(1f).withTopK(0).withTopP(1f).withMinP(0f).withSeed(seed), List.of())
                .withGrammar(g);
    }

    @Test
    void everySampledOutputIsASentence() {
        Grammar g = Grammar.parse(ARITH);
        try (Session s = model.newSession()) {
            for (long seed = 0; seed < 30; seed++) {
                GenerationResult r = s.generate("Once upon a time", sampled(seed, 200, g), null);
                assertEquals(StopReason.END_OF_GENERATION, r.stopReason(), r.text());
                assertTrue(g.matches(r.text()), () -> "not a sentence: " + r.text());
            }
        }
    }

    @Test
    void greedyOutputIsASentenceAndEndsWhenNothingCanFollow() {
        Grammar g = Grammar.parse("root ::= \"Tim\" (\" and \" [A-Z] [a-z]+){2} \".\"");
        try (Session s = model.newSession()) {
            GenerationResult r = s.generate("Once upon a time", GenerationOptions.greedy(100).withGrammar(g), null);
            assertTrue(g.matches(r.text()), r.text());
            assertEquals(StopReason.END_OF_GENERATION, r.stopReason());
        }
    }

    @Test
    void shortBudgetsCloseTheSentence() {
        // unbounded numbers would run on; with the budget short the sampler closes: "=" then a digit
        Grammar g = Grammar.parse(ARITH);
        int complete = 0;
        try (Session s = model.newSession()) {
            for (long seed = 0; seed < 20; seed++) {
                GenerationResult r = s.generate("Once", sampled(seed, 12, g), null);
                if (r.stopReason() == StopReason.END_OF_GENERATION || g.matches(r.text())) complete++;
                assertTrue(g.matchesPrefix(r.text()), r.text());
            }
        }
        assertEquals(20, complete, "every output completed within 12 tokens");
    }

    @Test
    void aBudgetTooShortCutsTheOutput() {
        Grammar g = Grammar.parse("root ::= \"a\"{40}");
        try (Session s = model.newSession()) {
            GenerationResult r = s.generate("Once", GenerationOptions.greedy(5).withGrammar(g), null);
            assertEquals(StopReason.MAX_TOKENS, r.stopReason());
            assertTrue(g.matchesPrefix(r.text()) && !g.matches(r.text()));
        }
    }

    @Test
    void theEngineHonoursTheGrammar() {
        Grammar g = Grammar.parse(ARITH);
        try (Engine e = new Engine(model, new EngineOptions(4, 0, 0, 16, null))) {
            var gens = new java.util.ArrayList<dev.shovel.engine.Generation>();
            for (long seed = 0; seed < 8; seed++) {
                gens.add(e.submit(new Request(model.tokenizer().encode("Once upon", true, true), sampled(seed, 200, g))));
            }
            for (var gen : gens) {
                var c = gen.run(null);
                assertEquals(StopReason.END_OF_GENERATION, c.stopReason(), c.text());
                assertTrue(g.matches(c.text()), c.text());
            }
        }
    }

    @Test
    void aPickerCannotLeaveTheGrammar() {
        Grammar g = Grammar.parse("root ::= \"x\"");
        try (Session s = model.newSession()) {
            var o = GenerationOptions.greedy(5).withGrammar(g).withPicker((logits, tokens) -> 1);
            assertThrows(GrammarException.class, () -> s.generate("Once", o, null));
        }
    }
}
