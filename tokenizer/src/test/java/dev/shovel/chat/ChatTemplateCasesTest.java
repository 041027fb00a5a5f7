package dev.shovel.chat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Real chat templates against renderings by @huggingface/jinja (cross-checked with Python Jinja2 as transformers sets
 * it up): byte-identical output, or the same raise_exception message.
 */
class ChatTemplateCasesTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> FAMILIES =
            List.of("llama3", "llama3_1", "qwen3", "gemma3", "deepseek_v3", "gemini", "gpt_oss");
    /** Families with cases of their own in {@code <family>_cases.json}, run after the common ones. */
    private static final List<String> OWN_CASES = List.of("gpt_oss");
    private static final AtomicInteger RUN = new AtomicInteger();
    private static final AtomicInteger PASSED = new AtomicInteger();

    static Stream<Arguments> cases() throws IOException {
        List<Map<String, Object>> cases = JSON.readValue(resource("cases.json"), new TypeReference<>() { });
        Stream<Arguments> common = FAMILIES.stream().flatMap(f -> cases.stream().map(c -> Arguments.of(f, c.get("id"), c)));
        Stream<Arguments> own = OWN_CASES.stream().flatMap(f -> {
            try {
                List<Map<String, Object>> mine = JSON.readValue(resource(f + "_cases.json"), new TypeReference<>() { });
                return mine.stream().map(c -> Arguments.of(f, c.get("id"), c));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        return Stream.concat(common, own);
    }

    @SuppressWarnings("unchecked")
    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("cases")
    void rendersLikeReference(String family, String id, Map<String, Object> c) throws Exception {
        RUN.incrementAndGet();
        byte[] source = resource(family + ".jinja");
        Map<String, Object> meta = JSON.readValue(resource(family + ".json"), new TypeReference<>() { });
        Map<String, Object> templates = (Map<String, Object>) meta.get("templates");
        String sha = (String) ((Map<String, Object>) templates.get(family + ".jinja")).get("sha256");
        assertEquals(sha, HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(source)), "fixture hash");

        ChatTemplate parsed = ChatTemplate.parse(new String(source, StandardCharsets.UTF_8));
        // strftime_now reads the instant the reference renderings were made with
        ChatTemplate template = meta.get("now") instanceof String now
                ? parsed.withClock(Clock.fixed(Instant.parse(now), ZoneOffset.UTC)) : parsed;
        String base = "expected/" + family + "__" + id;
        InputStream ok = ChatTemplateCasesTest.class.getResourceAsStream("/chat/" + base + ".txt");
        var messages = (List<Map<String, Object>>) c.get("messages");
        var tools = (List<Map<String, Object>>) c.get("tools");
        var extra = (Map<String, Object>) c.get("extra_context");
        boolean agp = (Boolean) c.get("add_generation_prompt");
        String bos = (String) meta.get("bos_token");
        String eos = (String) meta.get("eos_token");
        if (ok != null) {
            String expected;
            try (ok) {
                expected = new String(ok.readAllBytes(), StandardCharsets.UTF_8);
            }
            assertEquals(expected, template.apply(messages, agp, bos, eos, tools, extra));
        } else {
            String message = new String(resource(base + ".error.txt"), StandardCharsets.UTF_8);
            TemplateException e = assertThrows(TemplateException.class,
                    () -> template.apply(messages, agp, bos, eos, tools, extra));
            assertEquals(message, e.getMessage());
        }
        PASSED.incrementAndGet();
    }

    @AfterAll
    static void summary() {
        System.out.println("chat templates: " + PASSED.get() + "/" + RUN.get());
    }

    static byte[] resource(String name) throws IOException {
        try (InputStream in = ChatTemplateCasesTest.class.getResourceAsStream("/chat/" + name)) {
            if (in == null) throw new IOException("missing test resource /chat/" + name);
            return in.readAllBytes();
        }
    }
}
