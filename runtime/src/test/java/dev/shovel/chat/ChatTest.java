package dev.shovel.chat;

import static dev.shovel.chat.ChatFixtures.qwen3Id;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shovel.api.Chat;
import dev.shovel.api.ChatMessage;
import dev.shovel.api.ChatTurn;
import dev.shovel.api.GenerationOptions;
import dev.shovel.api.GenerationResult.StopReason;
import dev.shovel.api.Model;
import dev.shovel.api.ModelOptions;
import dev.shovel.api.Session;
import dev.shovel.tokenizer.Tokenizer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The chat API on a random-weight model with the Qwen3 vocabulary and template, with scripted replies. */
class ChatTest {
    static Model model;
    static final int IM_START = 151644, IM_END = 151645;

    @BeforeAll
    static void load() {
        model = Model.load(ChatFixtures.qwen3Model(), ModelOptions.defaults().withThreads(2).withKvType(dev.shovel.gguf.GGMLType.F32));
    }

    @AfterAll
    static void close() { model.close(); }

    /** Picks the given tokens in order and records the logits and cache contents it was shown. */
    static final class Script implements GenerationOptions.TokenPicker {
        final int[] picks;
        int next;
        final List<float[]> logits = new ArrayList<>();
        final List<int[]> seen = new ArrayList<>();

        Script(int... picks) { this.picks = picks; }

        @Override
        public int pick(float[] l, int[] tokens) {
            logits.add(l.clone());
            seen.add(tokens);
            if (next == picks.length) throw new AssertionError("generation asked for more tokens than scripted");
            return picks[next++];
        }
    }

    static int[] concat(int[]... parts) {
        int n = 0;
        for (int[] p : parts) n += p.length;
        int[] out = new int[n];
        int at = 0;
        for (int[] p : parts) {
            System.arraycopy(p, 0, out, at, p.length);
            at += p.length;
        }
        return out;
    }

    static Chat chat(Session s, Script script) {
        return new Chat(s, GenerationOptions.greedy(-1).withPicker(script));
    }

    @Test
    void rendersTheModelsTemplateAndTokenizesSpecialTokens() {
        try (Session s = model.newSession()) {
            Chat chat = new Chat(s).system("You are terse.");
            assertTrue(chat.templateNote().isEmpty(), "the model's own template is used");
            List<ChatMessage> conv = new ArrayList<>(chat.messages());
            conv.add(ChatMessage.user("Hi"));
            String text = chat.render(conv, true);
            // Qwen3's template: system turn, user turn, then the generation prompt
            assertEquals("<|im_start|>system\nYou are terse.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n", text);
            int nl = qwen3Id("\u010A");
            int[] ids = chat.tokenize(text);
            int[] head = {IM_START, qwen3Id("system"), nl};
            assertArrayEquals(head, Arrays.copyOf(ids, 3), "no BOS (add_bos_token false), <|im_start|> parsed");
            int[] tail = {IM_END, nl, IM_START, qwen3Id("assistant"), nl};
            assertArrayEquals(tail, Arrays.copyOfRange(ids, ids.length - 5, ids.length), "no EOS appended");
            chat.variable("enable_thinking", false);
            assertTrue(chat.render(conv, true).endsWith("<|im_start|>assistant\n<think>\n\n</think>\n\n"),
                    "Qwen3's template with enable_thinking=false");
        }
    }

