package dev.shovel.tokenizer;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The BPE pre-tokenizers of llama.cpp, by tokenizer.ggml.pre value: the regex list (llm_tokenizer_bpe) and
 * the flags the name sets in llama_vocab::load (ignore_merges, add_bos, clean_spaces, add_sep, no BOS).
 */
final class PreTokenizer {
    // regexes as llama.cpp writes them (C++ escapes undone; non-ASCII as \x{..})
    static final String GPT2 = "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)";
    static final String LLAMA3 = "(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])|[^\\r\\n\\p{L}\\p{N}]?"
        + "\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
    static final String QWEN2 = "(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])|[^\\r\\n\\p{L}\\p{N}]?"
        + "\\p{L}+|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
    static final String QWEN35 = "(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])|[^\\r\\n\\p{L}\\p{N}]?"
        + "[\\p{L}\\p{M}]+|\\p{N}| ?[^\\s\\p{L}\\p{M}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
    static final String CJK = "[\\x{4E00}-\\x{9FA5}\\x{800}-\\x{4E00}\\x{AC00}-\\x{D7FF}]+";
    static final String CASED_LETTERS = "\\s?[" +
            "A-Za-z\\x{B5}\\x{C0}-\\x{D6}\\x{D8}-\\x{F6}\\x{F8}-\\x{1BA}\\x{1BC}-\\x{1BF}" +
            "\\x{1C4}-\\x{293}\\x{295}-\\x{2AF}\\x{370}-\\x{373}\\x{376}\\x{377}\\x{37B}-\\x{37D}" +
            "\\x{37F}\\x{386}\\x{388}-\\x{38A}\\x{38C}\\x{38E}-\\x{3A1}\\x{3A3}-\\x{3F5}" +
            "\\x{3F7}-\\x{481}\\x{48A}-\\x{52F}\\x{531}-\\x{556}\\x{10A0}-\\x{10C5}\\x{13A0}-\\x{13F5}" +
            "\\x{13F8}-\\x{13FD}\\x{1C90}-\\x{1CBA}\\x{1CBD}-\\x{1CBF}\\x{1D00}-\\x{1D2B}" +
            "\\x{1D6B}-\\x{1D77}\\x{1D79}-\\x{1D9A}\\x{1E00}-\\x{1F15}\\x{1F18}-\\x{1F1D}" +
            "\\x{1F20}-\\x{1F45}\\x{1F48}-\\x{1F4D}\\x{1F50}-\\x{1F57}\\x{1F59}\\x{1F5B}\\x{1F5D}" +
            "\\x{1F5F}-\\x{1F7D}\\x{1F80}-\\x{1FB4}\\x{1FB6}-\\x{1FBC}\\x{1FBE}\\x{1FC2}-\\x{1FC4}" +
            "\\x{1FC6}-\\x{1FCC}\\x{1FD0}-\\x{1FD3}\\x{1FD6}-\\x{1FDB}\\x{1FE0}-\\x{1FEC}" +
            "\\x{1FF2}-\\x{1FF4}\\x{1FF6}-\\x{1FFC}\\x{2102}\\x{2107}\\x{210A}-\\x{2113}\\x{2115}" +
            "\\x{2119}-\\x{211D}\\x{2124}\\x{2126}\\x{2128}\\x{212A}-\\x{212D}\\x{212F}-\\x{2134}" +
            "\\x{2139}\\x{213C}-\\x{213F}\\x{2145}-\\x{2149}\\x{214E}\\x{2183}\\x{2184}" +
            "\\x{2C00}-\\x{2C7B}\\x{2C7E}-\\x{2CE4}\\x{2CEB}-\\x{2CEE}\\x{2CF2}\\x{2CF3}" +
            "\\x{A640}-\\x{A66D}\\x{A680}-\\x{A69B}\\x{A722}-\\x{A76F}\\x{A771}-\\x{A787}" +
            "\\x{A78B}-\\x{A78E}\\x{AB70}-\\x{ABBF}\\x{FB00}-\\x{FB06}\\x{FB13}-\\x{FB17}" +
            "\\x{FF21}-\\x{FF3A}\\x{FF41}-\\x{FF5A}\\x{10400}-\\x{1044F}\\x{104B0}-\\x{104D3}" +
            "\\x{104D8}-\\x{104FB}\\x{10C80}-\\x{10CB2}\\x{10CC0}-\\x{10CF2}\\x{118A0}-\\x{118DF}" +
            "\\x{1E900}-\\x{1E943}]+";
    static final String PORO = " ?[^(\\s|.,!?\\x{2026}\\x{3002}\\x{FF0C}\\x{3001}\\x{964}\\x{6D4}\\x{60C})]+";
    static final String DEEPSEEK3 = "[!\"#$%&'()*+,\\-./:;<=>?@\\[\\\\\\]^_`{|}~][A-Za-z]+|[^\r\n\\p{L}\\p{P}\\p{S}]?"
        + "[\\p{L}\\p{M}]+| ?[\\p{P}\\p{S}]+[\r\n]*|\\s*[\r\n]+|\\s+(?!\\S)|\\s+";
    static final String GPT4O = "[^\\r\\n\\p{L}\\p{N}]?((?=[\\p{L}])([^a-z]))*((?=[\\p{L}])([^A-Z]))+"
        + "(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])?|[^\\r\\n\\p{L}\\p{N}]?((?=[\\p{L}])([^a-z]))+"
        + "((?=[\\p{L}])([^A-Z]))*(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])?|\\p{N}{1,3}|"
        + " ?[^\\s\\p{L}\\p{N}]+[\\r\\n/]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";

