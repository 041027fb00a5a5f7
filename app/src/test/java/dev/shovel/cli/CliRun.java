package dev.shovel.cli;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/** Runs the command line in-process with a given stdin and captures exit code, stdout and stderr. */
final class CliRun {
    private CliRun() {}

    record Run(int code, String out, String err) {}

    static synchronized Run run(String stdin, String... args) {
        PrintStream o = System.out, e = System.err;
        InputStream i = System.in;
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        try {
            System.setIn(new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)));
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            int code = Main.run(args);
            return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setIn(i);
            System.setOut(o);
            System.setErr(e);
        }
    }

    /** A non-zero exit with one "error: …" line naming the problem, and no stack trace. */
    static void assertOneLineError(Run r, String fragment) {
        assertNotEquals(0, r.code(), "non-zero exit");
        String[] lines = r.err().strip().split("\n");
        assertTrue(lines[0].startsWith("error: "), r.err());
        assertTrue(lines[0].contains(fragment), "error line names the problem: " + lines[0]);
        assertFalse(r.err().contains("\tat "), "no stack trace: " + r.err());
        assertFalse(r.err().contains("Exception"), "no exception class names: " + r.err());
    }
}
