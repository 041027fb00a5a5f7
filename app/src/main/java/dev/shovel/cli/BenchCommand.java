package dev.shovel.cli;

import dev.shovel.ShovelException;
import dev.shovel.api.Device;
import dev.shovel.api.Model;
import dev.shovel.api.ModelOptions;
import dev.shovel.api.Session;
import dev.shovel.backend.Bandwidth;
import dev.shovel.backend.FmaPeak;
import dev.shovel.gguf.GGMLType;
import dev.shovel.gguf.TensorInfo;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** llama-bench-style rows: prompt processing (ppN) and token generation (tgN) speed, mean ± sd over repetitions. */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Measure prompt processing (pp) and generation (tg) speed, llama-bench style.")
public final class BenchCommand implements Callable<Integer> {
    @Mixin ModelOptionsMixin model;

    @Option(names = {"-p", "--n-prompt"}, paramLabel = "N", split = ",", description = "prompt tokens per pp test (default: ${DEFAULT-VALUE})", defaultValue = "64")
    List<Integer> nPrompt;

    @Option(names = {"-n", "--n-gen"}, paramLabel = "N", split = ",", description = "generated tokens per tg test (default: ${DEFAULT-VALUE})", defaultValue = "32")
    List<Integer> nGen;

    @Option(names = {"-d", "--n-depth"}, paramLabel = "N", split = ",", description = "tokens already in the context when each test starts, llama-bench's depth (default: ${DEFAULT-VALUE})", defaultValue = "0")
    List<Integer> depths;

    @Option(names = {"-r", "--repetitions"}, paramLabel = "N", description = "repetitions (default: ${DEFAULT-VALUE})", defaultValue = "5")
    int reps;

    @Option(names = {"-dev", "--devices"}, paramLabel = "DEV", split = ",",
            description = "devices to measure, one set of rows each, e.g. cpu,opencl (default: --device)")
    List<String> devices;

    @Option(names = "--bandwidth", description = "also measure the memory-bandwidth ceiling and print decode's share of it")
    boolean bandwidth;

    @Option(names = "--flops", description = "also measure the float FMA peak (the Vector API's) and print prefill's share of it")
    boolean flops;

    @Option(names = "--grammar-file", paramLabel = "FILE", description = "also measure a sampled generation constrained by this GBNF grammar against an unconstrained one")
    java.nio.file.Path grammarFile;

    @Option(names = {"-jf", "--json-schema-file"}, paramLabel = "FILE", description = "the same with the grammar of this JSON schema")
    java.nio.file.Path schemaFile;

