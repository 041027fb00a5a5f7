package dev.shovel.chat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** API behaviour; expectations from Jinja2/Python documentation and the ChatML format. */
class ChatTemplateTest {

    private static String render(String template, Map<String, Object> ctx) {
        return ChatTemplate.parse(template).render(ctx);
    }

    @Test
    void unclosedBlockIsSyntaxErrorWithLine() {
        TemplateException e = assertThrows(TemplateException.class, () -> ChatTemplate.parse("a\n{% if x %}\nb"));
        assertEquals(3, e.line());
        assertTrue(e.getMessage().contains("'endif'"), e.getMessage());
        assertTrue(e.getMessage().endsWith("(template line 3)"), e.getMessage());
    }

    @Test
    void badExpressionAndUnknownTagAreSyntaxErrors() {
        TemplateException e = assertThrows(TemplateException.class, () -> ChatTemplate.parse("x\n{{ 1 + }}"));
        assertEquals(2, e.line());
        e = assertThrows(TemplateException.class, () -> ChatTemplate.parse("{% include 'x' %}"));
        assertTrue(e.getMessage().contains("Encountered unknown tag 'include'."), e.getMessage());
        e = assertThrows(TemplateException.class, () -> ChatTemplate.parse("{{ 'abc }}"));
        assertEquals(1, e.line());
        e = assertThrows(TemplateException.class, () -> ChatTemplate.parse("{# never closed"));
        assertTrue(e.getMessage().startsWith("Missing end of comment tag"), e.getMessage());
    }

    @Test
    void raiseExceptionCarriesExactlyTheMessage() {
        String t = "{% for m in messages %}\n{% if m.role == 'system' %}{{ raise_exception('No system: ' + m.role) }}{% endif %}{% endfor %}";
        TemplateException e = assertThrows(TemplateException.class,
                () -> render(t, Map.of("messages", List.of(Map.of("role", "system")))));
        assertEquals("No system: system", e.getMessage());
        assertEquals(0, e.line());
    }

    @Test
    void runtimeErrorNamesLine() {
        TemplateException e = assertThrows(TemplateException.class, () -> render("a\n\n{{ 1 // 0 }}", Map.of()));
        assertEquals("integer division or modulo by zero (template line 3)", e.getMessage());
        assertEquals(3, e.line());
    }

    @Test
    void strftimeNowReadsTheClock() {
        // Friday 2024-07-26 09:05:03 UTC, day 208 of a leap year.
        Clock clock = Clock.fixed(Instant.parse("2024-07-26T09:05:03Z"), ZoneOffset.UTC);
        ChatTemplate t = ChatTemplate.parse("{{ strftime_now('%d %b %Y') }}|"
                + "{{ strftime_now('%-d %B %Y %H:%M:%S %a %A %j %p %I %y %m %%') }}").withClock(clock);
        assertEquals("26 Jul 2024|26 July 2024 09:05:03 Fri Friday 208 AM 09 24 07 %", t.render(Map.of()));
    }

    @Test
    void applyBuildsTheTransformersContext() {
        ChatTemplate t = ChatTemplate.parse("{{ bos_token is defined }} {{ eos_token }} {{ add_generation_prompt }} "
                + "{{ tools is defined }} {{ messages|length }} {{ enable_thinking }} {{ skipped is defined }}");
        Map<String, Object> extra = new LinkedHashMap<>();
        extra.put("enable_thinking", false);
        extra.put("skipped", null);
        List<Map<String, Object>> messages = List.of(Map.of("role", "user", "content", "hi"));
        assertEquals("False </s> True False 1 False False", t.apply(messages, true, null, "</s>", null, extra));
        assertEquals("True </s> False True 1  False",
                t.apply(messages, false, "<s>", "</s>", List.of(Map.of("type", "function")), null));
    }

    @Test
    void fallbackIsChatML() {
        ChatTemplate t = ChatTemplate.parse(ChatTemplate.fallback());
        List<Map<String, Object>> messages = List.of(
                Map.of("role", "system", "content", "Be brief."),
                Map.of("role", "user", "content", "Hi"));
        assertEquals("<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n",
                t.apply(messages, true, "<s>", "</s>", null, null));
        assertEquals("<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n",
                t.apply(messages, false, "<s>", "</s>", null, null));
    }