    static final List<String> R_DEFAULT = List.of("[\\p{P}\\$\\+<=>\\^~\\|]+", GPT2, "\\p{N}+", "[0-9][0-9][0-9]");
    static final List<String> R_LLAMA3 = List.of(LLAMA3);
    static final List<String> R_DEEPSEEK_LLM = List.of("[\r\n]", CASED_LETTERS,
        "\\s?[!-/:-~\\x{FF01}-\\x{FF0F}\\x{FF1A}-\\x{FF5E}\\x{2018}-\\x{201F}\\x{3000}-\\x{3002}]+", "\\s+$", CJK,
        "\\p{N}+");
    static final List<String> R_DEEPSEEK3 = List.of("\\p{N}{1,3}",
        "[\\x{4E00}-\\x{9FA5}\\x{3040}-\\x{309F}\\x{30A0}-\\x{30FF}]+", DEEPSEEK3);
    static final List<String> R_DEEPSEEK_CODER = List.of("[\r\n]", "\\s?\\p{L}+", "\\s?\\p{P}+", CJK, "\\p{N}");
    static final List<String> R_FALCON = List.of("[\\p{P}\\$\\+<=>\\^~\\|`]+", GPT2, "[0-9][0-9][0-9]");
    static final List<String> R_STARCODER = List.of("\\p{N}", GPT2);
    static final List<String> R_GPT2 = List.of(GPT2);
    static final List<String> R_QWEN2 = List.of(QWEN2);
    static final List<String> R_QWEN35 = List.of(QWEN35);
    static final List<String> R_PORO = List.of(PORO);
    static final List<String> R_VIKING = List.of(PORO, "\\p{N}");
    static final List<String> R_TEKKEN = List.of("[^\\r\\n\\p{L}\\p{N}]?((?=[\\p{L}])([^a-z]))*((?=[\\p{L}])([^A-Z]))+|"
        + "[^\\r\\n\\p{L}\\p{N}]?((?=[\\p{L}])([^a-z]))+((?=[\\p{L}])([^A-Z]))*|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n/]*|"
        + "\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+");
    static final List<String> R_CHAMELEON = List.of("<sentinel:[0-9]+>", "(IMGIMG)((A|B|C|D|E|F|G|H|I){1,4})Z",
        "([\\t\\n]|    |  )", "\\p{N}", "[\\p{P}!-/:-@\\[-`{-~]", GPT2);
    static final List<String> R_GPT4O = List.of(GPT4O);
    static final List<String> R_BAILINGMOE = List.of("'(?:[sSdDmMtT]|[lL][lL]|[vV][eE]|[rR][eE])|"
        + "[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]|\\s+(?!\\S)|\\s+");
    static final List<String> R_SEED_CODER = List.of("(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])|"
        + "[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1}| ?[^\\s\\p{L}\\p{N}\\r\\n]+|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+");

    /** A pre-tokenizer name's regexes and load-time flags. */
    record Config(String name, List<String> regexes, boolean ignoreMerges, boolean addBos, boolean keepSpaces,
                  boolean addSep, boolean noBos) {}

    private static final Map<String, Config> BY_NAME = buildTable();

