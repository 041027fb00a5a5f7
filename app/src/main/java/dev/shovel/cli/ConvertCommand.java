package dev.shovel.cli;

import dev.shovel.gguf.GGMLType;
import dev.shovel.tools.Llama2cConverter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** llama2.c checkpoint + tokenizer.bin → GGUF. */
@Command(name = "convert", mixinStandardHelpOptions = true,
        description = "Convert a llama2.c checkpoint and its tokenizer.bin to GGUF.")
public final class ConvertCommand implements Callable<Integer> {
    @Option(names = "--checkpoint", required = true, paramLabel = "FILE", description = "llama2.c checkpoint (.bin)")
    Path checkpoint;

    @Option(names = "--tokenizer", required = true, paramLabel = "FILE", description = "llama2.c tokenizer (tokenizer.bin, tok512.bin)")
    Path tokenizer;

    @Option(names = {"-o", "--output"}, required = true, paramLabel = "FILE", description = "GGUF file to write")
    Path output;

    @Option(names = "--type", paramLabel = "TYPE", description = "weight type: f32, f16, bf16, q8_0, q4_0… (default: ${DEFAULT-VALUE})", defaultValue = "f32")
    String type;

    @Option(names = "--name", paramLabel = "NAME", description = "general.name (default: the checkpoint's file name)")
    String name;

    @Option(names = {"-c", "--ctx-size"}, paramLabel = "N", description = "context length to record (default: the checkpoint's seq_len)")
    int ctx;

    @Override
    public Integer call() {
        Llama2cConverter.convert(checkpoint, tokenizer, output, new Llama2cConverter.Options(GGMLType.parse(type), name, ctx));
        System.err.println("wrote " + output);
        return 0;
    }
}
