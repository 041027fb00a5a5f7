package dev.shovel.chat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Splitting gpt-oss replies into harmony messages, and a multi-turn chat through the real gpt-oss template. */
class HarmonyTest {
    private static final String REPLY = "<|channel|>analysis<|message|>User greets. Reply.<|end|>"
            + "<|start|>assistant<|channel|>final<|message|>Hello! How can I help?";

    @Test
    void parsesAnalysisThenFinal() {
        List<Harmony.Message> ms = Harmony.parse(REPLY);
        assertEquals(2, ms.size());
        assertEquals(new Harmony.Message("<|channel|>analysis", "analysis", "User greets. Reply."), ms.get(0));
        assertEquals(new Harmony.Message("assistant<|channel|>final", "final", "Hello! How can I help?"), ms.get(1));
        assertEquals("Hello! How can I help?", Harmony.finalText(REPLY));
    }

    @Test
    void toolCallHeaderAndEndTokens() {
        String call = "<|channel|>analysis<|message|>Need weather.<|end|><|start|>assistant to=functions.get_weather"
                + "<|channel|>commentary <|constrain|>json<|message|>{\"location\":\"Paris\"}<|call|>";
        List<Harmony.Message> ms = Harmony.parse(call);
        assertEquals("commentary", ms.get(1).channel());
        assertEquals("{\"location\":\"Paris\"}", ms.get(1).body());
        assertTrue(ms.get(1).header().contains("to=functions.get_weather"));
        assertEquals("", Harmony.finalText(call));
        assertEquals("done", Harmony.finalText("<|channel|>final<|message|>done<|return|>"));
    }

    @Test
    void plainAndCutOffReplies() {
        assertEquals("just text", Harmony.finalText("just text"));
        assertEquals("", Harmony.finalText("<|channel|>analysis<|message|>thinking…"));
        assertEquals("", Harmony.finalText("<|channel|>analy"));   // header cut off by max tokens
        assertTrue(Harmony.parse("<|channel|>analy").isEmpty());
    }

    @Test
    void detectsHarmonyTemplates() throws Exception {
        assertTrue(Harmony.isHarmonyTemplate(template()));
        assertFalse(Harmony.isHarmonyTemplate(ChatTemplate.fallback()));
        assertFalse(Harmony.isHarmonyTemplate(null));
    }

    /** The raw reply in the history makes the template raise; its final text renders as the next prompt. */
    @Test
    void secondTurnWithTheRealTemplate() throws Exception {
        ChatTemplate t = ChatTemplate.parse(template())
                .withClock(Clock.fixed(Instant.parse("2025-08-05T12:00:00Z"), ZoneOffset.UTC));
        Map<String, Object> user1 = Map.of("role", "user", "content", "Hi");
        Map<String, Object> user2 = Map.of("role", "user", "content", "Bye");
        String first = t.apply(List.of(user1), true, "<|startoftext|>", "<|return|>", null, null);
        assertTrue(first.endsWith("<|start|>user<|message|>Hi<|end|><|start|>assistant"), first);
        assertTrue(first.contains("Current date: 2025-08-05\n\nReasoning: medium\n\n"), first);

        List<Map<String, Object>> raw = List.of(user1, Map.of("role", "assistant", "content", REPLY), user2);
        TemplateException e = assertThrows(TemplateException.class,
                () -> t.apply(raw, true, "<|startoftext|>", "<|return|>", null, null));
        assertTrue(e.getMessage().startsWith("You have passed a message containing <|channel|> tags"), e.getMessage());

        List<Map<String, Object>> kept = List.of(user1,
                Map.of("role", "assistant", "content", Harmony.finalText(REPLY)), user2);
        String second = t.apply(kept, true, "<|startoftext|>", "<|return|>", null, null);
        assertTrue(second.endsWith("<|start|>user<|message|>Hi<|end|>"
                + "<|start|>assistant<|channel|>final<|message|>Hello! How can I help?<|end|>"
                + "<|start|>user<|message|>Bye<|end|><|start|>assistant"), second);
    }

    private static String template() throws Exception {
        return new String(ChatTemplateCasesTest.resource("gpt_oss.jinja"), StandardCharsets.UTF_8);
    }
}
