package dev.shovel.model;

import static org.junit.jupiter.api.Assertions.*;

import dev.shovel.ShovelException;
import dev.shovel.api.GenerationOptions;
import dev.shovel.api.Model;
import dev.shovel.api.ModelOptions;
import dev.shovel.api.Session;
import dev.shovel.gguf.GGUFFile;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Model.load on every crafted file: the one-line error the manifest names, or a model that runs. */
class HostileFilesTest {
    static Stream<HostileFiles.Case> cases() { return HostileFiles.cases().stream(); }

    @ParameterizedTest
    @MethodSource("cases")
    void modelLoad(HostileFiles.Case c) {
        ModelOptions o = ModelOptions.defaults().withThreads(1).withCtxSize(64);
        if (c.expect().equals("error")) {
            ShovelException e = assertThrows(ShovelException.class, () -> Model.load(c.file(), o).close());
            assertOneLine(e.getMessage(), c.fragments());
            // Model.check gives the same error without loading, where the file itself parses
            try (GGUFFile f = GGUFFile.open(c.file())) {
                ShovelException e2 = assertThrows(ShovelException.class, () -> Model.check(f));
                assertEquals(e.getMessage(), e2.getMessage());
            } catch (ShovelException parse) {
                assertEquals(e.getMessage(), parse.getMessage());
            }
            return;
        }
        Model m;
        try {
            m = Model.load(c.file(), o);
        } catch (ShovelException e) {
            assertEquals("any", c.expect(), "must load: " + e.getMessage());
            assertOneLine(e.getMessage(), List.of());
            return;
        }
        try (m; Session s = m.newSession()) {
            String text = s.generate("hi", GenerationOptions.greedy(4), t -> { }).text();
            assertNotNull(text);
            if (c.expect().equals("warning")) {
                String w = String.join("\n", m.tokenizer().warnings());
                for (String f : c.fragments()) assertTrue(w.contains(f), "warning names " + f + ": " + w);
            }
        }
    }

    static void assertOneLine(String m, List<String> fragments) {
        assertNotNull(m);
        assertFalse(m.contains("\n"), "one line: " + m);
        assertFalse(m.contains("Exception"), "no exception class: " + m);
        for (String f : fragments) assertTrue(m.contains(f), "'" + m + "' names '" + f + "'");
    }
}
