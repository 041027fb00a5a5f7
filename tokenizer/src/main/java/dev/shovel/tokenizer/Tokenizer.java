package dev.shovel.tokenizer;

import dev.shovel.gguf.GGUFFile;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Text to token ids and back, with llama.cpp's semantics (llama-vocab.cpp): SentencePiece-style "llama",
 * byte-level BPE "gpt2" with the pre-tokenizer named by tokenizer.ggml.pre, and WordPiece "bert".
 * Immutable and safe to share between threads.
 */
public final class Tokenizer {
    private final Vocab v;

    private Tokenizer(Vocab v) { this.v = v; }

    Vocab vocab() { return v; }

    /** Reads the tokenizer.* metadata of a GGUF file. */
    public static Tokenizer fromGGUF(GGUFFile gguf) {
        return new Tokenizer(new Vocab(GGUFVocab.read(gguf)));
    }

    /** As {@link #fromGGUF}, from the metadata alone (source names the file in messages). */
    static Tokenizer fromMetadata(java.util.Map<String, dev.shovel.gguf.GGUFValue> metadata, String source) {
        return new Tokenizer(new Vocab(GGUFVocab.read(metadata, source)));
    }

    /**
     * Reads a Hugging Face tokenizer.json (or the tokenizer.json in a directory), with tokenizer_config.json and
     * config.json beside it when present, as llama.cpp would see it after convert_hf_to_gguf.py.
     */
    public static Tokenizer fromHuggingFace(Path tokenizerJson) {
        return fromHuggingFace(tokenizerJson, null);
    }

    /** As {@link #fromHuggingFace(Path)}, with the tokenizer.ggml.pre name given instead of recognised. */
    public static Tokenizer fromHuggingFace(Path tokenizerJson, String pre) {
        Path p = Files.isDirectory(tokenizerJson) ? tokenizerJson.resolve("tokenizer.json") : tokenizerJson;
        return new Tokenizer(new Vocab(HuggingFaceVocab.read(p, pre)));
    }

    /**
     * A tokenizer.json given as text, with the texts of tokenizer_config.json and config.json (either may be
     * null); source names it in messages.
     */
    static Tokenizer fromHuggingFaceJson(String tokenizerJson, String tokenizerConfig, String config, String pre,
                                         String source) {
        TokenizerJson tj = TokenizerJson.read(
            new java.io.ByteArrayInputStream(tokenizerJson.getBytes(StandardCharsets.UTF_8)), source);
        return new Tokenizer(new Vocab(HuggingFaceVocab.read(tj,
            TokenizerJson.parse(tokenizerConfig, "tokenizer_config.json"), TokenizerJson.parse(config, "config.json"),
            source, pre)));
    }

    public int vocabSize() { return v.size(); }

    /** tokenizer.ggml.model: "llama", "gpt2" or "bert". */
    public String model() { return v.model; }

    /** The pre-tokenizer in use ("default" for llama and bert). */
    public String pre() { return v.pre; }

    public int bos() { return v.special[Vocab.BOS]; }
    public int eos() { return v.special[Vocab.EOS]; }
    public int eot() { return v.special[Vocab.EOT]; }
    public int unk() { return v.special[Vocab.UNK]; }
    public int sep() { return v.special[Vocab.SEP]; }
    public int pad() { return v.special[Vocab.PAD]; }
    public boolean addBos() { return v.addBos; }
    public boolean addEos() { return v.addEos; }
    public boolean addSep() { return v.addSep; }

    /** tokenizer.chat_template (GGUF) or chat_template of tokenizer_config.json. */
    public Optional<String> chatTemplate() { return Optional.ofNullable(v.chatTemplate); }

    /** Non-fatal oddities found while loading (llama.cpp logs these as warnings). */
    public List<String> warnings() { return List.copyOf(v.warnings); }

    /** Whether generation ends at this token (EOS, EOT, &lt;|im_end|&gt;, &lt;end_of_turn&gt;, ...). */
    public boolean isEog(int id) { return id >= 0 && v.eog.get(id); }

    public int[] eogTokens() { return v.eog.stream().toArray(); }

