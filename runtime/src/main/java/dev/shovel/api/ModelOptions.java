package dev.shovel.api;

import dev.shovel.ShovelException;
import dev.shovel.gguf.GGMLType;

/**
 * How a model is loaded. {@code threads <= 0} uses every core; {@code ctxSize <= 0} uses the smaller of the model's
 * training context and 4096; {@code batchSize} is the most tokens one forward call takes; {@code kvType} is F32 or F16.
 * {@code device} runs the first {@code gpuLayers} layers ({@code -1}: all, and then the output too) on an OpenCL
 * device; the rest stay on the CPU.
 */
public record ModelOptions(int threads, int ctxSize, int batchSize, GGMLType kvType, Device device, int gpuLayers) {

    public static ModelOptions defaults() { return new ModelOptions(0, 0, 512, GGMLType.F16); }

    public ModelOptions(int threads, int ctxSize, int batchSize, GGMLType kvType) {
        this(threads, ctxSize, batchSize, kvType, Device.CPU, -1);
    }

    public ModelOptions {
        if (batchSize < 1) throw new ShovelException("batch size must be at least 1, got " + batchSize);
        if (ctxSize < 0) throw new ShovelException("context size must be >= 0, got " + ctxSize);
        if (kvType != GGMLType.F32 && kvType != GGMLType.F16 && kvType != GGMLType.Q8_0) {
            throw new ShovelException("KV cache type must be f32, f16 or q8_0, got " + kvType.name().toLowerCase(java.util.Locale.ROOT));
        }
        if (device == null) device = Device.CPU;
        if (gpuLayers < -1) throw new ShovelException("GPU layers must be >= 0 (or -1 for all), got " + gpuLayers);
    }

    public ModelOptions withThreads(int t) { return new ModelOptions(t, ctxSize, batchSize, kvType, device, gpuLayers); }
    public ModelOptions withCtxSize(int c) { return new ModelOptions(threads, c, batchSize, kvType, device, gpuLayers); }
    public ModelOptions withBatchSize(int b) { return new ModelOptions(threads, ctxSize, b, kvType, device, gpuLayers); }
    public ModelOptions withKvType(GGMLType t) { return new ModelOptions(threads, ctxSize, batchSize, t, device, gpuLayers); }
    public ModelOptions withDevice(Device d) { return new ModelOptions(threads, ctxSize, batchSize, kvType, d, gpuLayers); }
    public ModelOptions withGpuLayers(int n) { return new ModelOptions(threads, ctxSize, batchSize, kvType, device, n); }

    int resolvedThreads() { return threads > 0 ? threads : Runtime.getRuntime().availableProcessors(); }
}
