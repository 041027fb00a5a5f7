package dev.shovel.tokenizer;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;

/** A vocabulary after llama_vocab::load: token attributes, special ids, flags, EOG set and piece cache. */
final class Vocab {
    enum Kind { SPM, BPE, WPM }

    // slots of the special ids, in llama.cpp's order
    static final int BOS = 0, EOS = 1, EOT = 2, EOM = 3, UNK = 4, SEP = 5, PAD = 6, MASK = 7,
        FIM_PRE = 8, FIM_SUF = 9, FIM_MID = 10, FIM_PAD = 11, FIM_REP = 12, FIM_SEP = 13;
    private static final int[] KEY_SLOT = {BOS, EOS, EOT, EOM, UNK, SEP, PAD, MASK,
        FIM_PRE, FIM_SUF, FIM_MID, FIM_PAD, FIM_REP, FIM_SEP, FIM_PRE, FIM_SUF, FIM_MID};

    private static final Set<String> EOT_TEXTS = Set.of("<|eot_id|>", "<|im_end|>", "<|end|>", "<end_of_turn>",
        "<|endoftext|>", "<|end_of_text|>", "<EOT>", "_<EOT>", "[EOT]", "<\uFF5Cend\u2581of\u2581sentence\uFF5C>",
        "<end_of_utterance>");
    private static final Set<String> EOM_TEXTS = Set.of("<|eom_id|>");
    private static final Set<String> FIM_PRE_TEXTS = Set.of("<|fim_prefix|>", "<fim-prefix>", "<fim_prefix>",
        "<\uFF5Cfim\u2581begin\uFF5C>", "<PRE>", "\u2581<PRE>", "<|code_prefix|>", "<|prefix|>");
    private static final Set<String> FIM_SUF_TEXTS = Set.of("<|fim_suffix|>", "<fim-suffix>", "<fim_suffix>",
        "<\uFF5Cfim\u2581hole\uFF5C>", "<SUF>", "\u2581<SUF>", "<|code_suffix|>", "<|suffix|>");
    private static final Set<String> FIM_MID_TEXTS = Set.of("<|fim_middle|>", "<fim-middle>", "<fim_middle>",
        "<\uFF5Cfim\u2581end\uFF5C>", "<MID>", "\u2581<MID>", "<|code_middle|>", "<|middle|>");
    private static final Set<String> FIM_PAD_TEXTS = Set.of("<|fim_pad|>", "<fim-pad>", "<fim_pad>", "<PAD>", "[PAD]");
    private static final Set<String> FIM_REP_TEXTS = Set.of("<|fim_repo|>", "<|repo_name|>", "<fim-repo>", "<REPO>",
        "<reponame>");
    private static final Set<String> FIM_SEP_TEXTS = Set.of("<|file_sep|>");
    private static final Set<String> EOG_TEXTS = Set.of("<|eot_id|>", "<|im_end|>", "<|end|>", "<|return|>",
        "<|call|>", "<|flush|>", "<|calls|>", "<end_of_turn>", "<|endoftext|>", "</s>", "<|eom_id|>", "<EOT>",
        "_<EOT>", "[EOT]", "[EOS]", "<|end_of_text|>", "<end_of_utterance>", "<eos>", "<turn|>", "<|tool_response>",
        "<\uFF5Cend\u2581of\u2581sentence\uFF5C>", "[e~[");

    private static final AtomicBoolean WARNED_MISSING_PRE = new AtomicBoolean();

    final Kind kind;
    final String model;
    final String pre;
    final String[] text;
    final float[] score;
    final int[] attr;
    final Map<String, Integer> tokenToId;
    final int maxTokenLen;      // bytes, as llama.cpp
    final int maxTokenChars;    // UTF-16 units
    final int[] special = new int[14];
    boolean addSpacePrefix, addBos, addEos, addSep, ignoreMerges, cleanSpaces, removeExtraWhitespaces;
    boolean escapeWhitespaces = true;
    boolean lowercase = true, stripAccents;
    final BitSet eog = new BitSet();
    final int[] specialCache;
    final byte[][] pieces;
    final String chatTemplate;
    final List<String> warnings = new ArrayList<>();
    final SpecialTrie specialTrie;
    final PreTokenizer preTokenizer;
    final BpeModel bpe;
    final SpmModel spm;
    final WpmModel wpm;

