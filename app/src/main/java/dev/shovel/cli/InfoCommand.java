package dev.shovel.cli;

import dev.shovel.ShovelException;
import dev.shovel.api.EmbeddedModel;
import dev.shovel.ggml.TypeOps;
import dev.shovel.gguf.GGMLType;
import dev.shovel.gguf.GGUFFile;
import dev.shovel.gguf.TensorInfo;
import dev.shovel.api.Model;
import dev.shovel.model.ModelConfig;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** Lists a GGUF file: metadata, tensors, and the derived model configuration. */
@Command(name = "info", mixinStandardHelpOptions = true, description = "Show a GGUF file's metadata, tensors and configuration.")
public final class InfoCommand implements Callable<Integer> {
    @Option(names = {"-m", "--model"}, paramLabel = "FILE", description = "GGUF file (default: the embedded model)")
    Path model;

    @Parameters(paramLabel = "FILE", arity = "0..1", description = "GGUF file")
    Path positional;

    @Option(names = "--tensors", description = "list every tensor (default: the first 20)")
    boolean allTensors;

    @Override
    public Integer call() {
        if (model != null && positional != null) throw new ShovelException("give the file once");
        Path p = model != null ? model : positional != null ? positional : EmbeddedModel.path();
        try (GGUFFile f = GGUFFile.open(p)) {
            System.out.printf("file: %s%nGGUF version %d, %d metadata keys, %d tensors, data at byte %d, alignment %d%n",
                    p, f.version(), f.metadata().size(), f.tensors().size(), f.dataOffset(), f.alignment());
            System.out.println("\nmetadata:");
            f.metadata().forEach((k, v) -> System.out.printf("  %-44s %s%n", k, v.display()));

            long params = 0, bytes = 0;
            Map<GGMLType, Integer> types = new TreeMap<>();
            for (TensorInfo t : f.tensors().values()) {
                params += t.elements();
                bytes += t.bytes();
                types.merge(t.type(), 1, Integer::sum);
            }
            System.out.printf("%ntensors: %d, %,d parameters, %,d bytes; types %s%n", f.tensors().size(), params, bytes, types);
            int shown = 0;
            for (TensorInfo t : f.tensors().values()) {
                if (!allTensors && shown++ == 20) {
                    System.out.println("  … (--tensors lists all)");
                    break;
                }
                System.out.printf("  %-36s %-6s %-20s%s%n", t.name(), t.type(), t.shape(),
                        TypeOps.supported(t.type()) ? "" : "  (not computable yet)");
            }
            System.out.println("\nconfiguration:");
            ModelConfig c = Model.check(f); // a file Shovel cannot run is an error, after what could be shown
            System.out.println("  " + c.describe().replace("\n", "\n  "));
        }
        return 0;
    }
}
