package dev.shovel.model;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * The crafted GGUF files of {@code src/test/resources/hostile} (written by {@code scripts/hostile-ggufs.py}) and what
 * each must give, from its MANIFEST.tsv.
 */
public final class HostileFiles {
    /** expect: error, warning, ok or any; scope: all, or model (the vocabulary alone is fine). */
    public record Case(Path file, String expect, String scope, List<String> fragments, String attack) {
        @Override public String toString() { return file.getFileName() + " (" + attack + ")"; }
    }

    private HostileFiles() { }

    /** The directory, from the runtime module or a module next to it. */
    public static Path dir() {
        for (String d : List.of("src/test/resources/hostile", "../runtime/src/test/resources/hostile")) {
            if (Files.isDirectory(Path.of(d))) return Path.of(d);
        }
        throw new IllegalStateException("hostile/ test files not found from " + Path.of("").toAbsolutePath());
    }

    public static List<Case> cases() {
        Path dir = dir();
        try {
            return Files.readAllLines(dir.resolve("MANIFEST.tsv")).stream().filter(l -> !l.startsWith("#") && !l.isBlank()).map(l -> {
                String[] c = l.split("\t", -1);
                List<String> fr = c[3].isEmpty() ? List.of() : Arrays.asList(c[3].split("\\|"));
                return new Case(dir.resolve(c[0]), c[1], c[2], fr, c[4]);
            }).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