    @Test
    void imEndEndsTheTurnAndTheNextTurnOnlyProcessesWhatIsNew() {
        Tokenizer tok = model.tokenizer();
        int[] reply1 = tok.encode("Hi there!", false, false);
        int[] reply2 = tok.encode("Fine.", false, false);
        Script script = new Script(concat(reply1, new int[] {IM_END}, reply2, new int[] {IM_END}));
        try (Session s = model.newSession()) {
            Chat chat = chat(s, script);
            StringBuilder streamed = new StringBuilder();
            String r1 = chat.send("Hello", streamed::append);
            ChatTurn t1 = chat.lastTurn().orElseThrow();
            assertEquals("Hi there!", r1);
            assertEquals("Hi there!", streamed.toString(), "streamed text = reply");
            assertEquals(StopReason.END_OF_GENERATION, t1.stopReason());
            assertEquals(reply1.length + 1, script.next, "<|im_end|> was the last token asked for");
            assertEquals(reply1.length, t1.generatedTokens());
            assertEquals(0, t1.reusedTokens());
            int[] prompt1 = chat.tokenize("<|im_start|>user\nHello<|im_end|>\n<|im_start|>assistant\n");
            assertEquals(prompt1.length, t1.promptTokens());
            assertArrayEquals(concat(prompt1, reply1), s.tokens(), "cache = prompt + reply, without <|im_end|>");
            assertEquals(List.of(ChatMessage.user("Hello"), ChatMessage.assistant("Hi there!")), chat.messages());

            String r2 = chat.send("And you?", null);
            ChatTurn t2 = chat.lastTurn().orElseThrow();
            assertEquals("Fine.", r2);
            assertEquals(prompt1.length + reply1.length, t2.reusedTokens(), "the whole first turn stays cached");
            // new: <|im_end|> \n <|im_start|> user \n [And you?] <|im_end|> \n <|im_start|> assistant \n
            int[] question = tok.encode("And you?", false, false);
            assertEquals(10 + question.length, t2.processedTokens());
            int[] prompt2 = chat.tokenize(chat.render(chat.messages().subList(0, 3), true));
            assertEquals(prompt2.length, t2.promptTokens());
            assertEquals(IM_END, prompt2[prompt1.length + reply1.length], "the first new token closes the reply");

            // the reused cache gives the logits a fresh evaluation of the whole conversation gives
            float[] fresh;
            try (Session s2 = model.newSession()) {
                fresh = s2.evaluate(prompt2);
            }
            float[] got = script.logits.get(reply1.length + 1);
            float max = 0;
            for (int i = 0; i < fresh.length; i++) max = Math.max(max, Math.abs(fresh[i] - got[i]));
            assertTrue(max < 1e-3, "max |logit difference| " + max);
            assertArrayEquals(prompt2, script.seen.get(reply1.length + 1), "the picker saw the whole rendered prompt");
        }
    }

    /**
     * A harmony template (gpt-oss: it writes channel tags and rejects them in history content): the history keeps the
     * final channel's text of a reply, the streamed and returned text stay as generated.
     */
    @Test
    void harmonyRepliesKeepOnlyTheFinalChannelInTheHistory() {
        String template = "{%- for m in messages %}{%- if '<|channel|>' in m.content %}"
                + "{{- raise_exception('channel tags in content') }}{%- endif %}"
                + "<|im_start|>{{ m.role }}<|channel|>final<|message|>{{ m.content }}<|im_end|>{%- endfor %}"
                + "{%- if add_generation_prompt %}<|im_start|>assistant{%- endif %}";
        Tokenizer tok = model.tokenizer();
        String raw = "<|channel|>analysis<|message|>Greet back.<|end|><|start|>assistant<|channel|>final<|message|>Hi!";
        int[] reply = tok.encode(raw, false, false);
        Script script = new Script(concat(reply, new int[] {IM_END}, tok.encode("Bye.", false, false), new int[] {IM_END}));
        try (Session s = model.newSession()) {
            Chat chat = new Chat(s, GenerationOptions.greedy(-1).withPicker(script), template);
            assertEquals(raw, chat.send("Hello", null));
            assertEquals(List.of(ChatMessage.user("Hello"), ChatMessage.assistant("Hi!")), chat.messages());
            assertEquals("Bye.", chat.send("Again", null), "the template accepts the history");
        }
        // a template without channel tags keeps replies as generated
        try (Session s = model.newSession()) {
            Chat chat = new Chat(s, GenerationOptions.greedy(-1).withPicker(new Script(concat(reply, new int[] {IM_END}))));
            chat.send("Hello", null);
            assertEquals(ChatMessage.assistant(raw), chat.messages().get(1));
        }
    }

    @Test
    void aReplyThatDoesNotRetokenizeTheSameIsProcessedAgainFromWhereItDiffers() {
        Tokenizer tok = model.tokenizer();
        int h = qwen3Id("H"), i = qwen3Id("i");
        assertArrayEquals(new int[] {qwen3Id("Hi")}, tok.encode("Hi", false, false), "\"Hi\" is one token");
        Script script = new Script(h, i, IM_END, IM_END);
        try (Session s = model.newSession()) {
            Chat chat = chat(s, script);
            assertEquals("Hi", chat.send("Hello", null));
            int prompt1 = chat.lastTurn().orElseThrow().promptTokens();
            assertEquals("", chat.send("Again", null));
            ChatTurn t2 = chat.lastTurn().orElseThrow();
            assertEquals(prompt1, t2.reusedTokens(), "reuse stops where H,i became Hi");
            assertEquals(StopReason.END_OF_GENERATION, t2.stopReason());
        }
    }

