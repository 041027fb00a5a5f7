package dev.shovel.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shovel.api.EmbeddedModel;
import dev.shovel.api.GenerationOptions;
import dev.shovel.api.GenerationResult;
import dev.shovel.api.GenerationResult.StopReason;
import dev.shovel.api.Model;
import dev.shovel.api.ModelOptions;
import dev.shovel.api.PromptTooLongException;
import dev.shovel.api.Session;
import dev.shovel.gen.SamplerParams;
import dev.shovel.gguf.GGMLType;
import dev.shovel.model.Reference;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The batching engine against the one-sequence path ({@link Session#generate}, what {@code shovel generate} runs). The
 * Q4_0 reference model is used where results must be equal token for token: its batched matmul gives the one-row
 * result bit for bit, so a request must not depend on what runs beside it.
 */
class EngineTest {
    static Model q4;
    static Model stories;

    @BeforeAll
    static void load() {
        q4 = Model.load(Reference.root().resolve("llamaq-q4_0/model.gguf"), ModelOptions.defaults().withThreads(2).withCtxSize(256).withBatchSize(64));
        stories = Model.loadDefault(ModelOptions.defaults().withThreads(2).withCtxSize(256));
    }

    @AfterAll
    static void close() {
        q4.close();
        stories.close();
    }

    static int[] randomPrompt(Random r, int n) {
        int[] p = new int[n];
        p[0] = 1;
        for (int i = 1; i < n; i++) p[i] = 3 + r.nextInt(509);
        return p;
    }

    /** What the one-sequence path generates for the prompt, from an empty cache. */
    static GenerationResult alone(Model m, int[] prompt, GenerationOptions o) {
        try (Session s = m.newSession()) {
            return s.generate(prompt, o, null);
        }
    }

    @Test
    void greedyRequestsMatchTheSingleSequencePathAloneAndBesideSevenOthers() throws Exception {
        Random r = new Random(7);
        List<int[]> prompts = new ArrayList<>();
        for (int i = 0; i < 8; i++) prompts.add(randomPrompt(r, 5 + r.nextInt(60)));
        GenerationOptions o = GenerationOptions.greedy(24);
        List<GenerationResult> want = new ArrayList<>();
        for (int[] p : prompts) want.add(alone(q4, p, o));

        try (Engine e = new Engine(q4, EngineOptions.defaults().withSlots(4).withBatchSize(32))) {
            // alone
            Completion c0 = e.generate(new Request(prompts.get(0), o), null);
            assertArrayEquals(want.get(0).tokens(), c0.tokens(), "alone");
            // eight at once on four slots: four wait in the queue, prompts are chunked beside decoding rows
            List<Generation> gs = new ArrayList<>();
            for (int[] p : prompts) gs.add(e.submit(new Request(p, o)));
            for (int i = 0; i < gs.size(); i++) {
                Completion c = gs.get(i).result().get(60, TimeUnit.SECONDS);
                assertNull(c.error());
                assertArrayEquals(want.get(i).tokens(), c.tokens(), "request " + i + " beside seven others");
                assertEquals(want.get(i).text(), c.text());
                assertEquals(StopReason.MAX_TOKENS, c.stopReason());
            }
            for (SlotInfo s : e.slots()) assertFalse(s.processing(), "every slot idle at the end");
        }
    }

    /** Every weight type's batched matmul gives the one-row result bit for bit, so the same holds for each of them. */
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"llamaq-f32", "llamaq-q8_0", "llamaq-q4_1", "llamaq-q5_0",
            "llamaq-q4_k", "llamaq-q5_k", "llamaq-q6_k"})
    void everyWeightTypeGivesTheSameTokensBesideOthers(String name) throws Exception {
        try (Model m = Model.load(Reference.root().resolve(name + "/model.gguf"), ModelOptions.defaults().withThreads(2).withCtxSize(1024).withBatchSize(64))) {
            Random r = new Random(17);
            List<int[]> prompts = new ArrayList<>();
            for (int i = 0; i < 6; i++) prompts.add(randomPrompt(r, 5 + r.nextInt(50)));
            GenerationOptions o = GenerationOptions.greedy(32);
            try (Engine e = new Engine(m, EngineOptions.defaults().withSlots(6).withBatchSize(24))) {
                List<Generation> gs = new ArrayList<>();
                for (int[] p : prompts) gs.add(e.submit(new Request(p, o)));
                for (int i = 0; i < gs.size(); i++) {
                    assertArrayEquals(alone(m, prompts.get(i), o).tokens(), gs.get(i).result().get(60, TimeUnit.SECONDS).tokens(), name + " request " + i);
                }
            }
        }
    }

    @Test
    void seededSamplingMatchesTheSingleSequencePath() throws Exception {
        int[] p = randomPrompt(new Random(3), 20);
        GenerationOptions o = new GenerationOptions(20, SamplerParams.DEFAULT.withSeed(42).withTemperature(1.2f), List.of());
        GenerationResult want = alone(q4, p, o);
        try (Engine e = new Engine(q4, EngineOptions.defaults().withSlots(2))) {
            Generation other = e.submit(new Request(randomPrompt(new Random(4), 30), o));
            Completion c = e.generate(new Request(p, o), null);
            assertArrayEquals(want.tokens(), c.tokens());
            other.result().get(30, TimeUnit.SECONDS);
        }
    }

    @Test
    void aFollowUpProcessesOnlyWhatFollowsTheCachedPrefix() throws Exception {
        int[] first = randomPrompt(new Random(11), 40);
        GenerationOptions o = GenerationOptions.greedy(8);
        try (Engine e = new Engine(q4, EngineOptions.defaults().withSlots(2))) {
            Completion a = e.generate(new Request(first, o), null);
            assertEquals(0, a.cachedTokens());
            // the next turn: the whole history plus new tokens
            int[] next = new int[first.length + a.tokens().length - 1 + 5];
            System.arraycopy(first, 0, next, 0, first.length);
            System.arraycopy(a.tokens(), 0, next, first.length, a.tokens().length - 1); // the last token was never fed
            for (int i = next.length - 5; i < next.length; i++) next[i] = 100 + i;
            Completion b = e.generate(new Request(next, o), null);
            assertEquals(first.length + a.tokens().length - 1, b.cachedTokens(), "everything cached is reused");
            assertArrayEquals(alone(q4, next, o).tokens(), b.tokens(), "same tokens as from an empty cache");
            // the same prompt again: all but the last token come from the cache
            Completion c = e.generate(new Request(next, o), null);
            assertEquals(next.length - 1, c.cachedTokens());
            assertArrayEquals(b.tokens(), c.tokens());
        }
    }

    @Test
    void aShortSharedOpeningDoesNotTakeAnotherConversationsSlot() throws Exception {
        int[] a = randomPrompt(new Random(21), 40), b = Arrays.copyOf(a, 3);
        b[2] = 7; // shares two tokens with a (as two chats share a template's opening)
        GenerationOptions o = GenerationOptions.greedy(4);
        try (Engine e = new Engine(q4, EngineOptions.defaults().withSlots(2))) {
            e.generate(new Request(a, o), null);
            e.generate(new Request(b, o), null);
            assertEquals(a.length - 1, e.generate(new Request(a, o), null).cachedTokens(), "a's cache survived b");
        }
    }

    @Test
    void piecesAddUpToTheTextAndAStopStringEndsIt() {
        int[] p = stories.tokenizer().encode("Once upon a time", true, true);
        GenerationResult free = alone(stories, p, GenerationOptions.greedy(60));
        String text = free.text();
        String stop = text.substring(20, 23);
        GenerationOptions o = GenerationOptions.greedy(60).withStop(List.of(stop));
        try (Engine e = new Engine(stories, EngineOptions.defaults())) {
            StringBuilder streamed = new StringBuilder();
            Completion c = e.generate(new Request(p, o), streamed::append);
            assertEquals(StopReason.STOP_STRING, c.stopReason());
            assertEquals(text.substring(0, text.indexOf(stop)), c.text());
            assertEquals(c.text(), streamed.toString());
        }
    }

    @Test
    void cancellingStopsARequestAndFreesItsSlot() throws Exception {
        GenerationOptions endless = GenerationOptions.greedy(-1).withPicker((l, t) -> 300); // never an end token
        try (Engine e = new Engine(q4, EngineOptions.defaults().withSlots(1))) {
            Generation g = e.submit(new Request(randomPrompt(new Random(5), 10), endless));
            Generation waiting = e.submit(new Request(randomPrompt(new Random(6), 10), GenerationOptions.greedy(4)));
            assertTrue(g.next(30, TimeUnit.SECONDS) instanceof Generation.Piece, "it runs");
            g.cancel();
            Completion c = g.result().get(30, TimeUnit.SECONDS);
            assertEquals(StopReason.CANCELLED, c.stopReason());
            assertTrue(c.generatedTokens() < 256 - 10, "stopped before the context was full: " + c.generatedTokens());
            Completion w = waiting.result().get(30, TimeUnit.SECONDS);
            assertEquals(4, w.generatedTokens(), "the waiting request got the slot");
            // a queued request cancelled before it starts ends at once
            Generation a = e.submit(new Request(randomPrompt(new Random(5), 10), endless));
            Generation queued = e.submit(new Request(randomPrompt(new Random(8), 10), endless));
            queued.cancel();
            assertEquals(StopReason.CANCELLED, queued.result().get(5, TimeUnit.SECONDS).stopReason());
            a.cancel();
            a.result().get(30, TimeUnit.SECONDS);
        }
    }

    @Test
    void aFullQueueAndAnOverlongPromptAreRefusedAtOnce() throws Exception {
        GenerationOptions endless = GenerationOptions.greedy(-1).withPicker((l, t) -> 300);
        try (Engine e = new Engine(q4, EngineOptions.defaults().withSlots(1).withQueueSize(1))) {
            Generation a = e.submit(new Request(randomPrompt(new Random(1), 10), endless));
            Generation b = e.submit(new Request(randomPrompt(new Random(2), 10), endless));
            QueueFullException full = assertThrows(QueueFullException.class, () -> e.submit(new Request(new int[] {1, 5}, endless)));
            assertTrue(full.getMessage().contains("busy"), full.getMessage());
            PromptTooLongException longer = assertThrows(PromptTooLongException.class, () -> e.submit(new Request(new int[256], endless)));
            assertTrue(longer.getMessage().contains("256") && longer.getMessage().contains("holds 256"), longer.getMessage());
            a.cancel();
            b.cancel();
            a.result().get(30, TimeUnit.SECONDS);
            b.result().get(30, TimeUnit.SECONDS);
        }
    }

    @Test
    void requestsThatOutgrowTheSharedCacheTakeTurnsAndEachGetsItsWholeAnswer() throws Exception {
        // 6 requests that each fill most of a 64-cell cache: the newest steps back into the queue when the cells run
        // out, and resumes later where it was; every answer is what it would be alone
        SamplerParams noEnd = SamplerParams.GREEDY.withLogitBias(java.util.Map.of(1, Float.NEGATIVE_INFINITY, 2, Float.NEGATIVE_INFINITY));
        GenerationOptions o = new GenerationOptions(-1, noEnd, List.of());
        try (Engine e = new Engine(q4, EngineOptions.defaults().withSlots(4).withCtxSize(64).withBatchSize(8))) {
            List<int[]> prompts = new ArrayList<>();
            List<Generation> gs = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                prompts.add(randomPrompt(new Random(i), 12));
                gs.add(e.submit(new Request(prompts.get(i), o)));
            }
            for (int i = 0; i < gs.size(); i++) {
                Completion c = gs.get(i).result().get(60, TimeUnit.SECONDS);
                assertNull(c.error());
                assertEquals(StopReason.MAX_TOKENS, c.stopReason(), "clamped to the room a lone request has");
                assertEquals(64 - 12, c.generatedTokens());
                assertArrayEquals(alone(q4, prompts.get(i), o.withMaxTokens(64 - 12)).tokens(), c.tokens(), "request " + i);
            }
            for (SlotInfo s : e.slots()) assertFalse(s.processing());
            assertTrue(e.stats().preemptions() > 0, "requests took turns");
        }
    }

    @Test
    void logprobsAreTheSoftmaxOfTheModelsLogits() {
        int[] p = randomPrompt(new Random(12), 16);
        float[] logits;
        try (Session s = q4.newSession()) {
            logits = s.evaluate(p).clone();
        }
        double max = Double.NEGATIVE_INFINITY, sum = 0;
        for (float l : logits) max = Math.max(max, l);
        for (float l : logits) sum += Math.exp(l - max);
        double lse = max + Math.log(sum);
        try (Engine e = new Engine(q4, EngineOptions.defaults())) {
            Generation g = e.submit(new Request(p, GenerationOptions.greedy(3), 5));
            Generation.Piece first = null;
            for (Generation.Event ev; !((ev = next(g)) instanceof Generation.Done); ) {
                if (first == null) first = (Generation.Piece) ev;
            }
            assertNotNull(first);
            assertEquals(logits[first.token()] - lse, first.logprob(), 1e-4);
            assertEquals(5, first.top().length);
            assertEquals(first.token(), first.top()[0].id(), "greedy picks the most likely");
            for (int i = 1; i < 5; i++) assertTrue(first.top()[i].logprob() <= first.top()[i - 1].logprob());
            for (var t : first.top()) assertEquals(logits[t.id()] - lse, t.logprob(), 1e-4);
        }
    }

    @Test
    void zeroMaxTokensProcessesThePromptOnly() {
        try (Engine e = new Engine(q4, EngineOptions.defaults())) {
            Completion c = e.generate(new Request(randomPrompt(new Random(2), 9), GenerationOptions.greedy(0)), null);
            assertEquals(0, c.generatedTokens());
            assertEquals(StopReason.MAX_TOKENS, c.stopReason());
            assertEquals(9, e.slots().stream().mapToInt(SlotInfo::cachedTokens).max().orElse(0), "the prompt stays cached");
        }
    }

    @Test
    void closingEndsWhatIsLeft() throws Exception {
        GenerationOptions endless = GenerationOptions.greedy(-1).withPicker((l, t) -> 300);
        Engine e = new Engine(q4, EngineOptions.defaults().withSlots(1));
        Generation a = e.submit(new Request(randomPrompt(new Random(1), 10), endless));
        Generation b = e.submit(new Request(randomPrompt(new Random(2), 10), endless));
        e.close();
        assertEquals(StopReason.CANCELLED, a.result().get(5, TimeUnit.SECONDS).stopReason());
        assertEquals(StopReason.CANCELLED, b.result().get(5, TimeUnit.SECONDS).stopReason());
        assertThrows(EngineClosedException.class, () -> e.submit(new Request(new int[] {1}, endless)));
        assertFalse(EmbeddedModel.path().toString().isEmpty());
    }

    static Generation.Event next(Generation g) {
        try {
            return g.next(30, TimeUnit.SECONDS);
        } catch (InterruptedException ex) {
            throw new AssertionError(ex);
        }
    }
}
