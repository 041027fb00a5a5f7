package dev.shovel.cli;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code info}, {@code generate} and {@code tokenize} on every crafted file of runtime's
 * {@code src/test/resources/hostile}: a non-zero exit and at most three lines on stderr, one of them the error the
 * manifest names; no stack trace. Files that must run do, with their warning; {@code chat} on the files with a hostile
 * template answers the turn with the template's one-line error and goes on.
 */
class HostileFilesCliTest {
    static final Path DIR = Path.of("../runtime/src/test/resources/hostile");

    static Stream<Arguments> cases() throws Exception {
        return Files.readAllLines(DIR.resolve("MANIFEST.tsv")).stream().filter(l -> !l.startsWith("#") && !l.isBlank())
                .flatMap(l -> Stream.of("info", "generate", "tokenize", "chat").filter(c -> !c.equals("chat") || l.startsWith("template-"))
                        .map(cmd -> Arguments.of(cmd, l.split("\t", -1))));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("cases")
    void command(String cmd, String[] row) {
        String file = DIR.resolve(row[0]).toString(), expect = row[1], scope = row[2];
        List<String> fragments = row[3].isEmpty() ? List.of() : Arrays.asList(row[3].split("\\|"));
        CliRun.Run r = switch (cmd) {
            case "info" -> CliRun.run("", "info", "-m", file);
            case "generate" -> CliRun.run("", "-m", file, "-p", "hi", "-n", "4", "-t", "1", "-c", "64");
            case "chat" -> CliRun.run("hi\n/exit\n", "chat", "-m", file, "-n", "4", "-t", "1", "-c", "64");
            default -> CliRun.run("", "tokenize", "-m", file, "-p", "hi", "--ids");
        };
        String err = r.err().strip();
        assertFalse(err.contains("\tat ") || err.contains("Exception"), "no stack trace: " + err);
        boolean mustFail = expect.equals("error") && !(cmd.equals("tokenize") && scope.equals("model"));
        if (mustFail) {
            assertNotEquals(0, r.code(), "non-zero exit");
            List<String> lines = err.lines().filter(x -> !x.startsWith("WARNING: Using incubator")).toList();
            assertTrue(lines.size() <= 3, "at most 3 lines: " + err);
            String line = lines.stream().filter(x -> x.startsWith("error: ")).findFirst().orElse("");
            for (String f : fragments) assertTrue(line.contains(f), "'" + line + "' names '" + f + "'");
        } else if (r.code() != 0) {
            assertTrue(expect.equals("any") || expect.equals("error"), cmd + " must run: " + err);
            assertTrue(err.startsWith("error: ") && err.lines().count() <= 3, err);
        } else if (cmd.equals("chat")) { // the turn fails with the template's error; the chat goes on to /exit
            String line = err.lines().filter(x -> x.contains("error: ")).findFirst().orElse("");
            for (String f : fragments) assertTrue(line.contains(f), "'" + line + "' names '" + f + "'");
        } else if (expect.equals("warning") && !cmd.equals("info")) {
            for (String f : fragments) assertTrue(err.contains(f), "warning names '" + f + "': " + err);
        }
    }
}