    Vocab(VocabData d) {
        this.model = d.model;
        this.chatTemplate = d.chatTemplate;
        Arrays.fill(special, -1);
        if (d.model == null) throw new TokenizerException(d.source + ": missing tokenizer.ggml.model");
        switch (d.model) {
            case "llama" -> {
                kind = Kind.SPM;
                special[BOS] = 1; special[EOS] = 2; special[UNK] = 0;
            }
            case "bert" -> {
                kind = Kind.WPM;
                special[BOS] = 101; special[UNK] = 100; special[SEP] = 102; special[PAD] = 0; special[MASK] = 103;
                addSep = true;
            }
            case "gpt2" -> {
                kind = Kind.BPE;
                if (d.merges == null) throw new TokenizerException(d.source + ": tokenizer.ggml.merges is missing (gpt2 tokenizer)");
                if (!d.noDefaultBpeIds) {
                    special[BOS] = 11; special[EOS] = 11;
                }
            }
            case "no_vocab", "none" -> throw new TokenizerException(d.source + " has no vocabulary (tokenizer.ggml.model = " + d.model + ")");
            case "t5", "rwkv", "plamo2", "gemma4", "hybriddna", "whitespace" ->
                throw new TokenizerException(d.source + ": tokenizer.ggml.model '" + d.model + "' is not supported yet");
            default -> throw new TokenizerException(d.source + ": unknown tokenizer.ggml.model '" + d.model + "'");
        }
        PreTokenizer.Config cfg = null;
        switch (kind) {
            case BPE -> {
                addSpacePrefix = false;
                escapeWhitespaces = false;
                cleanSpaces = true;
                if (d.pre == null || d.pre.isEmpty()) {
                    String w = d.source + ": missing tokenizer.ggml.pre, using 'default' (generation quality may degrade)";
                    warnings.add(w);
                    if (WARNED_MISSING_PRE.compareAndSet(false, true)) System.err.println("warning: " + w);
                    cfg = PreTokenizer.config("default");
                } else {
                    cfg = PreTokenizer.config(d.pre);
                    if (cfg == null) throw new TokenizerException(d.source + ": unknown pre-tokenizer type '" + d.pre + "'");
                }
                ignoreMerges = cfg.ignoreMerges();
                if (cfg.addBos()) addBos = true;
                if (cfg.keepSpaces()) cleanSpaces = false;
                if (cfg.addSep()) addSep = true;
                if (cfg.noBos()) special[BOS] = -1;
            }
            case SPM -> {
                addSpacePrefix = true;
                cleanSpaces = false;
                addBos = true;
                addEos = false;
            }
            case WPM -> {
                addSpacePrefix = false;
                cleanSpaces = true;
                addBos = true;
                addEos = false;
                addSep = true;
            }
        }
        this.pre = cfg == null ? "default" : cfg.name();
        if (d.addSpacePrefix != null) addSpacePrefix = d.addSpacePrefix;
        if (d.removeExtraWhitespaces != null) removeExtraWhitespaces = d.removeExtraWhitespaces;

        // tokens, validated as a set before anything uses them
        String src = d.source;
        if (d.tokens == null) throw new TokenizerException(src + ": missing tokenizer.ggml.tokens");
        int n = d.tokens.length;
        if (n == 0) throw new TokenizerException(src + ": tokenizer.ggml.tokens is empty");
        if (n > TokenizerLimits.MAX_TOKENS) {
            throw new TokenizerException(src + ": tokenizer.ggml.tokens has " + n + " entries, more than the limit of "
                + TokenizerLimits.MAX_TOKENS);
        }
        if (d.scores != null && d.scores.length != n) {
            throw new TokenizerException(src + ": tokenizer.ggml.scores has " + d.scores.length
                + " entries, tokenizer.ggml.tokens has " + n);
        }
        if (d.types != null && d.types.length != n) {
            throw new TokenizerException(src + ": tokenizer.ggml.token_type has " + d.types.length
                + " entries, tokenizer.ggml.tokens has " + n);
        }
        checkMerges(d);
        text = new String[n];
        score = new float[n];
        attr = new int[n];
        tokenToId = new HashMap<>(n * 2);
        int maxLen = 0, maxChars = 0;
        int badTypes = 0, firstBadType = -1, badBytes = 0, firstBadByte = -1, surrogates = 0, firstSurrogate = -1;
        for (int i = 0; i < n; i++) {
            String w = d.tokens[i];
            if (w == null || w.isEmpty()) {
                warnings.add("empty token at index " + i);
                w = "[EMPTY_" + i + "]";
            }
            int bytes = Unicode.utf8Length(w);
            if (bytes > TokenizerLimits.MAX_TOKEN_BYTES) {
                throw new TokenizerException(src + ": tokenizer.ggml.tokens[" + i + "] is " + bytes
                    + " bytes long, more than the limit of " + TokenizerLimits.MAX_TOKEN_BYTES);
            }
            Integer prev = tokenToId.putIfAbsent(w, i);
            if (prev != null) {
                throw new TokenizerException(src + ": duplicate token in vocabulary: '" + w + "' has ids " + prev + " and " + i);
            }
            if (!Unicode.isWellFormed(w) && surrogates++ == 0) firstSurrogate = i;
            maxLen = Math.max(maxLen, bytes);
            maxChars = Math.max(maxChars, w.length());
            text[i] = w;
            score[i] = d.scores != null ? d.scores[i] : 0f;
            int type = d.types != null ? d.types[i] : TokenAttr.TYPE_NORMAL;
            if ((type < TokenAttr.TYPE_UNDEFINED || type > TokenAttr.TYPE_BYTE) && badTypes++ == 0) firstBadType = i;
            attr[i] = TokenAttr.fromType(type);
            if ((attr[i] & TokenAttr.BYTE) != 0 && (kind == Kind.WPM || !isByteText(w))) {
                // a byte token must be <0xXX>: anything else (<0x-1>, <0xZZ>, <0x100>) is ordinary text
                if (badBytes++ == 0) firstBadByte = i;
                attr[i] = TokenAttr.NORMAL;
            }
        }
        if (badTypes > 0) {
            warnings.add(src + ": tokenizer.ggml.token_type has " + badTypes + " values outside 0.." + TokenAttr.TYPE_BYTE
                + " (first: token " + firstBadType + " = " + d.types[firstBadType] + "); treated as undefined");
        }
        if (badBytes > 0) {
            warnings.add(src + ": " + badBytes + " byte-type tokens are not of the form <0xXX>"
                + (kind == Kind.WPM ? " or are in a WordPiece vocabulary" : "") + " (first: token " + firstBadByte
                + " '" + text[firstBadByte] + "'); treated as normal tokens");
        }
        if (surrogates > 0) {
            warnings.add(src + ": " + surrogates + " tokens are not well-formed UTF-16 (first: token " + firstSurrogate
                + "); they can only be produced by id");
        }
        maxTokenLen = maxLen;
        maxTokenChars = maxChars;

        // special token ids
        for (int k = 0; k < VocabData.ID_KEYS.length; k++) {
            int slot = KEY_SLOT[k];
            String key = "tokenizer.ggml." + VocabData.ID_KEYS[k] + "_token_id";
            if (special[slot] >= n) {
                warnings.add("default special token " + key + " = " + special[slot] + " out of vocab range, disabling");
                special[slot] = -1;
            }
            Long v = d.ids.get(VocabData.ID_KEYS[k]);
            if (v == null || v == 0xFFFFFFFFL || v == -1) continue; // gguf-py writes (uint32) -1 for "none": the default stays
            if (v < 0 || v >= n) {
                warnings.add(src + ": " + key + " = " + v + " is outside the vocabulary [0, " + n + "); ignored, using default "
                    + special[slot]);
            } else {
                special[slot] = v.intValue();
            }
        }
        // an add_* flag the file sets needs its token; one the model type implies lapses (with a warning) without it,
        // e.g. a tokenizer.json naming no BOS, or a vocabulary too small for the default ids
        if (d.addBos != null) {
            addBos = d.addBos;
        } else if (addBos && special[BOS] < 0) {
            warnings.add(d.source + ": no BOS token known, so no BOS is added");
            addBos = false;
        }
        if (d.addEos != null) addEos = d.addEos;
        if (d.addSep != null) {
            addSep = d.addSep;
        } else if (addSep && special[SEP] < 0) {
            warnings.add(d.source + ": no SEP token known, so no SEP is added");
            addSep = false;
        }
        checkAdd(d, addBos, BOS, "add_bos_token", "bos_token_id");
        checkAdd(d, addEos, EOS, "add_eos_token", "eos_token_id");
        checkAdd(d, addSep, SEP, "add_sep_token", "seperator_token_id");
        if (d.lowercase != null) lowercase = d.lowercase;
        stripAccents = lowercase;
        if (d.stripAccents != null) stripAccents = d.stripAccents;

        detectSpecials();
        specialCache = buildSpecialCache();
        pieces = new byte[n][];
        for (int i = 0; i < n; i++) pieces[i] = piece(i);
        setModelAttrs(d);
        specialTrie = new SpecialTrie(text, specialCache);

        switch (kind) {
            case BPE -> {
                preTokenizer = new PreTokenizer(cfg.regexes());
                bpe = new BpeModel(tokenToId, n, d.merges);
                spm = null;
                wpm = null;
            }
            case SPM -> {
                preTokenizer = null;
                bpe = null;
                spm = new SpmModel(tokenToId, score, maxTokenChars, special[UNK]);
                wpm = null;
            }
            default -> {
                preTokenizer = null;
                bpe = null;
                spm = null;
                wpm = new WpmModel(tokenToId, special[UNK], lowercase, stripAccents);
            }
        }
    }