    @Test
    void javaValueTypes() {
        Map<String, Object> obj = new LinkedHashMap<>();
        obj.put("z", 1);
        obj.put("a", 2.5);
        obj.put("big", new BigDecimal("0.1"));
        obj.put("l", 7L);
        obj.put("n", null);
        obj.put("list", List.of(true, "x"));
        Map<String, Object> ctx = Map.of("o", obj, "i", 3, "d", 1.0);
        assertEquals("{\"z\": 1, \"a\": 2.5, \"big\": 0.1, \"l\": 7, \"n\": null, \"list\": [true, \"x\"]}",
                render("{{ o|tojson }}", ctx));
        assertEquals("4.0 True 10 0.1 None", render("{{ i + d }} {{ i == 3.0 }} {{ o.l + i }} {{ o.big }} {{ o.n }}", ctx));
    }

    @Test
    void listsCanBeAppendedTo() {
        // Jinja2's sandbox forbids this; llama.cpp's minja and @huggingface/jinja allow it, and templates use it.
        List<Object> target = new ArrayList<>();
        String out = render("{% for x in [1, 2] %}{% set _ = l.append(x * 2) %}{% endfor %}{% do l.append(9) %}{{ l }}",
                Map.of("l", target));
        assertEquals("[2, 4, 9]", out);
        assertEquals(List.of(2L, 4L, 9L), target);
    }

    @Test
    void stringsIndexByCodePoint() {
        Map<String, Object> ctx = Map.of("s", "a\uD83C\uDF0D\uD83D\uDC69\u200D\uD83D\uDCBB");
        // "a", U+1F30D, then the ZWJ sequence U+1F469 U+200D U+1F4BB: 5 code points.
        assertEquals("5|\uD83C\uDF0D|\uD83D\uDCBB|a\uD83C\uDF0D|\uD83D\uDCBB\u200D\uD83D\uDC69\uD83C\uDF0Da",
                render("{{ s|length }}|{{ s[1] }}|{{ s[-1] }}|{{ s[:2] }}|{{ s[::-1] }}", ctx));
        assertEquals("\uD83D\uDCBB\u200D\uD83D\uDC69\uD83C\uDF0Da", render("{{ s|reverse }}", ctx));
    }

    @Test
    void undefinedRendersEmptyAndIsFalsy() {
        assertEquals("[]|no|0|d", render("[{{ missing }}]|{{ 'yes' if missing else 'no' }}|{{ missing|length }}|"
                + "{{ missing|default('d') }}", Map.of()));
    }

    @Test
    void generationTagRendersItsBody() {
        assertEquals("<a>x</a>", render("<a>{% generation %}x{% endgeneration %}</a>", Map.of()));
    }

    @Test
    void parsedTemplateIsReusable() {
        ChatTemplate t = ChatTemplate.parse("{% set n = namespace(c=0) %}{% for x in xs %}{% set n.c = n.c + x %}{% endfor %}{{ n.c }}");
        assertEquals("6", t.render(Map.of("xs", List.of(1, 2, 3))));
        assertEquals("1", t.render(Map.of("xs", List.of(1))));
        assertFalse(t.render(Map.of("xs", List.of())).isEmpty());
    }

    /** Fuzzing findings: each is a TemplateException of the template's own, never a Java exception. */
    @Test
    void badValuesAreTemplateErrors() {
        Map<String, Object> ctx = Map.of("m", Map.of("role", "user"), "l", List.of(1, 2.5));
        String[] templates = {
            "{{ 'x'.center(none) }}", "{{ [1] | batch('a') }}", "{{ 1.5 | round(x) }}", "{{ range(x) }}",
            "{{ '\\UFFFFFFFF' }}", "{{ '\\U00110000' }}", "{{ x.99999999999999999999 }}", "{{ '%c' % -1 }}",
            "{{ '{:.}'.format(1) }}", "{{ '%99999999999d' % 1 }}", "{{ {[1]: 1} }}", "{{ m.get([1]) }}",
            "{{ 'x'.startswith() }}",
        };
        for (String t : templates) {
            TemplateException e = assertThrows(TemplateException.class, () -> render(t, ctx), t);
            assertEquals(null, e.getCause(), t);
        }
        assertEquals("False False None", render("{{ none in m }} {{ m[none] is defined }} {{ m.get(none) }}", ctx));
        assertEquals("False", render("{{ none[0] is defined }}", ctx)); // fuzz finding: NullPointerException
        assertTrue(render("{{ [9007199254740993, 9007199254740992.0, 1] | sort }}", ctx).startsWith("[1, "));
    }
}
