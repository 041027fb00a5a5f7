package dev.shovel.model;

import dev.shovel.backend.Backend;
import dev.shovel.backend.CpuBackend;
import dev.shovel.backend.WorkerPool;
import dev.shovel.gguf.GGMLType;
import dev.shovel.gguf.GGUFFile;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.function.Function;

/**
 * The forward pass without a tokenizer, for reference tests; optionally with the first {@code gpuLayers} layers on an
 * accelerator backend (-1: all layers and the output).
 */
public final class Engine implements AutoCloseable {
    final GGUFFile file;
    final ModelConfig config;
    final WorkerPool pool;
    final Transformer transformer;
    final KvCache cache;
    /** The accelerator backend, or null when everything runs on the CPU. */
    public final Backend accel;

    public Engine(Path model, int threads, GGMLType kvType, int ctx, int batch) {
        this(model, threads, kvType, ctx, batch, null, 0);
    }

    public Engine(Path model, int threads, GGMLType kvType, int ctx, int batch,
                  Function<CpuBackend, Backend> accelerator, int gpuLayers) {
        file = GGUFFile.open(model);
        config = ModelConfig.from(file);
        pool = new WorkerPool(threads);
        CpuBackend cpu = new CpuBackend(pool);
        accel = accelerator == null || gpuLayers == 0 ? null : accelerator.apply(cpu);
        int offload = accel == null ? 0 : gpuLayers < 0 ? config.nLayer() : gpuLayers;
        Backend[] layers = new Backend[config.nLayer()];
        for (int l = 0; l < layers.length; l++) layers[l] = l < offload ? accel : cpu;
        Backend out = accel != null && offload == config.nLayer() ? accel : cpu;
        transformer = new Transformer(config, Weights.load(file, config, layers, out), layers, out, batch);
        int[] dims = new int[config.nLayer()];
        Arrays.fill(dims, config.kvDim());
        int[] vDims = config.mla() != null ? new int[dims.length] : dims; // MLA: the values are the keys
        cache = new KvCache(layers, ctx, dims, vDims, kvType);
    }

    /** Logits of every position of {@code ids}, evaluated as one batch from an empty cache. */
    public float[][] allLogits(int[] ids) {
        cache.clear();
        float[] flat = transformer.forward(Batch.of(ids, 0, ids.length, 0, 0, true), cache);
        float[][] out = new float[ids.length][];
        for (int i = 0; i < ids.length; i++) out[i] = Arrays.copyOfRange(flat, i * config.nVocab(), (i + 1) * config.nVocab());
        return out;
    }

    /** Logits after one more token at position {@code pos}. */
    public float[] step(int token, int pos) {
        return transformer.forward(Batch.of(new int[] {token}, 0, 1, pos, 0, false), cache).clone();
    }

    @Override
    public void close() {
        cache.close();
        if (accel != null) accel.close();
        pool.close();
        file.close();
    }
}
