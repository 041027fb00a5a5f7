package dev.shovel.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The README's Java example compiles and prints the greedy story llama2.c's reference predicts. */
class ReadmeExampleTest {

    @Test
    void readmeExamplesCompileAndRun(@TempDir Path tmp) throws Exception {
        String readme = Files.readString(Path.of("..", "README.md"));
        Matcher m = Pattern.compile("```java\\n(.*?)```", Pattern.DOTALL).matcher(readme);
        int examples = 0;
        while (m.find()) {
            compileAndRun(tmp, m.group(1));
            examples++;
        }
        assertEquals(2, examples, "the Session and Engine examples");
    }

    /** Compiles the example, runs it, and checks it printed the greedy continuation of "Once upon a time". */
    void compileAndRun(Path tmp, String source) throws Exception {
        Matcher cls = Pattern.compile("public class (\\w+)").matcher(source);
        assertTrue(cls.find(), "the example declares a public class");
        Path file = tmp.resolve(cls.group(1) + ".java");
        Files.writeString(file, source);

        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        int rc = javac.run(null, null, null, "-d", tmp.toString(), "-cp", System.getProperty("java.class.path"),
                "--add-modules", "jdk.incubator.vector", file.toString());
        assertEquals(0, rc, "the README example compiles");

        PrintStream saved = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        try (URLClassLoader cl = new URLClassLoader(new URL[] {tmp.toUri().toURL()}, getClass().getClassLoader())) {
            System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
            cl.loadClass(cls.group(1)).getMethod("main", String[].class).invoke(null, (Object) new String[0]);
        } finally {
            System.setOut(saved);
        }
        String out = captured.toString(StandardCharsets.UTF_8);

        // "Once upon a time" is greedy_256's first tokens after BOS; the next 32 are what greedy decoding must print
        JsonNode v = new ObjectMapper().readTree(getClass().getResourceAsStream("/stories260K/stories260K-testvectors.json"));
        int[] ids = new int[v.get("greedy_256").get("ids").size()];
        for (int i = 0; i < ids.length; i++) ids[i] = v.get("greedy_256").get("ids").get(i).asInt();
        try (Model model = Model.loadDefault(ModelOptions.defaults())) {
            int[] prompt = model.tokenizer().encode("Once upon a time", true, true);
            assertEquals(List.of(1, 403, 407, 261, 378), Arrays.stream(prompt).boxed().toList());
            String expected = model.tokenizer().decode(Arrays.copyOfRange(ids, prompt.length, prompt.length + 32), true, false);
            assertTrue(out.startsWith(expected), "example printed:\n" + out + "\nexpected to start with:\n" + expected);
            assertTrue(out.contains("32 tokens"), out);
        }
    }
}
