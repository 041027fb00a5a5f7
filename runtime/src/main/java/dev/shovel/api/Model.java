package dev.shovel.api;

import dev.shovel.ShovelException;
import dev.shovel.backend.Backend;
import dev.shovel.backend.CpuBackend;
import dev.shovel.backend.WorkerPool;
import dev.shovel.gguf.GGMLType;
import dev.shovel.gguf.GGUFFile;
import dev.shovel.model.Batch;
import dev.shovel.model.KvCache;
import dev.shovel.model.ModelConfig;
import dev.shovel.model.Transformer;
import dev.shovel.model.Weights;
import dev.shovel.tokenizer.Tokenizer;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * A loaded model: the mapped GGUF file, its tokenizer, weights resolved per layer and one worker pool.
 * Thread-safe: sessions on several threads share it (forward calls take turns). Closing it unmaps the file.
 */
public final class Model implements AutoCloseable {
    private final GGUFFile gguf;
    private final ModelConfig config;
    private final Tokenizer tokenizer;
    private final WorkerPool pool;
    private final Backend cpu;
    private final Backend[] layerBackends;
    private final Backend accel; // the OpenCL backend, or null
    private final Transformer transformer;
    private final ModelOptions options;
    private final int ctxSize;
    private volatile boolean closed;

    private Model(GGUFFile gguf, ModelOptions options) {
        this.gguf = gguf;
        this.options = options;
        this.config = ModelConfig.from(gguf);
        this.tokenizer = tokenizer(gguf, config);
        this.pool = new WorkerPool(options.resolvedThreads());
        Backend gpu = null;
        try {
            this.cpu = new CpuBackend(pool);
            this.accel = gpu = options.device().open((CpuBackend) cpu);
            // the first gpuLayers layers on the device; the output too when every layer is there
            int offload = gpu == null ? 0 : options.gpuLayers() < 0 ? config.nLayer() : Math.min(options.gpuLayers(), config.nLayer());
            this.layerBackends = new Backend[config.nLayer()];
            for (int l = 0; l < layerBackends.length; l++) layerBackends[l] = l < offload ? gpu : cpu;
            Backend out = gpu != null && offload == config.nLayer() ? gpu : cpu;
            if (options.kvType() == GGMLType.Q8_0) {
                if (config.headDim() % 32 != 0) {
                    throw new ShovelException("a q8_0 KV cache needs a head size that is a multiple of 32; this model's is " + config.headDim());
                }
                if (offload > 0) throw new ShovelException("the OpenCL device keeps its KV cache as f32 or f16; use -ctk f16 -ctv f16");
            }
            Weights w = Weights.load(gguf, config, layerBackends, out);
            this.ctxSize = options.ctxSize() > 0 ? options.ctxSize() : Math.min(config.ctxTrain(), 4096);
            this.transformer = new Transformer(config, w, layerBackends, out, Math.min(options.batchSize(), ctxSize));
        } catch (RuntimeException e) {
            if (gpu != null) gpu.close();
            pool.close();
            throw e;
        }
    }

    /** The file's tokenizer, which must have one token per row of token_embd (as llama.cpp checks). */
    private static Tokenizer tokenizer(GGUFFile f, ModelConfig c) {
        Tokenizer t = Tokenizer.fromGGUF(f);
        if (t.vocabSize() != c.nVocab()) {
            throw new ShovelException("the vocabulary has " + t.vocabSize() + " tokens but token_embd.weight has " + c.nVocab() + " rows");
        }
        return t;
    }

    /**
     * Checks a file as {@link #load} would (configuration, tokenizer, every tensor's presence, type and shape)
     * without loading weights; returns the configuration or throws the error loading would give.
     */
    public static ModelConfig check(GGUFFile f) {
        try {
            ModelConfig c = ModelConfig.from(f);
            tokenizer(f, c);
            Weights.check(f, c);
            return c;
        } catch (RuntimeException | StackOverflowError e) {
            throw loadError(f.path(), e);
        }
    }

    /** Our own errors as they are; anything else (a bug) wrapped with the file's name. */
    private static ShovelException loadError(Path path, Throwable e) {
        return e instanceof ShovelException s ? s : new ModelLoadException("cannot load " + path + ": " + e, e);
    }

    /** Loads a GGUF model with default options. */
    public static Model load(Path path) { return load(path, ModelOptions.defaults()); }

    public static Model load(Path path, ModelOptions options) {
        return of(GGUFFile.open(path), options);
    }

    /** A model over an open file, which it owns from here on (closed on failure too). */
    static Model of(GGUFFile f, ModelOptions options) {
        Path path = f.path();
        try {
            return new Model(f, options);
        } catch (RuntimeException | StackOverflowError e) {
            f.close();
            throw loadError(path, e);
        } catch (Error e) { // out of memory: nothing stays mapped
            f.close();
            throw e;
        }
    }

    /** Loads the embedded stories260K model (copied once to a cache file, then mapped). */
    public static Model loadDefault(ModelOptions options) { return load(EmbeddedModel.path(), options); }

    public ModelConfig config() { check(); return config; }
    public Tokenizer tokenizer() { check(); return tokenizer; }
    public GGUFFile gguf() { check(); return gguf; }
    public ModelOptions options() { return options; }
    public int threads() { return pool.threads(); }

    /** Context size a new session gets. */
    public int contextSize() { return ctxSize; }

    /** Most tokens one forward call takes. */
    public int batchSize() { return transformer.maxBatch(); }

    /** A new conversation state with its own KV cache of {@link #contextSize()} cells. */
    public Session newSession() {
        check();
        return new Session(this, newCache(ctxSize));
    }

    /** A KV cache of {@code cells} cells for {@link #forward}; the caller closes it. */
    public KvCache newCache(int cells) {
        check();
        int[] k = new int[config.nLayer()], v = new int[config.nLayer()];
        Arrays.fill(k, config.kvDim());
        Arrays.fill(v, config.mla() != null ? 0 : config.kvDim()); // MLA: one latent row, read as keys and values
        return new KvCache(layerBackends, cells, k, v, options.kvType());
    }

    /** Runs one batch (at most {@link #batchSize()} rows); returns logits of the rows that asked for them. */
    public float[] forward(Batch batch, KvCache cache) {
        float[] out = new float[batch.outputs() * config.nVocab()];
        forward(batch, cache, out);
        return out;
    }

    /** As {@link #forward(Batch, KvCache)}, into {@code out}; returns the number of logit rows written. */
    public int forward(Batch batch, KvCache cache, float[] out) {
        synchronized (this) {
            check();
            return transformer.forward(batch, cache, out);
        }
    }

    void check() {
        if (closed) throw new ModelClosedException();
    }

    public boolean isClosed() { return closed; }

    @Override
    public void close() {
        synchronized (this) {
            if (closed) return;
            closed = true;
            if (accel != null) accel.close();
            pool.close();
            gguf.close();
        }
    }
}
