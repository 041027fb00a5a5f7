package dev.shovel.bench;

import dev.shovel.gguf.GGUFFile;
import dev.shovel.tokenizer.Tokenizer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * Tokenizer encode throughput on ~1 MB of English prose, ~1 MB of mixed CJK text and source code, and one
 * 100 KB "word" (the merge loop's worst case). The tokenizer is a GGUF or tokenizer.json path:
 * {@code -p tokenizer=/path/model.gguf}. Scores are operations per second; one operation encodes the whole text.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
public class TokenizerBench {
    @Param({"/work/shared/tokenizer-vectors/llama3-tokenizer-json/tokenizer.json"})
    public String tokenizer;

    private Tokenizer tok;
    private String english;
    private String cjkCode;
    private String longWord;

    @Setup
    public void setup() {
        tok = load(tokenizer);
        english = englishText(1 << 20, 42);
        cjkCode = cjkAndCode(1 << 20, 43);
        longWord = longWord(100 * 1024);
    }

    @Benchmark
    public int[] encodeEnglish1MB() { return tok.encode(english, false, false); }

    @Benchmark
    public int[] encodeCjkAndCode1MB() { return tok.encode(cjkCode, false, false); }

    @Benchmark
    public int[] encodeSingleWord100KB() { return tok.encode(longWord, false, false); }

    static Tokenizer load(String path) {
        if (path.endsWith(".gguf")) {
            try (GGUFFile g = GGUFFile.open(Path.of(path))) {
                return Tokenizer.fromGGUF(g);
            }
        }
        return Tokenizer.fromHuggingFace(Path.of(path));
    }

    private static final String[] WORDS = ("the of and to a in is it you that he was for on are with as I his they be at one "
        + "have this from or had by hot word but what some we can out other were all there when up use your how said an "
        + "each she which do their time if will way about many then them write would like so these her long make thing "
        + "see him two has look more day could go come did number sound no most people my over know water than call first "
        + "who may down side been now find any new work part take get place made live where after back little only round "
        + "man year came show every good me give our under name very through just form sentence great think say help low "
        + "line differ turn cause much mean before move right boy old too same tell does set three want air well also play "
        + "small end put home read hand port large spell add even land here must big high such follow act why ask men "
        + "change went light kind off need house picture try us again animal point mother world near build self earth father "
        + "government's isn't don't we'll they've Mr. Smith's 1984 3.14 42% $100 e-mail well-known").split(" ");

    /** Pseudo-English: seeded random sentences of common words, punctuation, quotes, numbers and paragraphs. */
    static String englishText(int bytes, long seed) {
        Random r = new Random(seed);
        StringBuilder sb = new StringBuilder(bytes + 256);
        while (sb.length() < bytes) {
            int n = 4 + r.nextInt(18);
            boolean quote = r.nextInt(8) == 0;
            if (quote) sb.append('"');
            for (int i = 0; i < n; i++) {
                String w = WORDS[r.nextInt(WORDS.length)];
                if (i == 0) w = Character.toUpperCase(w.charAt(0)) + w.substring(1);
                sb.append(w);
                if (i + 1 < n) sb.append(r.nextInt(10) == 0 ? ", " : " ");
            }
            sb.append(r.nextInt(6) == 0 ? '?' : '.');
            if (quote) sb.append('"');
            sb.append(r.nextInt(7) == 0 ? "\n\n" : " ");
        }
        return sb.toString();
    }

    private static final String HAN = "的一是不了人我在有他这为之大来以个中上们到说国和地也子时道出而要于就下得可你年生自会那后能对着事其"
        + "里所去行过家十用发天如然作方成者多日都三小军二无同么经法当起与好看学进种将还分此心前面又定见只主没公从知"
        + "机器学习模型语言数据计算网络训练参数推理文本生成世界问题时间工作开发系统测试代码程序函数变量类型结构";
    private static final String KANA = "あいうえおかきくけこさしすせそたちつてとなにぬねのはひふへほまみむめもやゆよらりるれろわをんアイウエオカキクケコ";
    private static final String HANGUL = "가나다라마바사아자차카타파하한국어문장토큰화모델학습데이터";
    private static final String[] CODE = {
        "public static int add(int a, int b) {\n    return a + b;\n}\n",
        "for (int i = 0; i < n; i++) {\n    sum += values[i] * weights[i];\n}\n",
        "def tokenize(text: str) -> list[int]:\n    return [vocab[w] for w in text.split()]\n",
        "if (x != null && x.length() > 0) { System.out.println(\"value=\" + x); }\n",
        "    const result = await fetch(`/api/v1/items/${id}`, { method: 'GET' });\n",
        "#include <stdio.h>\nint main(void) { printf(\"%d\\n\", 0x7f); return 0; }\n",
        "SELECT id, name FROM users WHERE age >= 18 ORDER BY name;\n",
        "\t\tmap.put(\"key_\" + i, Math.max(0.5f, i / 3.0f)); // TODO: cache\n",
    };

    /** Seeded mix of Chinese, Japanese and Korean sentences and code snippets in several languages. */
    static String cjkAndCode(int bytes, long seed) {
        Random r = new Random(seed);
        StringBuilder all = new StringBuilder(bytes);
        int size = 0;
        while (size < bytes) {
            StringBuilder sb = new StringBuilder();
            switch (r.nextInt(4)) {
                case 0 -> sentence(sb, r, HAN, "，", "。");
                case 1 -> sentence(sb, r, KANA, "、", "。");
                case 2 -> sentence(sb, r, HANGUL, " ", ". ");
                default -> {
                    String c = CODE[r.nextInt(CODE.length)];
                    sb.append(c.replace("i", r.nextBoolean() ? "i" : "idx" + r.nextInt(100)));
                }
            }
            size += sb.toString().getBytes(StandardCharsets.UTF_8).length;
            all.append(sb);
        }
        return all.toString();
    }

    private static void sentence(StringBuilder sb, Random r, String chars, String comma, String stop) {
        int n = 6 + r.nextInt(30);
        for (int i = 0; i < n; i++) {
            sb.append(chars.charAt(r.nextInt(chars.length())));
            if (r.nextInt(12) == 0) sb.append(comma);
        }
        sb.append(stop);
        if (r.nextInt(5) == 0) sb.append('\n');
    }

    /** One pre-token of n letters that merge into many symbols: a pathological case for quadratic merging. */
    static String longWord(int n) {
        StringBuilder sb = new StringBuilder(n);
        String alphabet = "abcdefghijklmnopqrstuvwxyz";
        Random r = new Random(7);
        while (sb.length() < n) sb.append(alphabet.charAt(r.nextInt(alphabet.length())));
        return sb.toString();
    }

    /**
     * Quick timing without JMH: {@code java ... TokenizerBench [tokenizer path]...}. Prints MB/s of the first
     * (cold) call and the best of 5 by wall clock and by this thread's CPU time (steadier on a busy machine).
     */
    public static void main(String[] args) {
        String[] paths = args.length > 0 ? args : new String[] {
            "/work/shared/tokenizer-vectors/llama3-tokenizer-json/tokenizer.json"};
        java.lang.management.ThreadMXBean mx = java.lang.management.ManagementFactory.getThreadMXBean();
        String en = englishText(1 << 20, 42), mixed = cjkAndCode(1 << 20, 43), word = longWord(100 * 1024);
        for (String p : paths) {
            long t0 = System.nanoTime();
            Tokenizer t = load(p);
            System.out.printf("%s: %s loaded in %d ms%n", p, t, (System.nanoTime() - t0) / 1_000_000);
            for (String[] c : new String[][] {{"english 1 MB", en}, {"cjk+code 1 MB", mixed}, {"single word 100 KB", word}}) {
                String s = c[1];
                double mb = s.getBytes(StandardCharsets.UTF_8).length / 1e6;
                long c0 = System.nanoTime();
                int n = t.encode(s, false, false).length;
                double first = (System.nanoTime() - c0) / 1e9;
                double best = Double.MAX_VALUE, bestCpu = Double.MAX_VALUE;
                for (int i = 0; i < 5; i++) {
                    long s0 = System.nanoTime(), u0 = mx.getCurrentThreadCpuTime();
                    t.encode(s, false, false);
                    bestCpu = Math.min(bestCpu, (mx.getCurrentThreadCpuTime() - u0) / 1e9);
                    best = Math.min(best, (System.nanoTime() - s0) / 1e9);
                }
                System.out.printf("  %-18s %8d tokens  first %6.1f MB/s  best-of-5 %6.1f MB/s (cpu %6.1f MB/s)%n",
                    c[0], n, mb / first, mb / best, mb / bestCpu);
            }
        }
    }
}