    @Override
    public Integer call() {
        if (reps < 1) throw new ShovelException("repetitions must be >= 1, got " + reps);
        for (int d : depths) if (d < 0) throw new ShovelException("depth must be >= 0, got " + d);
        int deepest = depths.stream().mapToInt(Integer::intValue).max().orElse(0);
        int longest = Math.max(nPrompt.stream().mapToInt(Integer::intValue).max().orElse(0), nGen.stream().mapToInt(Integer::intValue).max().orElse(0));
        List<String> devs = devices == null || devices.isEmpty() ? List.of(model.device) : devices;
        System.out.printf("| %-28s | %10s | %10s | %-7s | %7s | %15s | %20s |%n", "model", "size", "params", "backend", "threads", "test", "t/s");
        System.out.printf("| %-28s | %10s | %10s | %-7s | %7s | %15s | %20s |%n", "-".repeat(28), "-".repeat(9) + ":", "-".repeat(9) + ":", "-".repeat(7), "-".repeat(6) + ":", "-".repeat(14) + ":", "-".repeat(19) + ":");
        double tgMean = 0, ppMean = 0;
        long bytes = 0, matmulParams = 0;
        String rssLine = null;
        int threads = 0;
        for (String dev : devs) {
            ModelOptions o = model.options().withDevice(Device.parse(dev));
            if (deepest > 0 && o.ctxSize() == 0) o = o.withCtxSize(Math.max(4096, deepest + longest)); // room for the depth
            try (Model m = model.model == null ? Model.loadDefault(o) : Model.load(model.model, o)) {
                long params = 0;
                bytes = 0;
                Map<GGMLType, Long> byType = new TreeMap<>();
                matmulParams = 0;
                for (TensorInfo t : m.gguf().tensors().values()) {
                    params += t.elements();
                    if (t.dims().length >= 2 && !t.name().equals("token_embd.weight")) matmulParams += t.elements();
                    bytes += t.bytes();
                    byType.merge(t.type(), t.bytes(), Long::sum);
                }
                GGMLType main = byType.entrySet().stream().max(Map.Entry.comparingByValue()).map(Map.Entry::getKey).orElse(GGMLType.F32);
                String name = m.config().arch() + " " + sizeLabel(params) + " " + main;
                String size = String.format("%.2f GiB", bytes / (double) (1L << 30));
                String ps = String.format("%.2f B", params / 1e9);
                String backend = m.options().device().label();
                threads = m.threads();
                try (Session s = m.newSession()) {
                    int vocab = m.config().nVocab();
                    for (int d : depths) {
                        if (d + longest > s.contextSize()) {
                            throw new ShovelException("depth " + d + " and " + longest + " test tokens do not fit the context of "
                                    + s.contextSize() + "; raise -c");
                        }
                        int[] depth = randomTokens(d, vocab, 99);
                        String at = d > 0 ? " @ d" + d : "";
                        for (int n : nPrompt) {
                            if (n <= 0) continue;
                            double[] r = measure(() -> toDepth(s, depth), () -> prompt(s, n, vocab, d), n);
                            row(name, size, ps, backend, threads, "pp" + n + at, r);
                            if (!m.options().device().isOpenCl() && d == 0) ppMean = r[0];
                        }
                        for (int n : nGen) {
                            if (n <= 0) continue;
                            double[] r = measure(() -> toDepth(s, depth), () -> generate(s, n, vocab), n);
                            row(name, size, ps, backend, threads, "tg" + n + at, r);
                            if (!m.options().device().isOpenCl() && d == 0) tgMean = r[0];
                        }
                    }
                    if (grammarFile != null || schemaFile != null) {
                        String gname = (grammarFile != null ? grammarFile : schemaFile).getFileName().toString();
                        for (int n : nGen) if (n > 0) GrammarBench.run(m, grammar(), n, reps, gname);
                    }
                    long rss = rssBytes(); // with the session open: its KV cache counts
                    long perCell = (long) m.config().nLayer() * m.config().kvDim() * (m.config().mla() != null ? 1 : 2) * m.options().kvType().bytesFor(1 << 8) / 256;
                    long kv = s.contextSize() * perCell, used = 0;
                    for (int d : depths) used = Math.max(used, Math.min(s.contextSize(), d + longest) * perCell);
                    if (m.options().device().isOpenCl()) used = kv; // device memory: counted whole
                    long file = m.gguf().path().toFile().length();
                    if (rss > 0) { // the CPU cache takes RAM only for the cells written (lazy pages)
                        rssLine = String.format("memory: RSS %d MiB with the %s model loaded = file %d MiB + KV cache %d MiB written of %d MiB (%d cells, %s) + %d MiB",
                                rss >> 20, backend, file >> 20, used >> 20, kv >> 20, s.contextSize(),
                                m.options().kvType().name().toLowerCase(java.util.Locale.ROOT), (rss - file - used) >> 20);
                    }
                }
            }
        }
        if (rssLine != null) System.out.printf("%n%s%n", rssLine);
        if (bandwidth) {
            double gbs = Bandwidth.measure(threads);
            double ceiling = gbs * 1e9 / bytes;
            System.out.printf("%nmemory bandwidth (read, %d threads): %.1f GB/s -> decode ceiling %.1f tok/s for %.2f GiB%n",
                    threads, gbs, ceiling, bytes / (double) (1L << 30));
            if (tgMean > 0) System.out.printf("CPU decode reaches %.0f%% of the ceiling%n", 100 * tgMean / ceiling);
        }
        if (flops) {
            double gflops = FmaPeak.measure(threads);
            double ceiling = gflops * 1e9 / (2.0 * matmulParams);
            System.out.printf("%nfloat FMA peak (Vector API, %d threads, %d lanes): %.1f GFLOP/s -> prefill ceiling %.1f tok/s (2 FLOP per matmul weight)%n",
                    threads, jdk.incubator.vector.FloatVector.SPECIES_PREFERRED.length(), gflops, ceiling);
            if (ppMean > 0) System.out.printf("CPU prefill reaches %.0f%% of the ceiling%n", 100 * ppMean / ceiling);
        }
        return 0;
    }

