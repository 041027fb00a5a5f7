package dev.shovel.cli;

import static dev.shovel.cli.CliRun.assertOneLineError;
import static dev.shovel.cli.CliRun.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shovel.chat.ChatFixtures;
import dev.shovel.cli.CliRun.Run;
import dev.shovel.gguf.GGUFWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code shovel tokenize} against llama.cpp's vocab-only GGUF files and tokenizer vectors. */
class TokenizeCommandTest {
    static String ids(int[] ids) {
        return Arrays.stream(ids).mapToObj(Integer::toString).collect(Collectors.joining(", ", "[", "]\n"));
    }

    static Path llamaSpm() { return ChatFixtures.unpack("/vocab/llama.cpp-vocab/ggml-vocab-llama-spm.gguf.gz"); }

    @Test
    void defaultOutputIsOneLinePerTokenWithBos() {
        Run r = run("", "tokenize", "-m", llamaSpm().toString(), "-p", "Hello world");
        assertEquals(0, r.code(), r.err());
        // ids from ggml-vocab-llama-spm.gguf.out ("Hello world" -> 15043 3186), BOS 1 per add_bos_token
        assertEquals("     1 -> '<s>'\n 15043 -> ' Hello'\n  3186 -> ' world'\n", r.out());
    }

    @Test
    void vocabOnlyGgufReproducesLlamaCppVectors() throws Exception {
        List<String> in = ChatFixtures.vectorInputs("ggml-vocab-llama-spm.gguf");
        List<int[]> out = ChatFixtures.vectorOutputs("ggml-vocab-llama-spm.gguf");
        assertEquals(46, in.size());
        // every third text: the tokenizer module checks all of them; here the bytes must pass through stdin intact
        for (int k = 0; k < in.size(); k += 3) {
            Run r = run(in.get(k), "tokenize", "-m", llamaSpm().toString(), "--stdin", "--ids", "--no-bos",
                    "--no-parse-special", "--no-escape", "--log-disable");
            assertEquals(0, r.code(), r.err());
            assertEquals(ids(out.get(k)), r.out(), "text #" + k + ": [" + in.get(k) + "]");
        }
    }

    @Test
    void convertedQwen3VocabParsesSpecialTokens() {
        Run r = run("", "tokenize", "-m", ChatFixtures.qwen3VocabGguf().toString(), "-p", "<|im_start|>user", "--ids", "--show-count");
        assertEquals(0, r.code(), r.err());
        // ids from tokenizer.json: added token <|im_start|>, vocab entry "user"; no BOS as add_bos_token is false
        assertEquals("[" + ChatFixtures.qwen3Id("<|im_start|>") + ", " + ChatFixtures.qwen3Id("user") + "]\n"
                + "Total number of tokens: 2\n", r.out());
    }

    @Test
    void specialTokenTextStaysTextWithNoParseSpecial() {
        String spm = llamaSpm().toString();
        assertEquals("[1, 1]\n", run("", "tokenize", "-m", spm, "-p", "<s>", "--ids").out());
        Run plain = run("", "tokenize", "-m", spm, "-p", "<s>", "--ids", "--no-parse-special", "--no-bos");
        assertEquals(0, plain.code(), plain.err());
        assertFalse(Arrays.asList(plain.out().replaceAll("[\\[\\]\\s]", "").split(",")).contains("1"), plain.out());
    }

    @Test
    void aTokenizerJsonWorksAsTheModel(@TempDir Path dir) throws Exception {
        Path json = dir.resolve("tokenizer.json");
        Files.writeString(json, """
                {"added_tokens": [{"id": 5, "content": "<|end|>", "special": true}],
                 "pre_tokenizer": {"type": "ByteLevel", "add_prefix_space": false, "use_regex": true},
                 "decoder": {"type": "ByteLevel"},
                 "model": {"type": "BPE", "vocab": {"a": 0, "b": 1, "ab": 2, "\\u0120": 3, "\\u0120ab": 4},
                           "merges": ["a b", "\\u0120 ab"]}}
                """);
        Run r = run("", "tokenize", "-m", json.toString(), "-p", "ab ab<|end|>");
        assertEquals(0, r.code(), r.err());
        assertEquals("     2 -> 'ab'\n     4 -> ' ab'\n     5 -> '<|end|>'\n", r.out());
        assertEquals(r.out(), run("", "tokenize", "-m", dir.toString(), "-p", "ab ab<|end|>").out(), "or its directory");
    }

    @Test
    void escapesAreProcessedUnlessNoEscape(@TempDir Path dir) throws Exception {
        String spm = llamaSpm().toString();
        Run escaped = run("", "tokenize", "-m", spm, "-p", "a\\nb\\x41", "--ids");
        Run literal = run("", "tokenize", "-m", spm, "-p", "a\nbA", "--ids", "--no-escape");
        Run raw = run("", "tokenize", "-m", spm, "-p", "a\\nb\\x41", "--ids", "--no-escape");
        assertEquals(literal.out(), escaped.out());
        assertNotEquals(literal.out(), raw.out());
        Path f = dir.resolve("text.txt");
        Files.writeString(f, "a\nbA");
        assertEquals(literal.out(), run("", "tokenize", "-m", spm, "-f", f.toString(), "--ids").out(), "-f reads the file");
    }

    @Test
    void badUseIsOneLineError(@TempDir Path dir) throws Exception {
        String spm = llamaSpm().toString();
        assertOneLineError(run("", "tokenize", "-m", spm), "-p");
        assertOneLineError(run("", "tokenize", "-m", spm, "-p", "x", "--stdin"), "once");
        assertOneLineError(run("", "tokenize", "-m", dir.resolve("missing.gguf").toString(), "-p", "x"), "not found");
        assertOneLineError(run("", "tokenize", "-m", spm, "-f", dir.resolve("missing.txt").toString()), "not found");
        Path noVocab = dir.resolve("novocab.gguf");
        new GGUFWriter().putString("general.name", "empty").write(noVocab);
        assertOneLineError(run("", "tokenize", "-m", noVocab.toString(), "-p", "x"), "no tokenizer");
    }
}
