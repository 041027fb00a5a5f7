package dev.shovel.cli;

import dev.shovel.api.Device;
import dev.shovel.api.Model;
import dev.shovel.api.ModelOptions;
import dev.shovel.gguf.GGMLType;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** Options every command that loads a model shares, named as in llama.cpp. */
public final class ModelOptionsMixin {
    @Option(names = {"-m", "--model"}, paramLabel = "FILE", description = "GGUF model file (default: the embedded stories260K)")
    Path model;

    @Option(names = {"-t", "--threads"}, paramLabel = "N", description = "threads (default: all cores)")
    int threads;

    @Option(names = {"-c", "--ctx-size"}, paramLabel = "N", description = "context size (default: the smaller of the model's and 4096)")
    int ctxSize;

    @Option(names = {"-b", "--batch-size"}, paramLabel = "N", description = "most tokens per forward call (default: ${DEFAULT-VALUE})", defaultValue = "512")
    int batchSize;

    @Option(names = {"-ctk", "--cache-type-k", "-ctv", "--cache-type-v"}, paramLabel = "TYPE",
            description = "KV cache type: f16 or f32 (default: ${DEFAULT-VALUE})", defaultValue = "f16")
    String cacheType;

    @Option(names = "--device", paramLabel = "DEV", description = "cpu, or opencl[:N] with N from 'shovel devices' (default: ${DEFAULT-VALUE})", defaultValue = "cpu")
    String device;

    @Option(names = {"-ngl", "--gpu-layers", "--n-gpu-layers"}, paramLabel = "N", description = "with --device opencl: offload the first N layers (default: all)")
    Integer gpuLayers;

    ModelOptions options() {
        if (threads < 0) throw new dev.shovel.ShovelException("threads must be >= 1, got " + threads);
        Device d = Device.parse(device);
        if (gpuLayers != null && gpuLayers < 0) throw new dev.shovel.ShovelException("--gpu-layers must be >= 0, got " + gpuLayers);
        if (gpuLayers != null && gpuLayers > 0 && !d.isOpenCl()) throw new dev.shovel.ShovelException("--gpu-layers needs --device opencl");
        return new ModelOptions(threads, ctxSize, batchSize, GGMLType.parse(cacheType), d, gpuLayers == null ? -1 : gpuLayers);
    }

    Model load() {
        ModelOptions o = options();
        Model m = model == null ? Model.loadDefault(o) : Model.load(model, o);
        Warnings.print(m.tokenizer().warnings(), System.err);
        return m;
    }
}