    @Test
    void aFullMessageListCanBeGivenEachTime() {
        Script script = new Script(qwen3Id("Yes"), IM_END, qwen3Id("No"), IM_END);
        try (Session s = model.newSession()) {
            Chat chat = chat(s, script);
            List<ChatMessage> conv = List.of(ChatMessage.system("Answer yes or no."), ChatMessage.user("Sky blue?"));
            ChatTurn t1 = chat.reply(conv, null);
            assertEquals("Yes", t1.reply());
            List<ChatMessage> more = new ArrayList<>(chat.messages());
            assertEquals(ChatMessage.assistant("Yes"), more.getLast());
            more.add(ChatMessage.user("Grass red?"));
            ChatTurn t2 = chat.reply(more, null);
            assertEquals("No", t2.reply());
            assertEquals(t1.promptTokens() + 1, t2.reusedTokens(), "prompt and the one reply token reused");
            assertEquals(5, chat.messages().size());
        }
    }

    @Test
    void maxTokensAndStopStringsEndATurnToo() {
        Tokenizer tok = model.tokenizer();
        int[] words = tok.encode("one two three END four", false, false);
        try (Session s = model.newSession()) {
            Chat chat = new Chat(s, new GenerationOptions(2, null, List.of("END")).withPicker(new Script(words)));
            assertEquals("one two", chat.send("count", null));
            assertEquals(StopReason.MAX_TOKENS, chat.lastTurn().orElseThrow().stopReason());
            chat.options(new GenerationOptions(-1, null, List.of("END")).withPicker(new Script(words)));
            assertEquals("one two three ", chat.send("again", null));
            assertEquals(StopReason.STOP_STRING, chat.lastTurn().orElseThrow().stopReason());
            assertEquals("one two three ", chat.messages().getLast().content());
        }
    }

    @Test
    void templateErrorsLeaveTheConversationAsItWas() {
        try (Session s = model.newSession()) {
            Chat chat = new Chat(s, GenerationOptions.greedy(1), "{{ raise_exception('roles must alternate') }}");
            TemplateException e = assertThrows(TemplateException.class, () -> chat.send("hi", null));
            assertTrue(e.getMessage().contains("roles must alternate"), e.getMessage());
            assertTrue(chat.messages().isEmpty());
            assertThrows(TemplateException.class, () -> new Chat(s, null, "{% if %}"));
        }
    }

    /** stories260K: SentencePiece, add_bos_token true, BOS "<s>", no chat template. */
    @Test
    void bosIsAddedOnlyWhenTheRenderingDoesNotStartWithIt() {
        try (Model m = Model.loadDefault(ModelOptions.defaults().withThreads(1)); Session s = m.newSession()) {
            Chat fallback = new Chat(s);
            assertEquals("the model has no chat template; using ChatML", fallback.templateNote().orElseThrow());
            assertEquals("<|im_start|>user\nhi<|im_end|>\n<|im_start|>assistant\n",
                    fallback.render(List.of(ChatMessage.user("hi")), true));
            int bos = m.tokenizer().bos();
            assertEquals(1, bos);

            Chat withBos = new Chat(s, null, "{{ bos_token }}{% for m in messages %}{{ m.content }}{% endfor %}");
            int[] a = withBos.tokenize(withBos.render(List.of(ChatMessage.user("Lily")), true));
            assertEquals(bos, a[0]);
            assertTrue(a[1] != bos, "exactly one BOS: " + Arrays.toString(a));

            Chat without = new Chat(s, null, "{% for m in messages %}{{ m.content }}{% endfor %}");
            int[] b = without.tokenize(without.render(List.of(ChatMessage.user("Lily")), true));
            assertArrayEquals(a, b, "BOS added per metadata when the template does not render it");
            assertFalse(b.length > 1 && b[b.length - 1] == m.tokenizer().eos(), "no EOS");
        }
    }
}