    private static Map<String, Config> buildTable() {
        Map<String, Config> m = new java.util.HashMap<>();
        // flags: I = ignore_merges, B = add_bos, K = clean_spaces off, S = add_sep, N = no BOS token
        put(m, R_DEFAULT, "", "default");
        put(m, R_LLAMA3, "IB", "llama3", "llama-v3", "llama-bpe", "falcon3", "falcon-h1", "pixtral", "midm-2.0",
            "lfm2", "jina-v5-nano");
        put(m, R_DEEPSEEK_LLM, "K", "deepseek-llm");
        put(m, R_DEEPSEEK_CODER, "K", "deepseek-coder");
        put(m, R_DEEPSEEK3, "K", "deepseek-v3", "hunyuan-dense");
        put(m, R_FALCON, "", "falcon");
        put(m, R_GPT2, "", "mpt", "gpt-2", "phi-2", "jina-es", "jina-de", "gigachat", "jina-v2-es", "jina-v2-de",
            "a.x-4.0", "mellum", "modern-bert", "olmo", "jais", "exaone4");
        put(m, R_GPT2, "S", "jina-v1-en", "jina-v2-code", "roberta-bpe");
        put(m, R_GPT2, "K", "trillion", "granite-docling");
        put(m, R_STARCODER, "", "starcoder", "refact", "codeshell", "exaone", "minerva-7b", "mellum2");
        put(m, R_STARCODER, "K", "command-r", "smollm");
        put(m, R_QWEN2, "K", "qwen2", "deepseek-r1-qwen", "kormo", "f2llmv2", "hunyuan", "solar-open");
        put(m, R_QWEN2, "", "megrez", "stablelm2");
        put(m, R_QWEN35, "K", "qwen35");
        put(m, R_LLAMA3, "", "dbrx", "smaug-bpe");
        put(m, R_LLAMA3, "N", "glm4", "chatglm-bpe");
        put(m, R_PORO, "K", "poro-chat");
        put(m, R_PORO, "", "bloom", "gpt3-finnish");
        put(m, R_VIKING, "K", "viking");
        put(m, R_TEKKEN, "KIB", "tekken");
        put(m, R_CHAMELEON, "BK", "chameleon");
        put(m, R_GPT4O, "K", "gpt-4o", "llama4", "kanana2", "talkie", "minimax-m2");
        put(m, R_BAILINGMOE, "K", "bailingmoe", "bailingmoe2", "llada-moe");
        put(m, R_SEED_CODER, "K", "seed-coder");
        put(m, R_QWEN2, "K", "grok-2");
        return Map.copyOf(m);
    }

    private static void put(Map<String, Config> m, List<String> regexes, String flags, String... names) {
        for (String n : names) {
            m.put(n, new Config(n, regexes, flags.contains("I"), flags.contains("B"), flags.contains("K"),
                flags.contains("S"), flags.contains("N")));
        }
    }

    /** Every tokenizer.ggml.pre value Shovel knows. */
    static java.util.Set<String> names() { return BY_NAME.keySet(); }

    /** The configuration for a tokenizer.ggml.pre value, or null if Shovel does not know it. */
    static Config config(String pre) { return BY_NAME.get(pre); }

    private final List<SplitStep> steps;

    PreTokenizer(List<String> regexes) {
        List<SplitStep> s = new ArrayList<>();
        for (String r : regexes) {
            if (r.equals(GPT2)) s.add(HandSplits.GPT2);
            else if (r.equals(LLAMA3)) s.add(HandSplits.LLAMA3);
            else if (!RegexSplit.usesCategories(r) && SetRunSplit.of(r) != null) s.add(SetRunSplit.of(r));
            else s.add(new RegexSplit(r));
        }
        this.steps = List.copyOf(s);
    }

    /** Splits text into pre-tokens, each returned byte-level encoded (GPT-2 byte-to-unicode). */
    List<String> split(String text) {
        SplitText t = new SplitText(text);
        IntList lengths = new IntList(1);
        lengths.add(t.length());
        for (SplitStep step : steps) lengths = step.apply(t, lengths);
        List<String> words = new ArrayList<>(lengths.size());
        int start = 0;
        for (int i = 0; i < lengths.size(); i++) {
            int end = start + lengths.get(i);
            words.add(ByteLevel.encode(t.cps, start, end));
            start = end;
        }
        return words;
    }
}
