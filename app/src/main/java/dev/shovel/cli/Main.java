package dev.shovel.cli;

import dev.shovel.ShovelException;
import java.io.PrintWriter;
import java.util.Set;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code shovel} command line: llama.cpp's option names, one line per error, no stack traces. */
@Command(name = "shovel", mixinStandardHelpOptions = true, version = "shovel 0.1.0",
        description = "Run GGUF language models on the JVM. Without a command, 'generate' runs.",
        subcommands = {GenerateCommand.class, ChatCommand.class, ServeCommand.class, TokenizeCommand.class, InfoCommand.class,
                ConvertCommand.class, SynthCommand.class, BenchCommand.class, BenchServeCommand.class, PerplexityCommand.class, DevicesCommand.class,
                CommandLine.HelpCommand.class})
public final class Main implements Runnable {

    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the command line and returns the exit code. */
    public static int run(String... args) {
        CommandLine cli = commandLine();
        Set<String> commands = cli.getSubcommands().keySet();
        boolean explicit = args.length > 0 && (commands.contains(args[0]) || Set.of("-h", "--help", "-V", "--version").contains(args[0]));
        if (!explicit) {
            String[] withDefault = new String[args.length + 1];
            withDefault[0] = "generate";
            System.arraycopy(args, 0, withDefault, 1, args.length);
            args = withDefault;
        }
        return cli.execute(args);
    }

    static CommandLine commandLine() {
        CommandLine cli = new CommandLine(new Main());
        cli.setCaseInsensitiveEnumValuesAllowed(true);
        cli.setExecutionExceptionHandler((e, cmd, parsed) -> {
            cmd.getErr().println("error: " + describe(e));
            return 1;
        });
        cli.setParameterExceptionHandler((e, args) -> {
            PrintWriter err = e.getCommandLine().getErr();
            err.println("error: " + e.getMessage());
            err.println("Try '" + e.getCommandLine().getCommandSpec().qualifiedName() + " --help' for more information.");
            return 2;
        });
        return cli;
    }

    /** One line for any failure: our own messages as they are, anything else with its type. */
    static String describe(Throwable e) {
        if (e instanceof ShovelException) return e.getMessage();
        if (e instanceof OutOfMemoryError) return "out of memory; give the JVM more heap (-Xmx) or use a smaller context (-c)";
        if (e instanceof java.io.UncheckedIOException u && u.getCause() != null) return describe(u.getCause());
        if (e instanceof java.nio.file.NoSuchFileException n) return "file not found: " + n.getFile();
        if (e instanceof java.io.IOException) return e.getMessage() == null ? e.toString() : e.getMessage();
        String m = e.getMessage();
        return e.getClass().getSimpleName() + (m == null ? "" : ": " + m.lines().findFirst().orElse(""));
    }
}