    /** Control, user-defined or unknown token: the ones cut out of text before the model tokenizer runs. */
    public boolean isSpecial(int id) {
        check(id);
        return v.has(TokenAttr.CONTROL | TokenAttr.USER_DEFINED | TokenAttr.UNKNOWN, id);
    }

    public boolean isControl(int id) {
        check(id);
        return v.has(TokenAttr.CONTROL, id);
    }

    /** The llama_token_attr bits of a token ({@link TokenAttr}). */
    public int attributes(int id) {
        check(id);
        return v.attr[id];
    }

    /** The vocabulary entry as stored (e.g. "▁Hello", "Ġworld", "&lt;0x0A&gt;"). */
    public String tokenText(int id) {
        check(id);
        return v.text[id];
    }

    public OptionalInt tokenId(String piece) {
        Integer id = v.tokenToId.get(piece);
        return id == null ? OptionalInt.empty() : OptionalInt.of(id);
    }

    /**
     * llama_tokenize. addSpecial adds BOS/EOS as add_bos/add_eos say (BERT: CLS and SEP); parseSpecial lets
     * control tokens written in the text (e.g. "&lt;|im_start|&gt;") become those tokens. Any text is accepted
     * (lone surrogates count as U+FFFD); the only exception is a {@link TokenizerException} when the vocabulary
     * lacks a token the text needs (no byte or unknown token to fall back to).
     */
    public int[] encode(String text, boolean addSpecial, boolean parseSpecial) {
        text = Unicode.wellFormed(text);   // a lone surrogate is no character: U+FFFD, as UTF-8 encoding would make it
        IntList out = new IntList(text.length() / 3 + 8);
        IntList frags = SpecialPartition.partition(v, text, parseSpecial);
        switch (v.kind) {
            case SPM -> {
                boolean prevSpecial = true;
                if (addSpecial && v.addBos) out.add(v.special[Vocab.BOS]);
                for (int f = 0; f < frags.size(); f += 3) {
                    int tok = frags.get(f);
                    if (tok >= 0) {
                        out.add(tok);
                        prevSpecial = true;
                        continue;
                    }
                    String s = text.substring(frags.get(f + 1), frags.get(f + 1) + frags.get(f + 2));
                    if (v.addSpacePrefix && prevSpecial) s = " " + s;
                    v.spm.encode(s.replace(' ', '\u2581'), out);
                    prevSpecial = false;
                }
                if (addSpecial && v.addEos) out.add(v.special[Vocab.EOS]);
            }
            case BPE -> {
                if (addSpecial && v.addBos) out.add(v.special[Vocab.BOS]);
                for (int f = 0; f < frags.size(); f += 3) {
                    int tok = frags.get(f);
                    if (tok >= 0) {
                        out.add(tok);
                        continue;
                    }
                    String s = text.substring(frags.get(f + 1), frags.get(f + 1) + frags.get(f + 2));
                    if (v.escapeWhitespaces) s = s.replace(' ', '\u2581');
                    for (String word : v.preTokenizer.split(s)) v.bpe.encodeWord(word, v.ignoreMerges, out);
                }
                if (addSpecial && v.addEos) out.add(v.special[Vocab.EOS]);
            }
            case WPM -> {
                if (addSpecial) {
                    if (v.special[Vocab.BOS] < 0) throw new TokenizerException("vocabulary has no CLS/BOS token");
                    out.add(v.special[Vocab.BOS]);
                }
                for (int f = 0; f < frags.size(); f += 3) {
                    int tok = frags.get(f);
                    if (tok >= 0) out.add(tok);
                    else v.wpm.encode(text.substring(frags.get(f + 1), frags.get(f + 1) + frags.get(f + 2)), out);
                }
                if (addSpecial) {
                    if (v.special[Vocab.SEP] < 0) throw new TokenizerException("vocabulary has no SEP token");
                    out.add(v.special[Vocab.SEP]);
                }
            }
        }
        return out.toArray();
    }

    /**
     * llama_token_to_piece with lstrip 0: the raw bytes of one token (a byte token is one byte, so a piece
     * may be part of a UTF-8 character). Control and unknown tokens are empty unless special is true.
     */
    public byte[] tokenBytes(int id, boolean special) {
        check(id);
        if (!special && v.has(TokenAttr.UNKNOWN | TokenAttr.CONTROL, id)) return new byte[0];
        return v.pieces[id].clone();
    }

