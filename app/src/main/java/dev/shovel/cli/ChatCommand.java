package dev.shovel.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.shovel.ShovelException;
import dev.shovel.api.Chat;
import dev.shovel.api.ChatTurn;
import dev.shovel.api.Model;
import dev.shovel.api.PromptTooLongException;
import dev.shovel.api.Session;
import dev.shovel.chat.TemplateException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * An interactive conversation: user lines from stdin, replies streamed to stdout, notes and per-turn statistics on
 * stderr. A line ending in a backslash continues on the next line.
 */
@Command(name = "chat", mixinStandardHelpOptions = true,
        description = {"Talk with a model using its chat template. Type a message and press Enter;",
                "end a line with \\ to continue it, /reset to start over, /exit or end of input (Ctrl-D) to quit."})
public final class ChatCommand implements Callable<Integer> {
    @Mixin ModelOptionsMixin model;

    @Mixin SamplingOptionsMixin sampling;

    @Option(names = {"-sys", "--system", "--system-prompt"}, paramLabel = "TEXT", description = "system message")
    String system;

    @Option(names = "--chat-template", paramLabel = "JINJA", description = "use this chat template instead of the model's")
    String templateText;

    @Option(names = "--chat-template-file", paramLabel = "FILE", description = "read the chat template from a file")
    Path templateFile;

    @Option(names = "--chat-template-kwargs", paramLabel = "JSON",
            description = "extra template variables as a JSON object, e.g. '{\"enable_thinking\": false}'")
    String templateKwargs;

    @Option(names = "--verbose-prompt", description = "print each rendered prompt on stderr")
    boolean verbosePrompt;

    @Override
    public Integer call() throws IOException {
        String template = template();
        Map<String, Object> kwargs = kwargs();
        PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        PrintStream err = new PrintStream(System.err, true, StandardCharsets.UTF_8);
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        boolean terminal = System.console() != null && System.console().isTerminal();
        try (Model m = model.load(); Session s = m.newSession()) {
            var go = sampling.options();
            Chat chat = new Chat(s, go, template).system(system);
            kwargs.forEach(chat::variable);
            chat.templateNote().ifPresent(n -> err.println("note: " + n));
            if (terminal) err.println("chatting with " + m.gguf().getString("general.name", "the model") + "; /exit or Ctrl-D quits");
            int turn = 0;
            while (true) {
                if (terminal) {
                    err.print("> ");
                    err.flush();
                }
                String line = readMessage(in);
                if (line == null) break;
                String cmd = line.strip();
                if (cmd.equals("/exit") || cmd.equals("/quit")) break;
                if (cmd.equals("/reset")) {
                    chat.reset();
                    err.println("(conversation cleared)");
                    continue;
                }
                if (cmd.isEmpty()) continue;
                if (!terminal) err.println("> " + line);
                try {
                    if (verbosePrompt) {
                        var next = new java.util.ArrayList<>(chat.messages());
                        next.add(dev.shovel.api.ChatMessage.user(line));
                        err.println("[prompt]\n" + chat.render(next, true) + "[/prompt]");
                    }
                    chat.send(line, piece -> {
                        out.print(piece);
                        out.flush();
                    });
                } catch (PromptTooLongException e) {
                    err.println("error: " + e.getMessage() + " (/reset starts over)");
                    continue;
                } catch (TemplateException e) {
                    err.println("error: " + e.getMessage());
                    continue;
                }
                out.println();
                ChatTurn t = chat.lastTurn().orElseThrow();
                SamplingOptionsMixin.warnIfCut(go, t.stopReason(), t.reply(), t.generatedTokens(), err);
                err.printf("[turn %d: prompt %d tokens, %d reused, %d processed at %.1f tok/s | reply %d tokens at %.2f tok/s | stop: %s]%n",
                        ++turn, t.promptTokens(), t.reusedTokens(), t.processedTokens(), t.promptTokensPerSecond(),
                        t.generatedTokens(), t.tokensPerSecond(), t.stopReason().name().toLowerCase());
            }
        }
        return 0;
    }

    /** One message: a line, joined with the following ones while it ends in a backslash; null at end of input. */
    static String readMessage(BufferedReader in) throws IOException {
        String line = in.readLine();
        if (line == null) return null;
        StringBuilder sb = new StringBuilder();
        while (line != null && line.endsWith("\\")) {
            sb.append(line, 0, line.length() - 1).append('\n');
            line = in.readLine();
        }
        if (line != null) sb.append(line);
        return sb.toString();
    }

    private Map<String, Object> kwargs() {
        if (templateKwargs == null) return Map.of();
        try {
            JsonNode n = new ObjectMapper().readTree(templateKwargs);
            if (n == null || !n.isObject()) throw new ShovelException("--chat-template-kwargs must be a JSON object, got: " + templateKwargs);
            return new ObjectMapper().convertValue(n, new TypeReference<LinkedHashMap<String, Object>>() {});
        } catch (JsonProcessingException e) {
            throw new ShovelException("--chat-template-kwargs is not valid JSON: " + e.getOriginalMessage());
        }
    }

    private String template() throws IOException {
        if (templateText != null && templateFile != null) throw new ShovelException("give the chat template once: --chat-template or --chat-template-file");
        if (templateFile == null) return templateText;
        if (!Files.isRegularFile(templateFile)) throw new ShovelException("chat template file not found: " + templateFile);
        return Files.readString(templateFile, StandardCharsets.UTF_8);
    }
}