    /** Merge count, rule length, and malformed rules (kept as never-matching, as llama.cpp keeps them). */
    private void checkMerges(VocabData d) {
        if (d.merges == null) return;
        String[] m = d.merges;
        if (m.length > TokenizerLimits.MAX_MERGES) {
            throw new TokenizerException(d.source + ": tokenizer.ggml.merges has " + m.length
                + " entries, more than the limit of " + TokenizerLimits.MAX_MERGES);
        }
        int bad = 0, firstBad = -1;
        for (int r = 0; r < m.length; r++) {
            if (m[r] == null) {
                m[r] = "";
            } else if ((long) m[r].length() * 3 > TokenizerLimits.MAX_MERGE_BYTES) {
                int bytes = Unicode.utf8Length(m[r]);
                if (bytes > TokenizerLimits.MAX_MERGE_BYTES) {
                    throw new TokenizerException(d.source + ": tokenizer.ggml.merges[" + r + "] is " + bytes
                        + " bytes long, more than the limit of " + TokenizerLimits.MAX_MERGE_BYTES);
                }
            }
            if (m[r].indexOf(' ', 1) < 0 && bad++ == 0) firstBad = r;
        }
        if (bad > 0) {
            warnings.add(d.source + ": tokenizer.ggml.merges has " + bad + " entries that are not 'a b' (first: merges["
                + firstBad + "] = '" + m[firstBad] + "'); ignored");
        }
    }

