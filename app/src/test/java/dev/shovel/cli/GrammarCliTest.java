package dev.shovel.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code --grammar}, {@code --grammar-file}, {@code -j} and {@code -jf} on the embedded model: stdout holds only the constrained output. */
class GrammarCliTest {

    @Test
    void grammarOutputIsTheWholeStdout() {
        String g = "root ::= \"Tim\" (\" and \" [A-Z] [a-z]+){2} \".\"";
        CliRun.Run r = CliRun.run("", "--grammar", g, "--temp", "0", "-n", "64", "-p", "Once upon a time");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().strip().matches("Tim( and [A-Z][a-z]+){2}\\."), r.out());
        assertTrue(r.err().contains("stop: end_of_generation"), r.err());
    }

    @Test
    void jsonSchemaOutputParses(@TempDir Path tmp) throws Exception {
        String schema = "{\"type\":\"object\",\"properties\":{\"name\":{\"type\":\"string\",\"maxLength\":12},\"age\":{\"type\":\"integer\",\"minimum\":0,\"maximum\":120}},\"required\":[\"name\",\"age\"],\"additionalProperties\":false}";
        Path f = tmp.resolve("person.json");
        Files.writeString(f, schema);
        for (String[] how : new String[][] {{"-j", schema}, {"-jf", f.toString()}, {"--json-schema-file", f.toString()}}) {
            CliRun.Run r = CliRun.run("", how[0], how[1], "--temp", "1", "--seed", "3", "-n", "200", "-p", "Once upon a time");
            assertEquals(0, r.code(), r.err());
            JsonNode n = new ObjectMapper().readTree(r.out());
            assertTrue(n.get("name").isTextual() && n.get("name").asText().codePointCount(0, n.get("name").asText().length()) <= 12, r.out());
            assertTrue(n.get("age").isInt() && n.get("age").asInt() >= 0 && n.get("age").asInt() <= 120, r.out());
            assertEquals(2, n.size(), r.out());
        }
    }

    @Test
    void aGrammarFileWorksInChat(@TempDir Path tmp) throws Exception {
        Path f = tmp.resolve("yesno.gbnf");
        Files.writeString(f, "# a one-word answer\nroot ::= \"yes\" | \"no\"\n");
        CliRun.Run r = CliRun.run("Is it?\nAnd now?\n/exit\n", "chat", "--grammar-file", f.toString(), "--temp", "1", "--seed", "1", "-n", "8");
        assertEquals(0, r.code(), r.err());
        assertEquals(2, r.out().lines().filter(l -> l.equals("yes") || l.equals("no")).count(), r.out());
    }

    @Test
    void badGrammarsAndSchemasAreOneLineErrors(@TempDir Path tmp) {
        CliRun.assertOneLineError(CliRun.run("", "--grammar", "root ::= \"a\" (\"b\"", "-p", "x"), "line 1, column 14: unbalanced '('");
        CliRun.assertOneLineError(CliRun.run("", "--grammar", "root ::= root \"a\" | \"b\"", "-p", "x"), "left-recursive");
        CliRun.assertOneLineError(CliRun.run("", "--grammar-file", tmp.resolve("none.gbnf").toString(), "-p", "x"), "grammar file not found");
        CliRun.assertOneLineError(CliRun.run("", "-j", "{\"type\": \"object\"", "-p", "x"), "JSON");
        CliRun.assertOneLineError(CliRun.run("", "-j", "{\"type\": \"number\", \"multipleOf\": 3}", "-p", "x"), "multipleOf");
        CliRun.assertOneLineError(CliRun.run("", "-j", "{}", "--grammar", "root ::= \"a\"", "-p", "x"), "give one of");
    }

    @Test
    void aCutOutputIsWarnedAbout() {
        CliRun.Run r = CliRun.run("", "--grammar", "root ::= \"a\"{30}", "--temp", "0", "-n", "4", "-p", "x");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.err().contains("warning: the output stopped (max tokens) after 4 tokens, before the grammar was complete"), r.err());
        assertFalse(r.out().strip().length() > 4 * 8);
    }
}
