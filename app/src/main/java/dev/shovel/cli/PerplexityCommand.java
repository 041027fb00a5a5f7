package dev.shovel.cli;

import dev.shovel.ShovelException;
import dev.shovel.api.Model;
import dev.shovel.model.KvCache;
import dev.shovel.tokenizer.Tokenizer;
import dev.shovel.tools.Perplexity;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Perplexity of a text file, computed and printed as llama.cpp's {@code llama-perplexity}. */
@Command(name = "perplexity", mixinStandardHelpOptions = true,
        description = "Perplexity of a text file: chunks of -c tokens, second half of each scored (llama-perplexity).")
public final class PerplexityCommand implements Callable<Integer> {
    @Mixin ModelOptionsMixin model;

    @Option(names = {"-f", "--file"}, required = true, paramLabel = "FILE", description = "the text to score")
    Path file;

    @Option(names = "--chunks", paramLabel = "N", defaultValue = "-1", description = "score at most N chunks, -1 = all (default: ${DEFAULT-VALUE})")
    int chunks;

    @Override
    public Integer call() throws IOException {
        if (!Files.isRegularFile(file)) throw new ShovelException("text file not found: " + file);
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (CharacterCodingException e) {
            throw new ShovelException("text file " + file + " is not valid UTF-8");
        }
        PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        try (Model m = model.load()) {
            Tokenizer tok = m.tokenizer();
            int nCtx = m.contextSize();
            long t0 = System.nanoTime();
            int[] tokens = tok.encode(text, true, false);
            System.err.printf("perplexity: tokenized %d tokens in %.0f ms%n", tokens.length, (System.nanoTime() - t0) / 1e6);
            if (tokens.length >= 2 * nCtx) {
                System.err.printf("perplexity: calculating perplexity over %d chunks, n_ctx=%d, batch_size=%d%n",
                        chunks > 0 ? Math.min(chunks, tokens.length / nCtx) : tokens.length / nCtx, nCtx, m.batchSize());
            }
            long t1 = System.nanoTime();
            Perplexity.Result r;
            try (KvCache cache = m.newCache(nCtx)) {
                int nVocab = m.config().nVocab();
                r = Perplexity.compute(tokens, nCtx, tok.addBos() ? tok.bos() : -1, nVocab,
                        Perplexity.batched(m::forward, cache, m.batchSize(), nVocab), Perplexity.printer(out), chunks);
            }
            out.println();
            out.printf("Final estimate: PPL = %.4f +/- %.5f%n", r.ppl(), r.stderr());
            System.err.printf("perplexity: %d chunks, %d tokens scored in %.2f s%n", r.chunks(), r.scored(),
                    (System.nanoTime() - t1) / 1e9);
        }
        return 0;
    }
}
