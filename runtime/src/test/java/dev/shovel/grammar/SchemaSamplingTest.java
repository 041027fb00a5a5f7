package dev.shovel.grammar;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every schema of {@code resources/grammar/schemas} and {@code resources/grammar/schema-cases}: random sentences of
 * its grammar (a walk over the grammar's own automaton, no model) validated by networknt's validator with format
 * assertions. A repeated key is an error too, except in grammars with free-form keys (which cannot see repeats):
 * those samples are counted and skipped. Also checks the walks reach variety (distinct samples).
 */
class SchemaSamplingTest {
    static final List<Path> DIRS = List.of(Path.of("src/test/resources/grammar/schemas"), Path.of("src/test/resources/grammar/schema-cases"));
    static final int SAMPLES = 20, BUDGET = 160;
    private static final ObjectMapper NO_REPEATS = new ObjectMapper().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

    static List<Path> schemas() throws IOException {
        List<Path> out = new ArrayList<>();
        for (Path dir : DIRS) {
            try (Stream<Path> s = Files.list(dir)) {
                s.filter(p -> p.toString().endsWith(".json")).sorted().forEach(out::add);
            }
        }
        return out;
    }

    /** The validator's errors, and "Duplicate field" when a key repeats. */
    static List<String> errors(SchemaValidator v, String text) {
        List<String> errs = new ArrayList<>(v.errors(text));
        try {
            NO_REPEATS.readTree(text);
        } catch (IOException e) {
            if (e.getMessage().contains("Duplicate field")) errs.add("Duplicate field: " + e.getMessage().lines().findFirst().orElse(""));
        }
        return errs;
    }

    @Test
    void everySampleValidates() throws IOException {
        List<Path> files = schemas();
        assertTrue(files.size() >= 100, "at least 100 schemas, found " + files.size());
        List<String> failures = new ArrayList<>();
        int checked = 0, duplicates = 0;
        for (Path f : files) {
            String schema = Files.readString(f);
            String name = f.getParent().getFileName() + "/" + f.getFileName();
            Grammar g;
            try {
                g = Grammar.fromJsonSchema(schema);
            } catch (GrammarException e) {
                failures.add(name + ": " + e.getMessage());
                continue;
            }
            boolean freeKeys = g.source().contains("key-rest ::=") || g.source().contains("\nobject ::=") || g.source().startsWith("root ::= object");
            SchemaValidator v = new SchemaValidator(schema);
            Random rnd = new Random(name.hashCode());
            Set<String> distinct = new HashSet<>();
            for (int i = 0; i < SAMPLES; i++) {
                String text = GrammarSampler.sample(g, rnd, BUDGET);
                distinct.add(text);
                List<String> errs = errors(v, text);
                checked++;
                if (errs.isEmpty()) continue;
                if (freeKeys && errs.size() == 1 && errs.get(0).contains("Duplicate field")) {
                    duplicates++;
                    continue;
                }
                failures.add(name + ": " + errs + " in " + text);
            }
            if (distinct.size() < 2 && !name.matches(".*/(const|max-items-zero|type-null).*")) {
                failures.add(name + ": only " + distinct.size() + " distinct samples: " + distinct);
            }
        }
        assertTrue(failures.isEmpty(), failures.size() + " failures of " + checked + " samples (" + duplicates
                + " skipped for a repeated free-form key):\n" + String.join("\n", failures));
        assertTrue(duplicates < checked / 20, duplicates + " samples with repeated keys");
    }

    /** Dates and UTC offsets enumerated: the grammar accepts exactly what the validator accepts (offsets: a subset). */
    @Test
    void formatsAgreeWithTheValidator() {
        String date = "{\"type\":\"string\",\"format\":\"date\"}", time = "{\"type\":\"string\",\"format\":\"time\"}";
        Grammar gd = Grammar.fromJsonSchema(date), gt = Grammar.fromJsonSchema(time);
        SchemaValidator vd = new SchemaValidator(date), vt = new SchemaValidator(time);
        List<String> failures = new ArrayList<>();
        for (String y : List.of("0000", "0004", "1600", "1900", "2000", "2023", "2024", "2100", "9999")) {
            for (int m = 0; m <= 13; m++) {
                for (int d = 0; d <= 32; d++) {
                    String text = String.format("\"%s-%02d-%02d\"", y, m, d);
                    if (gd.matches(text) != vd.errors(text).isEmpty()) failures.add(text + (gd.matches(text) ? " accepted" : " refused"));
                }
            }
        }
        for (String sign : List.of("+", "-")) {
            for (int h = 0; h <= 24; h++) {
                for (int m = 0; m <= 60; m++) {
                    String text = String.format("\"12:34:56%s%02d:%02d\"", sign, h, m);
                    if (gt.matches(text) && !vt.errors(text).isEmpty()) failures.add(text + " accepted");
                }
            }
        }
        assertTrue(failures.isEmpty(), failures.toString());
    }

    /** Random schemas over every supported keyword (fixed seeds): converted, sampled, validated; crashes fail too. */
    @Test
    void randomSchemas() {
        List<String> failures = new ArrayList<>();
        int converted = 0;
        for (int i = 0; i < 100; i++) {
            String schema = new RandomSchemas(i).next();
            Grammar g;
            try {
                g = Grammar.fromJsonSchema(schema);
            } catch (GrammarException e) {
                continue; // unsatisfiable or unsupported combinations
            }
            converted++;
            SchemaValidator v = new SchemaValidator(schema);
            Random rnd = new Random(i);
            for (int k = 0; k < 4; k++) {
                String text = GrammarSampler.sample(g, rnd, 120);
                List<String> errs = errors(v, text);
                if (!errs.isEmpty() && !(errs.size() == 1 && errs.get(0).contains("Duplicate field"))) {
                    failures.add("seed " + i + ": " + errs + "\n  schema " + schema + "\n  text " + text);
                    break;
                }
            }
        }
        assertTrue(converted > 85, "only " + converted + " of 100 random schemas converted");
        assertTrue(failures.isEmpty(), String.join("\n", failures));
    }
}
