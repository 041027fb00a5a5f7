package dev.shovel.cli;

import dev.shovel.ShovelException;
import dev.shovel.api.GenerationOptions;
import dev.shovel.api.GenerationResult;
import dev.shovel.gen.SamplerParams;
import dev.shovel.grammar.Grammar;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/** Sampling and stopping options shared by the commands that generate, named as in llama.cpp. */
public final class SamplingOptionsMixin {
    @Option(names = {"-n", "--max-tokens", "--n-predict"}, paramLabel = "N", description = "tokens to generate, -1 = until the end (default: ${DEFAULT-VALUE})", defaultValue = "-1")
    int maxTokens;

    @Option(names = {"--temperature", "--temp"}, paramLabel = "T", description = "0 = greedy (default: ${DEFAULT-VALUE})", defaultValue = "0.8")
    float temperature;

    @Option(names = "--top-k", paramLabel = "K", description = "0 = off (default: ${DEFAULT-VALUE})", defaultValue = "40")
    int topK;

    @Option(names = "--top-p", paramLabel = "P", description = "1.0 = off (default: ${DEFAULT-VALUE})", defaultValue = "0.95")
    float topP;

    @Option(names = "--min-p", paramLabel = "P", description = "0.0 = off (default: ${DEFAULT-VALUE})", defaultValue = "0.05")
    float minP;

    @Option(names = "--repeat-penalty", paramLabel = "R", description = "1.0 = off (default: ${DEFAULT-VALUE})", defaultValue = "1.0")
    float repeatPenalty;

    @Option(names = "--repeat-last-n", paramLabel = "N", description = "tokens the penalty looks back at, -1 = all (default: ${DEFAULT-VALUE})", defaultValue = "64")
    int repeatLastN;

    @Option(names = {"-s", "--seed"}, paramLabel = "N", description = "random seed, -1 = random (default: ${DEFAULT-VALUE})", defaultValue = "-1")
    long seed;

    @Option(names = "--stop", paramLabel = "TEXT", description = "stop at this text (repeatable); it is not printed")
    List<String> stop = new ArrayList<>();

    @Option(names = "--grammar", paramLabel = "GBNF", description = "constrain the output to this GBNF grammar")
    String grammar;

    @Option(names = "--grammar-file", paramLabel = "FILE", description = "read the GBNF grammar from a file")
    Path grammarFile;

    @Option(names = {"-j", "--json-schema"}, paramLabel = "SCHEMA", description = "constrain the output to JSON valid under this JSON schema, e.g. '{\"type\": \"object\"}'")
    String jsonSchema;

    @Option(names = {"-jf", "--json-schema-file"}, paramLabel = "FILE", description = "read the JSON schema from a file")
    Path jsonSchemaFile;

    SamplerParams sampler() {
        return new SamplerParams(temperature, topK, topP, minP, repeatPenalty, repeatLastN, seed);
    }

    GenerationOptions options() {
        return new GenerationOptions(maxTokens, sampler(), stop).withGrammar(grammar());
    }

    /** The grammar of --grammar, --grammar-file, --json-schema or --json-schema-file; null without one. */
    Grammar grammar() {
        int given = (grammar != null ? 1 : 0) + (grammarFile != null ? 1 : 0) + (jsonSchema != null ? 1 : 0) + (jsonSchemaFile != null ? 1 : 0);
        if (given > 1) throw new ShovelException("give one of --grammar, --grammar-file, --json-schema and --json-schema-file");
        if (grammar != null) return Grammar.parse(grammar);
        if (grammarFile != null) return Grammar.parse(read(grammarFile, "grammar"));
        if (jsonSchema != null) return Grammar.fromJsonSchema(jsonSchema);
        if (jsonSchemaFile != null) return Grammar.fromJsonSchema(read(jsonSchemaFile, "JSON schema"));
        return null;
    }

    /** Warns when the budget or the context cut the output before its grammar was complete. */
    static void warnIfCut(GenerationOptions o, GenerationResult.StopReason reason, String text, int tokens, PrintStream err) {
        if (o.grammar() == null || reason == GenerationResult.StopReason.END_OF_GENERATION) return;
        if (reason == GenerationResult.StopReason.STOP_STRING || o.grammar().matches(text)) return;
        err.println("warning: the output stopped (" + reason.name().toLowerCase().replace('_', ' ') + ") after " + tokens
                + " tokens, before the grammar was complete; raise -n for the whole of it");
    }

    private static String read(Path file, String what) {
        if (!Files.isRegularFile(file)) throw new ShovelException(what + " file not found: " + file);
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (java.nio.charset.CharacterCodingException e) {
            throw new ShovelException(what + " file " + file + " is not valid UTF-8");
        } catch (IOException e) {
            throw new ShovelException("cannot read " + what + " file " + file + ": " + e.getMessage());
        }
    }
}
