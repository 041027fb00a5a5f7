package dev.shovel.chat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Small templates exercising each interpreter feature, with outputs and error messages recorded from Python Jinja2
 * 3.1.6 configured as transformers does (see chat/jinja2/generate.py). Runtime errors may carry a
 * " (template line N)" suffix that Jinja2 does not print.
 */
class Jinja2ReferenceTest {
    private static Map<String, Object> context;

    @SuppressWarnings("unchecked")
    static Stream<Arguments> cases() throws IOException {
        Map<String, Object> file = new ObjectMapper().readValue(
                ChatTemplateCasesTest.resource("jinja2/jinja2_cases.json"), new TypeReference<>() { });
        context = (Map<String, Object>) file.get("context");
        return ((List<Map<String, Object>>) file.get("cases")).stream()
                .map(c -> Arguments.of(c.get("template"), c.get("output"), c.get("error")));
    }

    @ParameterizedTest(name = "{index}: {0}")
    @MethodSource("cases")
    void matchesJinja2(String template, String output, String error) {
        if (output != null) {
            assertEquals(output, ChatTemplate.parse(template).render(context));
        } else {
            TemplateException e = assertThrows(TemplateException.class,
                    () -> ChatTemplate.parse(template).render(context));
            assertEquals(error, e.getMessage().replaceFirst(" \\(template line \\d+\\)$", ""));
        }
    }
}
