package dev.shovel.chat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Hostile templates end fast in a one-line TemplateException naming the limit, never in a hang or an Error. */
class TemplateLimitsTest {
    private static final String STRING = "exceeds the limit of " + TemplateLimits.MAX_STRING_CHARS;
    private static final String ITEMS = "exceeds the limit of " + TemplateLimits.MAX_ITEMS;
    private static final String STEPS = "exceeds " + TemplateLimits.MAX_STEPS + " steps";
    private static final String DEPTH = "recursion exceeds " + TemplateLimits.MAX_DEPTH + " levels";
    private static final String NESTING = "nesting exceeds " + TemplateLimits.MAX_NESTING + " levels";
    private static final String WORK = "building exceeds " + TemplateLimits.MAX_WORK_CHARS + " characters";
    private static final String OUTPUT = "output exceeds " + TemplateLimits.MAX_STRING_CHARS + " characters";

    /** CPU time of this thread: other processes share the machine's cores, so wall time says little. */
    private static long cpuMillis() {
        return ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime() / 1_000_000;
    }

    /** Renders, expecting a TemplateException within a second of CPU time; returns its message. */
    private static String fails(String template) {
        return assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
            long t0 = cpuMillis();
            TemplateException e = assertThrows(TemplateException.class,
                    () -> ChatTemplate.parse(template).render(Map.of()), template);
            long ms = cpuMillis() - t0;
            assertTrue(ms < 1000, "took " + ms + " ms: " + e.getMessage() + " <- " + template);
            assertNull(e.getCause(), e.getMessage());
            assertFalse(e.getMessage().contains("\n"), e.getMessage());
            return e.getMessage();
        });
    }

    private static void failsWith(String expected, String template) {
        String m = fails(template);
        assertTrue(m.contains(expected), m + " <- " + template);
    }

    @ParameterizedTest
    @CsvSource(delimiterString = "=>", quoteCharacter = '"', textBlock = """
            {{ 'a' * 10**12 }} => exceeds the limit of 16777216
            {{ 'ab' * 9223372036854775807 }} => exceeds the limit of 16777216
            {{ 'x'.center(10**9) }} => exceeds the limit of 16777216
            {{ 'x'.zfill(9223372036854775807) }} => exceeds the limit of 16777216
            {{ '%1000000000d' % 1 }} => exceeds the limit of 16777216
            {{ '%.1000000000f' % 1.5 }} => exceeds the limit of 16777216
            {{ '%99999999999999999999999s' % 1 }} => exceeds the limit of 16777216
            {{ '{:>1000000000}'.format(1) }} => exceeds the limit of 16777216
            {{ 'x' | indent(10**9, true) }} => exceeds the limit of 16777216
            {{ [1] | tojson(indent=10**12) }} => exceeds the limit of 16777216
            {{ ('a' * 10000) | replace('', 'b' * 10000) }} => exceeds the limit of 16777216
            {{ [1] * 10**9 }} => exceeds the limit of 1048576
            {{ [1, 2] | batch(10**9, 0) }} => exceeds the limit of 1048576
            {% for i in range(10**12) %}{% endfor %} => MAX_RANGE (100000)
            """)
    void oneOperationBeyondALimit(String template, String expected) {
        failsWith(expected, template);
    }

    @Test
    void growthInALoop() {
        failsWith(STRING, "{% set ns = namespace(s='ab') %}{% for i in range(100) %}{% set ns.s = ns.s ~ ns.s %}{% endfor %}");
        failsWith(STRING, "{% set ns = namespace(s='ab') %}{% for i in range(100) %}{% set ns.s = ns.s + ns.s %}{% endfor %}");
        failsWith(STRING, "{% set ns = namespace(s='ab') %}{% for i in range(100) %}{% set ns.s = ns.s.replace('a', 'aa') %}{% endfor %}");
        failsWith(STEPS, "{% set l = [1] %}{% for i in range(100) %}{% do l.extend(l) %}{% endfor %}");
        failsWith(STEPS, "{% set ns = namespace(l=[1]) %}{% for i in range(100) %}{% set ns.l = ns.l + ns.l %}{% endfor %}");
        failsWith(STRING, "{% set l = ['x' * 1000000] * 100 %}{{ l | join(',') }}");
        failsWith(STRING, "{% set l = ['x' * 1000000] * 100 %}{{ ','.join(l) }}");
    }

    @Test
    void loopsAndCallsCountSteps() {
        failsWith(STEPS, "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}");
        failsWith(STEPS, "{% macro f(n) %}{% if n > 0 %}{{ f(n - 1) }}{{ f(n - 1) }}{% endif %}{% endmacro %}{{ f(60) }}");
        failsWith(STEPS, "{% set l = range(100000) | list %}{% for i in range(100000) %}{{ l | first }}{% endfor %}");
        failsWith(STEPS, "{{ range(100000) | list | unique | list | length }}{{ (range(100000) | list) * 10 | unique }}");
    }

    @Test
    void outputAndStringBuilding() {
        failsWith(OUTPUT, "{% for i in range(100000) %}{{ 'x' * 1000 }}{% endfor %}");
        failsWith(WORK, "{% set big = 'x' * 10000000 %}{% for i in range(100000) %}{% set y = big ~ 'a' %}{% endfor %}");
        // Java's substring search is quadratic at worst: charged at that cost
        failsWith(WORK, "{% set h = 'a' * 8000000 %}{% set n = 'a' * 4000000 ~ 'b' %}{{ n in h }}");
        failsWith(WORK, "{% set h = 'a' * 8000000 %}{% for i in range(100000) %}{{ h | length }}{% endfor %}");
    }

    @Test
    void recursion() {
        failsWith(DEPTH, "{% macro f() %}{{ f() }}{% endmacro %}{{ f() }}");
        failsWith(DEPTH, "{% macro f() %}{% call f() %}x{% endcall %}{% endmacro %}{{ f() }}");
        failsWith(DEPTH, "{% for x in [[1]] recursive %}{{ loop([x]) }}{% endfor %}");
        failsWith(DEPTH, "{% set ns = namespace(l=[]) %}{% for i in range(100000) %}{% set ns.l = [ns.l] %}{% endfor %}{{ ns.l | tojson }}");
        failsWith(DEPTH, "{% set ns = namespace(l=[]) %}{% for i in range(100000) %}{% set ns.l = [ns.l] %}{% endfor %}{{ ns.l }}");
        failsWith(DEPTH, "{% set ns = namespace(a=[], b=[]) %}{% for i in range(100000) %}{% set ns.a = [ns.a] %}"
                + "{% set ns.b = [ns.b] %}{% endfor %}{{ ns.a == ns.b }}");
        failsWith(DEPTH, "{% set l = [] %}{% do l.append(l) %}{{ l | tojson }}");
        failsWith(DEPTH, "{% set l = [] %}{% do l.append(l) %}{{ l }}");
        failsWith(DEPTH, "{% set a = [] %}{% set b = [] %}{% do a.append(b) %}{% do b.append(a) %}{{ a == b }}");
        failsWith(DEPTH, "{% set a = [] %}{% set b = [] %}{% do a.append(b) %}{% do b.append(a) %}{{ a < b }}");
        failsWith("unhashable type: 'list'", "{% set l = [] %}{% do l.append(l) %}{{ {l: 1} }}");
        // shared items double the text at each level: 2^64 items
        failsWith(STEPS, "{% set ns = namespace(l=[1]) %}{% for i in range(64) %}{% set ns.l = [ns.l, ns.l] %}{% endfor %}{{ ns.l | tojson }}");
        failsWith(STEPS, "{% set ns = namespace(l=[1]) %}{% for i in range(64) %}{% set ns.l = [ns.l, ns.l] %}{% endfor %}{{ ns.l }}");
        failsWith(STEPS, "{% set ns = namespace(a=[1], b=[1]) %}{% for i in range(64) %}{% set ns.a = [ns.a, ns.a] %}"
                + "{% set ns.b = [ns.b, ns.b] %}{% endfor %}{{ ns.a == ns.b }}");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            '{{ ' | '(' | '1' | ')' | ' }}'
            '{{ ' | '[' | '1' | ']' | ' }}'
            '{{ ' | '{1: ' | '1' | '}' | ' }}'
            '{{ ' | 'not ' | '1' | '' | ' }}'
            '{{ ' | '-' | '1' | '' | ' }}'
            '{{ 1' | ' + 1' | '' | '' | ' }}'
            '{{ 1' | ' ~ 1' | '' | '' | ' }}'
            '{{ 1' | ' and 1' | '' | '' | ' }}'
            '{{ 1' | ' if 1 else 1' | '' | '' | ' }}'
            '{{ x' | '|e' | '' | '' | ' }}'
            '{{ x' | '.a' | '' | '' | ' }}'
            '{{ x' | '[0]' | '' | '' | ' }}'
            '{{ x' | '()' | '' | '' | ' }}'
            '' | '{% if 1 %}' | 'x' | '{% endif %}' | ''
            '' | '{% for x in y %}' | 'x' | '{% endfor %}' | ''
            '' | '{% set x | e %}' | 'x' | '{% endset %}' | ''
            """)
    void deepNestingIsASyntaxError(String head, String open, String middle, String close, String tail) {
        String t = head + open.repeat(20_000) + middle + close.repeat(20_000) + tail;
        long t0 = cpuMillis();
        TemplateException e = assertThrows(TemplateException.class, () -> ChatTemplate.parse(t));
        assertTrue(e.getMessage().contains(NESTING), e.getMessage());
        assertTrue(cpuMillis() - t0 < 1000);
        // far below the limit parses and renders (or fails as the value's type demands)
        String ok = head + open.repeat(40) + middle + close.repeat(40) + tail;
        try {
            ChatTemplate.parse(ok).render(Map.of("x", "x", "y", List.of()));
        } catch (TemplateException expected) {
            assertTrue(expected.getMessage().contains("'str"), expected.getMessage());
        }
    }

    @Test
    void flatSequencesAreNotNesting() {
        String t = "{% if 1 %}x{% endif %}".repeat(10_000) + "{{ [" + "1, ".repeat(10_000) + "1] | length }}";
        assertTrue(ChatTemplate.parse(t).render(Map.of()).endsWith("10001"));
    }

    @Test
    void sourceSize() {
        String t = "x".repeat(TemplateLimits.MAX_SOURCE_CHARS + 1);
        TemplateException e = assertThrows(TemplateException.class, () -> ChatTemplate.parse(t));
        assertTrue(e.getMessage().contains("exceeds the limit of " + TemplateLimits.MAX_SOURCE_CHARS), e.getMessage());
    }

    @Test
    void bigNumbersStayFast() {
        assertEquals("1e+100", render("{{ 10 ** 10 ** 10 }}")); // left-associative in Jinja
        assertEquals("inf", render("{{ 10 ** (10 ** 10) }}"));
        assertEquals("1 -1 0", render("{{ 1 ** 10**12 }} {{ (-1) ** (10**12 + 1) }} {{ 0 ** 10**12 }}"));
        assertEquals("1.5", render("{{ 1.5 | round(1000000000) }}"));
        assertEquals("0.0", render("{{ 1.5 | round(-1000000000) }}"));
        assertEquals("1e+16", render("{{ '%g' % 1e16 }}"));
        assertEquals(1002, render("{{ '%.1000f' % 0.5 }}").length());
        assertEquals("[0, 4611686018427387904]", render("{{ range(0, 9223372036854775807, 4611686018427387904) | list }}"));
    }

    /** The server renders on virtual threads and small stacks: the limits stop recursion before the stack ends. */
    @Test
    void deepestRecursionFitsASmallStack() throws InterruptedException {
        String[] templates = {
            "{% macro f() %}{{ f() }}{% endmacro %}{{ f() }}",
            "{% macro f() %}{% if 1 %}{% for x in [1] %}{{ [[[[(f())]]]] }}{% endfor %}{% endif %}{% endmacro %}{{ f() }}",
            "{{ " + "[".repeat(90) + "x | string" + "]".repeat(90) + " }}",
            "{% set l = [] %}{% do l.append(l) %}{{ " + "[".repeat(90) + "l | tojson" + "]".repeat(90) + " }}",
            "{% set a = [] %}{% set b = [] %}{% do a.append(b) %}{% do b.append(a) %}{{ " + "[".repeat(90) + "a == b"
                    + "]".repeat(90) + " }}",
        };
        for (String t : templates) {
            ChatTemplate template = ChatTemplate.parse(t);
            AtomicReference<Throwable> thrown = new AtomicReference<>();
            Runnable r = () -> {
                try {
                    template.render(Map.of("x", 1));
                } catch (Throwable e) {
                    thrown.set(e);
                }
            };
            Thread small = new Thread(null, r, "small-stack", 512 * 1024);
            small.start();
            small.join();
            assertTrue(thrown.get() == null || thrown.get() instanceof TemplateException e && e.getCause() == null,
                    thrown.get() + " <- " + t);
            Thread.ofVirtual().start(r).join();
            assertTrue(thrown.get() == null || thrown.get() instanceof TemplateException e && e.getCause() == null,
                    thrown.get() + " <- " + t);
        }
    }

    /** Real templates on a long chat stay far below every limit. */
    @Test
    void longChatsRenderWithinTheLimits() throws Exception {
        for (String family : List.of("qwen3", "llama3_1", "gemma3", "deepseek_v3", "gpt_oss")) {
            String source = new String(ChatTemplateCasesTest.resource(family + ".jinja"), StandardCharsets.UTF_8);
            List<Map<String, Object>> messages = new ArrayList<>();
            messages.add(Map.of("role", "system", "content", "Be brief."));
            for (int i = 0; i < 2000; i++) {
                messages.add(Map.of("role", "user", "content", "question " + i + " " + "words ".repeat(100)));
                messages.add(Map.of("role", "assistant", "content", "answer " + i + " " + "words ".repeat(100)));
            }
            messages.add(Map.of("role", "user", "content", "last"));
            String out = ChatTemplate.parse(source).apply(messages, true, "<s>", "</s>", null, null);
            assertTrue(out.length() > 2_400_000, family);
        }
    }

    private static String render(String template) {
        return ChatTemplate.parse(template).render(Map.of());
    }
}
