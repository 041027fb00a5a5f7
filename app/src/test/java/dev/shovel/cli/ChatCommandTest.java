package dev.shovel.cli;

import static dev.shovel.cli.CliRun.assertOneLineError;
import static dev.shovel.cli.CliRun.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shovel.chat.ChatFixtures;
import dev.shovel.cli.CliRun.Run;
import dev.shovel.gguf.GGUFFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code shovel chat} with piped input, as a script or a new user would drive it: on a random model with the Qwen3
 * vocabulary and template, and (for the plumbing) on the embedded stories260K, which has no template.
 */
class ChatCommandTest {
    static final Pattern TURN = Pattern.compile("\\[turn (\\d+): prompt (\\d+) tokens, (\\d+) reused, (\\d+) processed");

    static String model() { return ChatFixtures.qwen3Model().toString(); }

    @Test
    void pipedConversationRendersTheTemplateAndReusesTheCache() {
        Run r = run("Hello there\nHow are you?\n", "chat", "-m", model(), "-n", "4", "--temp", "0", "-t", "2",
                "--system", "Be brief.", "--verbose-prompt");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.err().contains("<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nHello there<|im_end|>\n"
                + "<|im_start|>assistant\n"), r.err());
        assertFalse(r.err().contains("note:"), "the model's own template is used: " + r.err());
        assertEquals(2, r.out().split("\n", -1).length - 1, "one stdout line per reply: [" + r.out() + "]");
        Matcher m = TURN.matcher(r.err());
        assertTrue(m.find(), r.err());
        int prompt1 = Integer.parseInt(m.group(2));
        assertEquals("0", m.group(3));
        assertEquals(prompt1, Integer.parseInt(m.group(4)));
        assertTrue(m.find(), r.err());
        assertEquals("2", m.group(1));
        int reused = Integer.parseInt(m.group(3)), processed = Integer.parseInt(m.group(4));
        assertTrue(reused >= prompt1, "turn 2 reuses at least the first prompt: " + r.err());
        assertEquals(Integer.parseInt(m.group(2)), reused + processed);
        assertFalse(m.find(), "end of input ends the chat after two turns");
    }

    @Test
    void synthTakesTheVocabularyFromATokenizerJson(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("synth.gguf");
        Run r = run("", "synth", "-o", out.toString(), "--vocab-from", ChatFixtures.qwen3Dir().resolve("tokenizer.json").toString(),
                "--tied", "--dim", "32", "--heads", "2", "--kv-heads", "1", "--ffn", "32", "--layers", "1");
        assertEquals(0, r.code(), r.err());
        try (GGUFFile f = GGUFFile.open(out)) {
            assertEquals("qwen2", f.getString("tokenizer.ggml.pre", null));
            int n = f.getStringArray("tokenizer.ggml.tokens").length;
            assertEquals(151669, n);
            assertEquals(n, f.tensor("token_embd.weight").dims()[1]);
            assertTrue(f.getString("tokenizer.chat_template", "").contains("<|im_start|>"));
        }
        try (var files = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
            assertFalse(files.anyMatch(p -> p.getFileName().toString().startsWith("shovel-vocab")
                    && p.getFileName().toString().endsWith(".gguf")), "the temporary vocab GGUF is removed");
        }
    }

    @Test
    void exitStopsReadingAndLongLinesContinue() {
        Run r = run("first \\\nsecond\n/exit\nnever sent\n", "chat", "-n", "2", "--temp", "0", "--verbose-prompt");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.err().contains("<|im_start|>user\nfirst \nsecond<|im_end|>"), r.err());
        assertFalse(r.err().contains("never sent"), r.err());
        assertTrue(r.err().contains("[turn 1:") && !r.err().contains("[turn 2:"), r.err());
    }

    @Test
    void samplingOptionsAreSharedWithGenerate() {
        String[] args = {"chat", "-n", "6", "--temp", "1.5", "--top-k", "0", "--seed", "11"};
        Run a = run("Tell me a story\n", args);
        Run b = run("Tell me a story\n", args);
        assertEquals(0, a.code(), a.err());
        assertEquals(a.out(), b.out(), "same seed, same reply");
        assertFalse(a.out().isBlank());
    }

    @Test
    void modelWithoutTemplateFallsBackToChatMLWithANote() {
        Run r = run("Lily\n", "chat", "-n", "3", "--temp", "0", "--verbose-prompt");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.err().contains("note: the model has no chat template; using ChatML"), r.err());
        assertTrue(r.err().contains("<|im_start|>user\nLily<|im_end|>\n<|im_start|>assistant\n"), r.err());
    }

    @Test
    void templateKwargsBecomeTemplateVariables() {
        Run r = run("Lily\n", "chat", "-n", "1", "--temp", "0", "--verbose-prompt", "--chat-template",
                "{% for m in messages %}{{ m.content }}{% endfor %}{% if think is false %}[no think]{% endif %}{{ n + 1 }}",
                "--chat-template-kwargs", "{\"think\": false, \"n\": 41}");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.err().contains("[prompt]\nLily[no think]42[/prompt]"), r.err());
        assertOneLineError(run("", "chat", "--chat-template-kwargs", "[1]"), "JSON object");
        assertOneLineError(run("", "chat", "--chat-template-kwargs", "{oops"), "not valid JSON");
    }

    @Test
    void resetStartsOver() {
        Run r = run("one\n/reset\ntwo\n", "chat", "-n", "2", "--temp", "0", "--verbose-prompt");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.err().contains("(conversation cleared)"), r.err());
        String second = r.err().substring(r.err().lastIndexOf("[prompt]"));
        assertTrue(second.contains("two") && !second.contains("one"), second);
    }

    @Test
    void templateErrorsAndBadOptions() {
        Run r = run("hi\n", "chat", "-n", "2", "--chat-template", "{{ raise_exception('no chat here') }}");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.err().contains("error: no chat here"), r.err());
        assertOneLineError(run("", "chat", "--chat-template", "{% if %}"), "line 1");
        assertOneLineError(run("", "chat", "--chat-template", "x", "--chat-template-file", "y"), "once");
        assertOneLineError(run("", "chat", "-m", "missing.gguf"), "missing.gguf");
        assertOneLineError(run("", "chat", "--temp", "-1"), "temperature");
    }
}
