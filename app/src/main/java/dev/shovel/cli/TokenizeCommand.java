package dev.shovel.cli;

import dev.shovel.ShovelException;
import dev.shovel.api.EmbeddedModel;
import dev.shovel.gguf.GGUFFile;
import dev.shovel.tokenizer.Tokenizer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * llama-tokenize: the tokens of a text, one {@code id -> 'piece'} line each, or {@code [1, 2, 3]} with --ids. Only
 * the tokenizer is loaded, so vocab-only GGUF files (and tokenizer.json) work too.
 */
@Command(name = "tokenize", mixinStandardHelpOptions = true,
        description = "Show the tokens of a text (as llama-tokenize). BOS as the model says, special tokens parsed.")
public final class TokenizeCommand implements Callable<Integer> {
    @Option(names = {"-m", "--model"}, paramLabel = "FILE", description = "GGUF model or vocab-only GGUF, or a tokenizer.json or its directory (default: the embedded stories260K)")
    Path model;

    @Option(names = {"-p", "--prompt"}, paramLabel = "TEXT", description = "the text")
    String prompt;

    @Option(names = {"-f", "--file"}, paramLabel = "FILE", description = "read the text from a file")
    Path file;

    @Option(names = "--stdin", description = "read the text from standard input")
    boolean stdin;

    @Option(names = "--ids", description = "print only the ids, as [1, 2, 3]")
    boolean ids;

    @Option(names = "--no-bos", description = "never add a BOS token")
    boolean noBos;

    @Option(names = "--no-escape", description = "do not turn \\n, \\t, \\xHH, … in the text into characters")
    boolean noEscape;

    @Option(names = "--no-parse-special", description = "treat control-token text such as <|im_start|> as plain text")
    boolean noParseSpecial;

    @Option(names = "--show-count", description = "print the number of tokens at the end")
    boolean showCount;

    @Option(names = "--log-disable", description = "no loading messages on stderr")
    boolean logDisable;

    @Override
    public Integer call() throws IOException {
        byte[] raw = text();
        if (!noEscape) raw = processEscapes(raw);
        String text = new String(raw, StandardCharsets.UTF_8);
        Tokenizer tok = load();
        if (!logDisable) Warnings.print(tok.warnings(), System.err);
        int[] tokens = tok.encode(text, tok.addBos() && !noBos, !noParseSpecial);

        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        if (ids) {
            StringBuilder sb = new StringBuilder("[");
            for (int i = 0; i < tokens.length; i++) sb.append(i > 0 ? ", " : "").append(tokens[i]);
            buf.writeBytes(sb.append("]\n").toString().getBytes(StandardCharsets.UTF_8));
        } else {
            for (int t : tokens) {
                buf.writeBytes(String.format("%6d -> '", t).getBytes(StandardCharsets.UTF_8));
                buf.writeBytes(tok.tokenBytes(t, true));
                buf.writeBytes("'\n".getBytes(StandardCharsets.UTF_8));
            }
        }
        if (showCount) buf.writeBytes(("Total number of tokens: " + tokens.length + "\n").getBytes(StandardCharsets.UTF_8));
        PrintStream out = System.out;
        out.write(buf.toByteArray());
        out.flush();
        return 0;
    }

    private Tokenizer load() {
        Path p = model != null ? model : EmbeddedModel.path();
        if (!Files.exists(p)) throw new ShovelException("file not found: " + p);
        String name = p.getFileName().toString();
        if (name.endsWith(".json") || Files.isDirectory(p)) return Tokenizer.fromHuggingFace(p);
        try (GGUFFile f = GGUFFile.open(p)) {
            if (!f.has("tokenizer.ggml.model")) throw new ShovelException(p + " has no tokenizer (no tokenizer.ggml.model key)");
            return Tokenizer.fromGGUF(f);
        }
    }

    private byte[] text() throws IOException {
        int given = (prompt != null ? 1 : 0) + (file != null ? 1 : 0) + (stdin ? 1 : 0);
        if (given == 0) throw new ShovelException("give the text with -p TEXT, -f FILE or --stdin");
        if (given > 1) throw new ShovelException("give the text once: -p, -f and --stdin exclude each other");
        if (prompt != null) return prompt.getBytes(StandardCharsets.UTF_8);
        if (stdin) return System.in.readAllBytes();
        if (!Files.isRegularFile(file)) throw new ShovelException("file not found: " + file);
        return Files.readAllBytes(file);
    }

    /** llama.cpp's string_process_escapes: \n \r \t \' \" \\ and \xHH; any other escape stays as written. */
    static byte[] processEscapes(byte[] in) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(in.length);
        for (int i = 0; i < in.length; i++) {
            if (in[i] != '\\' || i + 1 >= in.length) {
                out.write(in[i]);
                continue;
            }
            byte c = in[++i];
            switch (c) {
                case 'n' -> out.write('\n');
                case 'r' -> out.write('\r');
                case 't' -> out.write('\t');
                case '\'', '"', '\\' -> out.write(c);
                case 'x' -> {
                    int hi = i + 2 < in.length ? Character.digit(in[i + 1], 16) : -1;
                    int lo = i + 2 < in.length ? Character.digit(in[i + 2], 16) : -1;
                    if (hi >= 0 && lo >= 0) {
                        out.write(hi * 16 + lo);
                        i += 2;
                    } else {
                        out.write('\\');
                        out.write(c);
                    }
                }
                default -> {
                    out.write('\\');
                    out.write(c);
                }
            }
        }
        return out.toByteArray();
    }
}
