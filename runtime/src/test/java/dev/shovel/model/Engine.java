package dev.shovel.model;

import dev.shovel.backend.Backend;
import dev.shovel.backend.CpuBackend;
import dev.shovel.backend.WorkerPool;
import dev.shovel.gguf.GGMLType;
import dev.shovel.gguf.GGUFFile;
import java.nio.file.Path;
import java.util.Arrays;

/** The forward pass without a tokenizer, for reference tests. */
final class Engine implements AutoCloseable {
    final GGUFFile file;
    final ModelConfig config;
    final WorkerPool pool;
    final Transformer transformer;
    final KvCache cache;

    Engine(Path model, int threads, GGMLType kvType, int ctx, int batch) {
        file = GGUFFile.open(model);
        config = ModelConfig.from(file);
        pool = new WorkerPool(threads);
        Backend cpu = new CpuBackend(pool);
        Backend[] layers = new Backend[config.nLayer()];
        Arrays.fill(layers, cpu);
        transformer = new Transformer(config, Weights.load(file, config, layers, cpu), layers, cpu, batch);
        int[] dims = new int[config.nLayer()];
        Arrays.fill(dims, config.kvDim());
        cache = new KvCache(layers, ctx, dims, dims, kvType);
    }

    /** Logits of every position of {@code ids}, evaluated as one batch from an empty cache. */
    float[][] allLogits(int[] ids) {
        cache.clear();
        float[] flat = transformer.forward(Batch.of(ids, 0, ids.length, 0, 0, true), cache);
        float[][] out = new float[ids.length][];
        for (int i = 0; i < ids.length; i++) out[i] = Arrays.copyOfRange(flat, i * config.nVocab(), (i + 1) * config.nVocab());
        return out;
    }

    /** Logits after one more token at position {@code pos}. */
    float[] step(int token, int pos) {
        return transformer.forward(Batch.of(new int[] {token}, 0, 1, pos, 0, false), cache).clone();
    }

    @Override
    public void close() {
        cache.close();
        pool.close();
        file.close();
    }
}
