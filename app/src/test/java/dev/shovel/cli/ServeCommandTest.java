package dev.shovel.cli;

import static dev.shovel.cli.CliRun.assertOneLineError;
import static dev.shovel.cli.CliRun.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.shovel.model.Reference;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code shovel serve} as started from the command line: its flags, and its answers against {@code shovel generate}. */
class ServeCommandTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final HttpClient HTTP = HttpClient.newHttpClient();

    static ServeCommand.Running start(ByteArrayOutputStream log, String... args) throws Exception {
        String[] all = new String[args.length + 1];
        all[0] = "serve";
        System.arraycopy(args, 0, all, 1, args.length);
        CommandLine cli = Main.commandLine();
        CommandLine.ParseResult pr = cli.parseArgs(all);
        ServeCommand cmd = (ServeCommand) pr.subcommand().commandSpec().userObject();
        return cmd.start(new PrintStream(log, true, StandardCharsets.UTF_8));
    }

    static JsonNode post(ServeCommand.Running r, String path, String body, String key) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(r.server().url() + path)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (key != null) b.header("Authorization", "Bearer " + key);
        HttpResponse<String> res = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, res.statusCode(), res.body());
        return JSON.readTree(res.body());
    }

    /** What {@code shovel generate} prints on stdout (the continuation; the prompt goes to stderr). */
    static String generate(Path model, String prompt, int n) {
        CliRun.Run g = run("", "generate", "-m", model.toString(), "-p", prompt, "-n", Integer.toString(n), "--temp", "0", "-t", "2");
        assertEquals(0, g.code(), g.err());
        return g.out().endsWith("\n") ? g.out().substring(0, g.out().length() - 1) : g.out();
    }

    static String complete(ServeCommand.Running r, String prompt, int n) throws Exception {
        return post(r, "/v1/completions", "{\"prompt\":" + JSON.writeValueAsString(prompt) + ",\"max_tokens\":" + n + ",\"temperature\":0}", null)
                .get("choices").get(0).get("text").asText();
    }

    @Test
    void temperatureZeroGivesGeneratesTextAloneAndBesideSevenOthers() throws Exception {
        // Q4_0: its batched matmul gives the one-row result bit for bit, so the text must not depend on the neighbours
        Path q4 = Reference.root().resolve("llamaq-q4_0/model.gguf");
        List<String> prompts = List.of("Once upon a time", "The cat sat", "Tom had a red ball", "It was a sunny day",
                "Lily and her mom", "A big dog", "The little bird sang", "Sam wanted to play");
        List<String> want = new ArrayList<>();
        for (String p : prompts) want.add(generate(q4, p, 24));
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        try (ServeCommand.Running r = start(log, "-m", q4.toString(), "--port", "0", "-t", "2", "-np", "4")) {
            assertEquals(want.get(0), complete(r, prompts.get(0), 24), "alone");
            List<CompletableFuture<String>> all = new ArrayList<>();
            for (String p : prompts) all.add(CompletableFuture.supplyAsync(() -> {
                try {
                    return complete(r, p, 24);
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            }));
            for (int i = 0; i < prompts.size(); i++) assertEquals(want.get(i), all.get(i).get(), "beside seven others: " + prompts.get(i));
        }
        String l = log.toString(StandardCharsets.UTF_8);
        assertTrue(l.contains("serve: ready at http://127.0.0.1:"), l);
        assertTrue(l.contains("4 slots | context 256 tokens"), l);
        assertTrue(l.lines().filter(x -> x.contains("POST /v1/completions 200 prompt=")).count() >= 9, "one log line per request: " + l);
    }

    @Test
    void theEmbeddedModelByDefaultAlsoMatchesGenerate() throws Exception {
        CliRun.Run g = run("", "generate", "-p", "Once upon a time", "-n", "40", "--temp", "0", "-t", "2");
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        try (ServeCommand.Running r = start(log, "--port", "0", "-t", "2", "--alias", "stories", "--api-key", "a,b", "--jinja", "-fa", "on", "-cb")) {
            JsonNode c = post(r, "/v1/completions", "{\"prompt\":\"Once upon a time\",\"max_tokens\":40,\"temperature\":0}", "b");
            assertEquals(g.out().strip(), c.get("choices").get(0).get("text").asText().strip());
            assertEquals("stories", c.get("model").asText());
        }
        String l = log.toString(StandardCharsets.UTF_8);
        assertTrue(l.contains("--jinja has no effect") && l.contains("-fa/--flash-attn has no effect") && l.contains("-cb/--cont-batching has no effect"), l);
    }

    @Test
    void keysComeFromAFileToo(@TempDir Path dir) throws Exception {
        Path keys = dir.resolve("keys.txt");
        Files.writeString(keys, "first\n\n  second  \n");
        try (ServeCommand.Running r = start(new ByteArrayOutputStream(), "--port", "0", "--api-key-file", keys.toString())) {
            assertEquals(0, post(r, "/tokenize", "{\"content\":\"\"}", "second").get("tokens").size());
            var res = HTTP.send(HttpRequest.newBuilder(URI.create(r.server().url() + "/v1/models")).header("Authorization", "Bearer third").build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(401, res.statusCode());
        }
    }

    @Test
    void badFlagsAreOneLineErrors(@TempDir Path dir) throws Exception {
        assertOneLineError(run("", "serve", "--frobnicate"), "--frobnicate");
        assertOneLineError(run("", "serve", "--max-body", "lots"), "--max-body");
        assertOneLineError(run("", "serve", "-np", "0"), "--parallel");
        assertOneLineError(run("", "serve", "--api-key", ""), "--api-key is empty");
        assertOneLineError(run("", "serve", "--api-key-file", dir.resolve("none").toString()), "API key file not found");
        Path bad = dir.resolve("t.jinja");
        Files.writeString(bad, "{% for x in %}");
        assertOneLineError(run("", "serve", "--chat-template-file", bad.toString()), "line 1");
        try (ServerSocket taken = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
            assertOneLineError(run("", "serve", "--port", Integer.toString(taken.getLocalPort())), "cannot listen on 127.0.0.1:" + taken.getLocalPort());
        }
        assertEquals(10L << 20, ServeCommand.bytes("10m"));
        assertEquals(512L << 10, ServeCommand.bytes("512KiB"));
        assertEquals(12345, ServeCommand.bytes("12345"));
    }
}
