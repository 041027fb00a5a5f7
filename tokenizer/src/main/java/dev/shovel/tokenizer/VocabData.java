package dev.shovel.tokenizer;

import java.util.LinkedHashMap;
import java.util.Map;

/** Tokenizer metadata as a GGUF file holds it (tokenizer.ggml.* keys), before llama.cpp's load rules apply. */
final class VocabData {
    String source = "tokenizer";
    String model;                 // tokenizer.ggml.model
    String pre;                   // tokenizer.ggml.pre, null when absent
    String name = "";             // general.name
    String arch = "";             // general.architecture
    String[] tokens;
    float[] scores;               // may be null
    int[] types;                  // may be null
    String[] merges;              // BPE only
    /** Special token ids by key suffix ("bos", "eos", "eot", ...), only those present in the metadata. */
    final Map<String, Long> ids = new LinkedHashMap<>();
    Boolean addBos, addEos, addSep, addSpacePrefix, removeExtraWhitespaces, lowercase, stripAccents;
    String chatTemplate;
    /** No llama.cpp fallback BOS/EOS id 11 for gpt2 (a tokenizer.json that names none has none). */
    boolean noDefaultBpeIds;

    /** Special-id key suffixes, in llama.cpp's order (tokenizer.ggml.&lt;suffix&gt;_token_id). */
    static final String[] ID_KEYS = {"bos", "eos", "eot", "eom", "unknown", "seperator", "padding", "mask",
        "fim_pre", "fim_suf", "fim_mid", "fim_pad", "fim_rep", "fim_sep", "prefix", "suffix", "middle"};
}
