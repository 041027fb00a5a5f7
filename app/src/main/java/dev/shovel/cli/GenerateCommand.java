package dev.shovel.cli;

import dev.shovel.ShovelException;
import dev.shovel.api.GenerationOptions;
import dev.shovel.api.GenerationResult;
import dev.shovel.api.Model;
import dev.shovel.api.PromptTooLongException;
import dev.shovel.api.Session;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** Continues a prompt and streams the text to stdout; the prompt echo and the statistics go to stderr. */
@Command(name = "generate", mixinStandardHelpOptions = true, description = "Continue a prompt (the default command).")
public final class GenerateCommand implements Callable<Integer> {
    @Mixin ModelOptionsMixin model;

    @Option(names = {"-p", "--prompt"}, paramLabel = "TEXT", description = "the prompt")
    String prompt;

    @Option(names = {"-f", "--file"}, paramLabel = "FILE", description = "read the prompt from a file")
    Path file;

    @Parameters(paramLabel = "PROMPT", arity = "0..*", description = "the prompt, as plain words")
    List<String> words = new ArrayList<>();

    @Mixin SamplingOptionsMixin sampling;

    @Override
    public Integer call() throws IOException {
        String text = promptText();
        GenerationOptions go = sampling.options();
        PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        PrintStream err = new PrintStream(System.err, true, StandardCharsets.UTF_8);
        try (Model m = model.load(); Session s = m.newSession()) {
            int[] ids = m.tokenizer().encode(text, true, true);
            if (ids.length >= s.contextSize()) throw new PromptTooLongException(ids.length, s.contextSize());
            err.print(text);
            err.flush();
            long[] firstText = {0};
            GenerationResult r = s.generate(ids, go, piece -> {
                if (firstText[0] == 0) firstText[0] = System.currentTimeMillis();
                out.print(piece);
                out.flush();
            });
            out.println();
            SamplingOptionsMixin.warnIfCut(go, r.stopReason(), r.text(), r.generatedTokens(), err);
            err.printf("%nprompt: %d tokens, %.1f tok/s | generated: %d tokens, %.2f tok/s | %d threads | stop: %s%s%n",
                    r.promptTokens(), r.promptTokensPerSecond(), r.generatedTokens(), r.tokensPerSecond(), m.threads(),
                    r.stopReason().name().toLowerCase(), sinceLaunch(firstText[0]));
        }
        return 0;
    }

    /** Time from the JVM's launch to the first streamed text, when the OS tells the launch time. */
    private static String sinceLaunch(long firstTextMillis) {
        if (firstTextMillis == 0) return "";
        return ProcessHandle.current().info().startInstant()
                .map(t -> " | first text " + (firstTextMillis - t.toEpochMilli()) + " ms after launch").orElse("");
    }

    private String promptText() throws IOException {
        int given = (prompt != null ? 1 : 0) + (file != null ? 1 : 0) + (words.isEmpty() ? 0 : 1);
        if (given > 1) throw new ShovelException("give the prompt once: -p, -f or plain words");
        if (file != null) {
            if (!Files.isRegularFile(file)) throw new ShovelException("prompt file not found: " + file);
            try {
                return Files.readString(file, StandardCharsets.UTF_8);
            } catch (java.nio.charset.CharacterCodingException e) {
                throw new ShovelException("prompt file " + file + " is not valid UTF-8");
            }
        }
        if (prompt != null) return prompt;
        return String.join(" ", words);
    }
}
