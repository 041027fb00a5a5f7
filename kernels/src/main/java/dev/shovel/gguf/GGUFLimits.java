package dev.shovel.gguf;

/**
 * Every limit on what a GGUF file may say, in one place. A model file comes from a stranger: each count, size and
 * offset is checked against these, against the file's size and against overflow before anything it sizes is
 * allocated. The values are far above any published model (noted on each) and low enough that a hostile value is
 * refused before it costs memory or time.
 */
public final class GGUFLimits {
    private GGUFLimits() { }

    // --- the file format ---

    /** Metadata entries. Real files have 20-60; gguf-py writes no more than a few hundred. */
    public static final long MAX_KV = 1 << 16;
    /** Tensor infos. DeepSeek-V3 (61 layers, experts merged) has ~1,100; unmerged Mixtral files ~1,000. */
    public static final long MAX_TENSORS = 1 << 16;
    /** Bytes of a metadata key (the GGUF spec's 65535). */
    public static final long MAX_KEY_BYTES = 65_535;
    /** Bytes of a tensor name; ggml's GGML_MAX_NAME is 64, so llama.cpp loads no longer one. */
    public static final long MAX_TENSOR_NAME_BYTES = 255;
    /** Bytes of one string value. The longest in real files are chat templates, under 100 KiB. */
    public static final long MAX_STRING_BYTES = 16L << 20;
    /** Elements of one array. The largest are vocabularies (262,144 tokens, Gemma 3) and merges (under 1M). */
    public static final long MAX_ARRAY_ELEMENTS = 1 << 24;
    /** Arrays nested in arrays; llama.cpp reads none, the format allows them. */
    public static final int MAX_ARRAY_DEPTH = 4;
    /**
     * Heap the decoded metadata may take, estimated (a string costs 48 bytes plus its length): a 262k-token
     * vocabulary with 1M merges takes about 70 MiB. Without it, 16M tiny strings in a small file cost 1 GiB.
     */
    public static final long MAX_METADATA_HEAP = 256L << 20;
    /** {@code general.alignment}: a power of two, at most 64 KiB (the largest page size); ggml's default is 32. */
    public static final long MAX_ALIGNMENT = 1 << 16;
    /** Dimensions of a tensor (GGML_MAX_DIMS). */
    public static final int MAX_DIMS = 4;

    // --- the hyper-parameters (checked by the model loader, as a set) ---

    /** {@code block_count}. The deepest published models have 126 blocks (Llama 3.1 405B). */
    public static final int MAX_LAYERS = 4096;
    /** {@code embedding_length}, {@code feed_forward_length}, head sizes. The widest are 16,384 and 53,248. */
    public static final int MAX_WIDTH = 1 << 20;
    /** {@code attention.head_count(_kv)}. The most are 128 heads (DeepSeek-V3, Llama 405B). */
    public static final int MAX_HEADS = 4096;
    /** Token embedding rows. The largest vocabularies have 262,144 tokens. */
    public static final int MAX_VOCAB = 1 << 22;
    /** {@code context_length}. The longest trained context is 10M tokens (Llama 4 Scout). */
    public static final int MAX_CONTEXT = 1 << 26;
    /** {@code expert_count}. The most are 384 experts (Kimi K2). */
    public static final int MAX_EXPERTS = 4096;
}