    /** Read-only piece access for the stream decoder (no copy). */
    byte[] piece(int id, boolean special) {
        check(id);
        if (!special && v.has(TokenAttr.UNKNOWN | TokenAttr.CONTROL, id)) return EMPTY;
        return v.pieces[id];
    }

    private static final byte[] EMPTY = new byte[0];

    /**
     * llama_detokenize: concatenated pieces (bytes joined before UTF-8 decoding), the add_space_prefix space
     * of the first piece removed, BOS/EOS dropped when removeSpecial, control tokens shown when
     * unparseSpecial, and the clean_up_tokenization_spaces passes where the vocabulary asks for them.
     */
    public String decode(int[] ids, boolean removeSpecial, boolean unparseSpecial) {
        return new String(decodeBytes(ids, removeSpecial, unparseSpecial), StandardCharsets.UTF_8);
    }

    /** {@link #decode} before UTF-8 decoding. */
    public byte[] decodeBytes(int[] ids, boolean removeSpecial, boolean unparseSpecial) {
        int from = 0, to = ids.length;
        boolean removeSpace = v.addSpacePrefix;
        if (removeSpecial && v.addBos && to > 0 && ids[0] == v.special[Vocab.BOS]) {
            removeSpace = false;
            from++;
        }
        if (removeSpecial && v.addEos && to > from && ids[to - 1] == v.special[Vocab.EOS]) to--;
        byte[] buf = new byte[Math.max(16, (to - from) * 4)];
        int n = 0;
        for (int i = from; i < to; i++) {
            byte[] p = piece(ids[i], unparseSpecial);
            int skip = removeSpace && p.length > 0 && p[0] == ' ' ? 1 : 0;
            removeSpace = false;
            if (n + p.length > buf.length) buf = Arrays.copyOf(buf, Math.max(buf.length * 2, n + p.length));
            System.arraycopy(p, skip, buf, n, p.length - skip);
            n += p.length - skip;
        }
        if (v.cleanSpaces) n = cleanSpaces(buf, n);
        return Arrays.copyOf(buf, n);
    }

    /** The three clean-up passes of llama_detokenize, in place; returns the new length. */
    static int cleanSpaces(byte[] t, int total) {
        // " ?", " !", " .", " ,"
        int total1 = total;
        total = total > 0 ? 1 : 0;
        for (int i = 1; i < total1; i++) {
            byte x = t[i];
            if (t[i - 1] == ' ' && (x == '?' || x == '!' || x == '.' || x == ',')) total--;
            t[total++] = x;
        }
        // " ' " -> "'"
        int total2 = total;
        total = total > 0 ? 1 : 0;
        for (int i = 1; i < total2; i++) {
            byte x = t[i];
            if (x == '\'' && i + 1 < total2 && t[i - 1] == ' ' && t[i + 1] == ' ') {
                total--;
                t[++i] = 0;
            }
            t[total++] = x;
        }
        // " 's", " 'm", " 're", " 've" lose the space
        int total3 = total;
        total = total > 0 ? 1 : 0;
        for (int i = 1; i < total3; i++) {
            byte x = t[i];
            if (t[i - 1] == ' ' && x == '\'' && i + 1 < total3) {
                byte x1 = t[i + 1];
                if (x1 == 's' || x1 == 'm') {
                    total--;
                } else if (x1 != 't' && x1 != 'd' && i + 2 < total3) {
                    byte x2 = t[i + 2];
                    if ((x1 == 'r' && x2 == 'e') || (x1 == 'v' && x2 == 'e')) total--;
                }
            }
            t[total++] = x;
        }
        return total;
    }

    private void check(int id) {
        if (id < 0 || id >= v.size()) {
            throw new TokenizerException("token id " + id + " is out of range [0, " + v.size() + ")");
        }
    }

    @Override
    public String toString() {
        return "Tokenizer[" + v.model + "/" + v.pre + ", " + v.size() + " tokens]";
    }
}
