package dev.shovel.tokenizer;

/**
 * Upper bounds on tokenizer data read from model files (GGUF tokenizer.ggml.* keys, tokenizer.json), which come
 * from strangers. Each is far above what real vocabularies use, so only broken or hostile files reach them; past
 * one, loading fails with a {@link TokenizerException} naming the key, the value and the limit.
 */
final class TokenizerLimits {
    /**
     * Tokens in a vocabulary: 2,097,152 (2^21). The largest real vocabularies have about 262k tokens (Gemma 3:
     * 262,144; Llama 3: 128,256; Qwen3: 151,669), so this leaves 8x headroom. Loading keeps several arrays and a
     * hash map per token, so the bound also caps the memory a file can make the loader allocate.
     */
    static final int MAX_TOKENS = 1 << 21;

    /**
     * Bytes (UTF-8) of one token's text: 8,192. The longest tokens of real vocabularies are 256 bytes (runs of
     * spaces, '=' or '-' in Llama 3 / Qwen3 / GPT-4o-style vocabularies). Special-token search and WordPiece's
     * longest match cost up to (text length x this) per encode, so it must stay small; it also keeps every token
     * length far from int overflow (the CVE-2025-49847 class of bugs in llama.cpp's token_to_piece).
     */
    static final int MAX_TOKEN_BYTES = 8192;

    /**
     * BPE merge rules: 4,194,304 (2^22). Real vocabularies have at most about 1M (Llama 3: 280,147; Qwen3:
     * 151,387), and a merge can only produce a token, so more merges than tokens means padding or garbage; the
     * bound keeps the rank table (two ints and a hash entry per merge) small.
     */
    static final int MAX_MERGES = 1 << 22;

    /** Bytes of one merge rule "a b": two tokens and the space (16,385). */
    static final int MAX_MERGE_BYTES = 2 * MAX_TOKEN_BYTES + 1;

    /**
     * Unused ids a tokenizer.json may leave (holes in its ids, or a config.json vocab_size past its tokens; each
     * becomes an unused "[PADn]" token): 65,536. Real models pad their embedding matrix by a few hundred ids at most (Qwen2.5: 151,936 for 151,665
     * tokens; Phi-3: 32,064 for 32,011); a larger gap is a broken config.
     */
    static final int MAX_VOCAB_PADDING = 1 << 16;

    private TokenizerLimits() {}
}
