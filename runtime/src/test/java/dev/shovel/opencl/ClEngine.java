package dev.shovel.opencl;

import dev.shovel.backend.Backend;
import dev.shovel.backend.CpuBackend;
import dev.shovel.backend.WorkerPool;
import dev.shovel.backend.opencl.ClBackend;
import dev.shovel.backend.opencl.OpenCL;
import dev.shovel.gguf.GGMLType;
import dev.shovel.gguf.GGUFFile;
import dev.shovel.model.Batch;
import dev.shovel.model.KvCache;
import dev.shovel.model.ModelConfig;
import dev.shovel.model.Transformer;
import dev.shovel.model.Weights;
import java.nio.file.Path;
import java.util.Arrays;

/** The forward pass with the first {@code gpuLayers} layers on OpenCL (-1: all and the output; 0: CPU only). */
final class ClEngine implements AutoCloseable {
    final GGUFFile file;
    final ModelConfig config;
    final WorkerPool pool;
    final ClBackend cl;
    final Transformer transformer;
    final KvCache cache;

    ClEngine(Path model, int gpuLayers, GGMLType kvType, int ctx, int batch) {
        file = GGUFFile.open(model);
        config = ModelConfig.from(file);
        pool = new WorkerPool(2);
        CpuBackend cpu = new CpuBackend(pool);
        cl = gpuLayers == 0 ? null : (ClBackend) OpenCL.open(-1, cpu);
        int offload = gpuLayers < 0 ? config.nLayer() : gpuLayers;
        Backend[] layers = new Backend[config.nLayer()];
        for (int l = 0; l < layers.length; l++) layers[l] = l < offload ? cl : cpu;
        Backend out = offload == config.nLayer() ? cl : cpu;
        transformer = new Transformer(config, Weights.load(file, config, layers, out), layers, out, batch);
        int[] dims = new int[config.nLayer()];
        Arrays.fill(dims, config.kvDim());
        cache = new KvCache(layers, ctx, dims, dims, kvType);
    }

    float[][] allLogits(int[] ids) {
        cache.clear();
        float[] flat = transformer.forward(Batch.of(ids, 0, ids.length, 0, 0, true), cache);
        float[][] out = new float[ids.length][];
        for (int i = 0; i < ids.length; i++) out[i] = Arrays.copyOfRange(flat, i * config.nVocab(), (i + 1) * config.nVocab());
        return out;
    }

    float[] step(int token, int pos) {
        return transformer.forward(Batch.of(new int[] {token}, 0, 1, pos, 0, false), cache).clone();
    }

    @Override
    public void close() {
        cache.close();
        if (cl != null) cl.close();
        pool.close();
        file.close();
    }
}
