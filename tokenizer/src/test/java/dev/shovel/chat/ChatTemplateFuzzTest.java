package dev.shovel.chat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Fuzzes a template and the conversation it renders. The only exception allowed out of {@link ChatTemplate} is a
 * {@link TemplateException} of its own (no Java error or exception as its cause), within a second of CPU time.
 *
 * <p>Input layout: the template is the input's UTF-8 text; the last {@link #CONTROL} bytes (read from the end, as
 * FuzzedDataProvider reads numbers) choose the messages, tools and flags, whose strings are slices of the template
 * or of a few fixed ones. Plain {@code mvn test} replays {@code ChatTemplateFuzzTestInputs/render/}; with
 * {@code JAZZER_FUZZ=1} it fuzzes (command line in the README).
 */
class ChatTemplateFuzzTest {
    /** Control bytes at the end of each input. */
    static final int CONTROL = 48;
    private static final String[] ROLES = {"user", "assistant", "system", "tool", "developer", "ipython", "", "USER"};
    private static final String[] TEXTS = {"", "Hello!", "<think>\nhm\n</think>\n\nHi", "a\nb\n", "{{ x }}", "ä 日本 😀",
        "<|im_end|>", " ", "\\u0000\"'"};
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
    /** Renders before the time check applies: the first ones load (and, fuzzing, instrument) the engine's classes. */
    private static final int WARM_UP = 50;
    private static int renders;

    @FuzzTest(maxDuration = "10m")
    void render(FuzzedDataProvider data) {
        byte[] control = new byte[Math.min(CONTROL, data.remainingBytes())];
        for (int i = 0; i < control.length; i++) control[i] = data.consumeByte();
        String template = new String(data.consumeRemainingAsBytes(), StandardCharsets.UTF_8);
        Conversation c = new Conversation(control, template);
        long t0 = THREADS.getCurrentThreadCpuTime();
        try {
            String out = ChatTemplate.parse(template).apply(c.messages(), c.bit(), c.text(), c.text(), c.tools(), c.extra());
            if (out.length() > TemplateLimits.MAX_STRING_CHARS) throw new AssertionError("output of " + out.length());
        } catch (TemplateException e) {
            if (e.getCause() != null) throw new AssertionError("engine error: " + e.getMessage(), e.getCause());
        }
        long ms = (THREADS.getCurrentThreadCpuTime() - t0) / 1_000_000;
        if (++renders > WARM_UP && ms > 1000) throw new AssertionError("render took " + ms + " ms of CPU time");
    }

    /** Reads the control bytes in turn (0 once they run out). */
    private static final class Conversation {
        private final byte[] control;
        private final String template;
        private int next;

        Conversation(byte[] control, String template) {
            this.control = control;
            this.template = template;
        }

        int pick(int n) {
            return next < control.length ? Math.floorMod(control[next++], n) : 0;
        }

        boolean bit() {
            return pick(2) == 1;
        }

        /** A fixed text, or a slice of the template (so the fuzzer reaches message content too). */
        String text() {
            int k = pick(TEXTS.length + 2);
            if (k < TEXTS.length) return TEXTS[k];
            int from = Math.min(template.length(), pick(128) * 8);
            return template.substring(from, Math.min(template.length(), from + pick(64)));
        }

        Object content() {
            return switch (pick(6)) {
                case 0 -> null;
                case 1 -> List.of(Map.of("type", "text", "text", text()), Map.of("type", "image"));
                case 2 -> (long) pick(256) - 128;
                default -> text();
            };
        }

        List<Map<String, Object>> messages() {
            List<Map<String, Object>> out = new ArrayList<>();
            for (int i = pick(8); i > 0; i--) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("role", ROLES[pick(ROLES.length)]);
                if (pick(8) > 0) m.put("content", content());
                if (pick(4) == 0) m.put("reasoning_content", text());
                if (pick(4) == 0) {
                    Map<String, Object> args = new LinkedHashMap<>(Map.of("x", text()));
                    m.put("tool_calls", List.of(Map.of("type", "function", "id", "call_1",
                            "function", Map.of("name", text(), "arguments", bit() ? args : text()))));
                }
                if (pick(4) == 0) m.put("name", text());
                out.add(m);
            }
            return out;
        }

        List<Map<String, Object>> tools() {
            if (pick(3) == 0) return null;
            Map<String, Object> schema = Map.of("type", "object", "properties",
                    Map.of("x", Map.of("type", "string", "description", text())), "required", List.of("x"));
            return List.of(Map.of("type", "function", "function",
                    Map.of("name", text(), "description", text(), "parameters", schema)));
        }

        Map<String, Object> extra() {
            Map<String, Object> m = new LinkedHashMap<>();
            if (bit()) m.put("enable_thinking", bit());
            if (bit()) m.put("reasoning_effort", text());
            return m;
        }
    }
}