    /** Exactly &lt;0xXX&gt; with two ASCII hex digits. */
    static boolean isByteText(String t) {
        return t.length() == 6 && t.startsWith("<0x") && t.charAt(5) == '>' && hex(t.charAt(3)) >= 0 && hex(t.charAt(4)) >= 0;
    }

    private static int hex(char c) {
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= 'a' && c <= 'f') return c - 'a' + 10;
        if (c >= 'A' && c <= 'F') return c - 'A' + 10;
        return -1;
    }

    private void checkAdd(VocabData d, boolean add, int slot, String addKey, String idKey) {
        if (add && special[slot] < 0) {
            throw new TokenizerException(d.source + ": tokenizer.ggml." + addKey + " is true, but tokenizer.ggml." + idKey + " is not set");
        }
    }

    int size() { return text.length; }

    boolean has(int a, int id) { return (attr[id] & a) != 0; }

    private void markControl(int id) {
        if ((attr[id] & TokenAttr.CONTROL) == 0) {
            warnings.add("control-looking token " + id + " '" + text[id] + "' was not control-type; overriding");
            attr[id] |= TokenAttr.CONTROL;
        }
    }

    /** EOT/EOM/FIM detection by text, unused tokens, and the EOG set (llama.cpp scans in hash order; ids ascending here). */
    private void detectSpecials() {
        int n = text.length;
        Object[][] byText = {{EOT, EOT_TEXTS}, {EOM, EOM_TEXTS}, {FIM_PRE, FIM_PRE_TEXTS}, {FIM_SUF, FIM_SUF_TEXTS},
            {FIM_MID, FIM_MID_TEXTS}, {FIM_PAD, FIM_PAD_TEXTS}, {FIM_REP, FIM_REP_TEXTS}, {FIM_SEP, FIM_SEP_TEXTS}};
        for (int id = 0; id < n; id++) {
            for (Object[] e : byText) {
                int slot = (Integer) e[0];
                @SuppressWarnings("unchecked") Set<String> texts = (Set<String>) e[1];
                if (special[slot] < 0 && texts.contains(text[id])) {
                    special[slot] = id;
                    markControl(id);
                }
            }
        }
        for (int id = 0; id < n; id++) {
            if (has(TokenAttr.CONTROL, id) && !has(TokenAttr.UNUSED, id) && text[id].contains("unused")) {
                attr[id] |= TokenAttr.UNUSED;
            }
        }
        for (int slot : new int[] {FIM_PAD, FIM_REP, FIM_SEP}) if (special[slot] >= 0) eog.set(special[slot]);
        for (int id = 0; id < n; id++) {
            if (EOG_TEXTS.contains(text[id])) {
                eog.set(id);
                markControl(id);
            }
        }
        for (String t : new String[] {"<|channel|>", "<|message|>", "<|start|>", "<|constrain|>"}) {
            Integer id = tokenToId.get(t);
            if (id != null) attr[id] = TokenAttr.USER_DEFINED;
        }
        for (int slot : new int[] {EOS, EOT, EOM}) {
            if (special[slot] >= 0 && !eog.get(special[slot])) {
                eog.set(special[slot]);
                warnings.add("special token " + special[slot] + " is not in the EOG set; added");
            }
        }
        // o200k_harmony / solar-open: <|end|> is not EOG when <|return|>+<|call|> or <|call(s)|>+<|flush|> exist
        boolean hasReturn = false, hasCall = false, hasFlush = false;
        int endId = -1;
        for (int id = eog.nextSetBit(0); id >= 0; id = eog.nextSetBit(id + 1)) {
            switch (text[id]) {
                case "<|return|>" -> hasReturn = true;
                case "<|call|>", "<|calls|>" -> hasCall = true;
                case "<|flush|>" -> hasFlush = true;
                case "<|end|>" -> endId = id;
                default -> { }
            }
        }
        if (endId >= 0 && hasCall && (hasReturn || hasFlush)) {
            eog.clear(endId);
            attr[endId] = TokenAttr.USER_DEFINED;
        }
        // gemma4 / paddleocr: </s> is not EOG when <|tool_response> is
        int sId = -1;
        boolean hasToolResponse = false;
        for (int id = eog.nextSetBit(0); id >= 0; id = eog.nextSetBit(id + 1)) {
            if (text[id].equals("<|tool_response>")) hasToolResponse = true;
            else if (text[id].equals("</s>")) sId = id;
        }
        if (hasToolResponse && sId >= 0) {
            eog.clear(sId);
            attr[sId] = TokenAttr.NORMAL;
        }
    }

    /** Control, user-defined and unknown tokens, longest text (in bytes) first. */
    private int[] buildSpecialCache() {
        List<Integer> ids = new ArrayList<>();
        int mask = TokenAttr.CONTROL | TokenAttr.USER_DEFINED | TokenAttr.UNKNOWN;
        for (int id = 0; id < text.length; id++) if ((attr[id] & mask) != 0) ids.add(id);
        int[] len = new int[text.length];
        for (int id : ids) len[id] = text[id].getBytes(StandardCharsets.UTF_8).length;
        ids.sort((a, b) -> len[a] != len[b] ? Integer.compare(len[b], len[a]) : Integer.compare(a, b));
        return ids.stream().mapToInt(Integer::intValue).toArray();
    }

    /** llama_token_to_piece with special = true (the piece cache). */
    private byte[] piece(int id) {
        String t = text[id];
        int a = attr[id];
        if ((a & (TokenAttr.UNKNOWN | TokenAttr.CONTROL | TokenAttr.USER_DEFINED)) != 0) {
            return t.getBytes(StandardCharsets.UTF_8);
        }
        if ((a & TokenAttr.NORMAL) != 0) {
            if (kind == Kind.BPE && !escapeWhitespaces) return ByteLevel.decode(t);
            return t.replace('\u2581', ' ').getBytes(StandardCharsets.UTF_8);
        }
        if ((a & TokenAttr.BYTE) != 0) return new byte[] {(byte) (hex(t.charAt(3)) * 16 + hex(t.charAt(4)))};
        return new byte[0];
    }

    /** Per-model attributes llama.cpp sets by name (LSTRIP/RSTRIP). */
    private void setModelAttrs(VocabData d) {
        String name = d.name == null ? "" : d.name.toLowerCase(Locale.ROOT);
        String p = d.pre == null ? "" : d.pre;
        String arch = d.arch == null ? "" : d.arch;
        if (p.contains("jina-v2-de") || p.contains("jina-v2-es") || p.contains("jina-v2-code")
                || arch.contains("nomic-bert-moe") || arch.contains("jina-bert-v3")) {
            setAttr("<mask>", TokenAttr.LSTRIP, true);
        } else if (name.contains("phi-3") || name.contains("phi3")) {
            for (int id : specialCache) attr[id] |= TokenAttr.RSTRIP;
            setAttr("</s>", TokenAttr.RSTRIP, true);
            for (String t : new String[] {"<unk>", "<s>", "<|endoftext|>"}) setAttr(t, TokenAttr.RSTRIP, false);
        } else if (name.contains("modern-bert")) {
            setAttr("[MASK]", TokenAttr.LSTRIP, true);
        }
    }

    private void setAttr(String token, int bit, boolean on) {
        Integer id = tokenToId.get(token);
        if (id == null) {
            warnings.add("token " + token + " missing from vocabulary");
            return;
        }
        attr[id] = on ? attr[id] | bit : attr[id] & ~bit;
    }
}