    private dev.shovel.grammar.Grammar grammar() {
        try {
            if (grammarFile != null) return dev.shovel.grammar.Grammar.parse(java.nio.file.Files.readString(grammarFile));
            return dev.shovel.grammar.Grammar.fromJsonSchema(java.nio.file.Files.readString(schemaFile));
        } catch (java.io.IOException e) {
            throw new ShovelException("cannot read " + (grammarFile != null ? grammarFile : schemaFile) + ": " + e.getMessage());
        }
    }

    /** Resident set size from /proc (Linux), or 0 where there is none. */
    private static long rssBytes() {
        try {
            for (String line : java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
            }
        } catch (java.io.IOException | RuntimeException e) {
            return 0;
        }
        return 0;
    }

    private interface Run { void run(); }

    /**
     * Warm-up (at least one run and two seconds, so the JIT has compiled the kernels), then {@code reps} timed runs;
     * returns {mean, sd} of tokens/s.
     */
    private double[] measure(Run setup, Run r, int tokens) {
        long warm = System.nanoTime();
        do {
            setup.run();
            r.run();
        } while (System.nanoTime() - warm < 2_000_000_000L);
        double[] tps = new double[reps];
        for (int i = 0; i < reps; i++) {
            setup.run();
            long t0 = System.nanoTime();
            r.run();
            tps[i] = tokens * 1e9 / (System.nanoTime() - t0);
        }
        double mean = 0;
        for (double v : tps) mean += v;
        mean /= reps;
        double var = 0;
        for (double v : tps) var += (v - mean) * (v - mean);
        return new double[] {mean, reps > 1 ? Math.sqrt(var / (reps - 1)) : 0};
    }

    private static int[] randomTokens(int n, int vocab, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        int[] t = new int[n];
        for (int i = 0; i < n; i++) t[i] = rnd.nextInt(vocab);
        return t;
    }

    /**
     * The cache back to exactly the depth's tokens, untimed: filled once, then kept (what each test added is cut off),
     * as llama-bench's fill before every repetition leaves it.
     */
    private static void toDepth(Session s, int[] depth) {
        if (depth.length == 0) s.reset();
        else s.evaluate(depth);
    }

    private static void prompt(Session s, int n, int vocab, int depth) {
        int[] all = java.util.Arrays.copyOf(s.tokens(), depth + n);
        System.arraycopy(randomTokens(n, vocab, n), 0, all, depth, n);
        s.evaluate(all);
    }

    private static void generate(Session s, int n, int vocab) {
        int t = randomTokens(1, vocab, 7)[0];
        for (int i = 0; i < n; i++) s.decode(t);
    }

    private static void row(String model, String size, String params, String backend, int threads, String test, double[] r) {
        System.out.printf("| %-28s | %10s | %10s | %-7s | %7d | %15s | %20s |%n", model, size, params, backend, threads, test,
                String.format("%.2f ± %.2f", r[0], r[1]));
    }

    static String sizeLabel(long params) {
        if (params >= 1e9) return String.format("%.0fB", params / 1e9);
        if (params >= 1e6) return String.format("%.0fM", params / 1e6);
        return String.format("%.0fK", params / 1e3);
    }
}
