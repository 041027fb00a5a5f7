package dev.shovel.cli;

import dev.shovel.ShovelException;
import dev.shovel.api.Model;
import dev.shovel.engine.Engine;
import dev.shovel.engine.EngineOptions;
import dev.shovel.server.OpenAiServer;
import dev.shovel.server.ServerLimits;
import dev.shovel.server.ServerOptions;
import java.io.IOException;
import java.io.PrintStream;
import java.net.BindException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code shovel serve}: an OpenAI-compatible server, with llama-server's flag names. */
@Command(name = "serve", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Serve the model over HTTP with OpenAI's API (chat and text completions, models) and llama-server's "
                + "extras (tokenize, detokenize, slots, metrics, health), plus a chat page at /.",
                "Requests run concurrently in -np slots that share the -c context cells; more wait in a queue."})
public final class ServeCommand implements Callable<Integer> {
    @Mixin ModelOptionsMixin model;

    @Option(names = "--host", paramLabel = "ADDR", description = "address to listen on (default: ${DEFAULT-VALUE})", defaultValue = "127.0.0.1")
    String host;

    @Option(names = "--port", paramLabel = "N", description = "port (default: ${DEFAULT-VALUE})", defaultValue = "8080")
    int port;

    @Option(names = {"-np", "--parallel"}, paramLabel = "N", description = "slots: requests that run at once (default: ${DEFAULT-VALUE})", defaultValue = "4")
    int parallel;

    @Mixin SamplingOptionsMixin sampling;

    @Option(names = "--api-key", paramLabel = "KEY", split = ",", description = "require 'Authorization: Bearer KEY' on every endpoint but /health (repeatable, or a comma list: each item is a key)")
    List<String> apiKeys = new ArrayList<>();

    @Option(names = "--api-key-file", paramLabel = "FILE", description = "read API keys from a file, one per line")
    Path apiKeyFile;

    @Option(names = "--alias", paramLabel = "NAME", description = "the model id clients see (default: the model file's name)")
    String alias;

    @Option(names = "--chat-template-file", paramLabel = "FILE", description = "a Jinja chat template to use instead of the model's")
    Path chatTemplateFile;

    @Option(names = {"-to", "--timeout"}, paramLabel = "SECONDS", description = "drop a client that sends or reads nothing for this long (default: ${DEFAULT-VALUE})", defaultValue = "600")
    int timeout;

    @Option(names = "--max-body", paramLabel = "BYTES", description = "largest request body, e.g. 10485760, 512k or 10m (default: ${DEFAULT-VALUE})", defaultValue = "10m")
    String maxBody;

    @Option(names = "--max-connections", paramLabel = "N", description = "open connections at once; more are closed when accepted, idle ones after 30 s (default: ${DEFAULT-VALUE})", defaultValue = "" + ServerLimits.MAX_CONNECTIONS)
    int maxConnections;

    @Option(names = "--queue", paramLabel = "N", description = "requests that may wait for a slot; beyond that: 503 (default: ${DEFAULT-VALUE})", defaultValue = "256")
    int queue;

    @Option(names = "--no-webui", description = "do not serve the chat page at /")
    boolean noWebUi;

    // llama-server flags that mean nothing here: accepted, with a notice
    @Option(names = "--jinja", hidden = true) boolean jinja;
    @Option(names = {"-fa", "--flash-attn"}, arity = "0..1", hidden = true, fallbackValue = "on") String flashAttn;
    @Option(names = "--metrics", hidden = true) boolean metricsFlag;
    @Option(names = {"-kvu", "--kv-unified"}, hidden = true) boolean kvUnified;
    @Option(names = {"-cb", "--cont-batching"}, hidden = true) boolean contBatching;

    /** A started server: closing it stops the server, then the engine, then the model. */
    record Running(OpenAiServer server, Engine engine, Model model) implements AutoCloseable {
        @Override
        public void close() {
            server.close();
            engine.close();
            model.close();
        }
    }

    @Override
    public Integer call() throws Exception {
        Running r = start(new PrintStream(System.err, true, StandardCharsets.UTF_8));
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            r.close();
            stopped.countDown();
        }));
        stopped.await();
        return 0;
    }

    /** Listens at once (health answers 503), loads the model, then serves it. */
    Running start(PrintStream err) throws IOException {
        notices(err);
        ServerOptions so = serverOptions();
        EngineOptions eo = EngineOptions.defaults().withSlots(parallel).withQueueSize(queue).withChatTemplate(template());
        var mo = model.options(); // checks the model options before the port is taken
        OpenAiServer server;
        try {
            server = OpenAiServer.start(so, err);
        } catch (BindException e) {
            throw new ShovelException("cannot listen on " + host + ":" + port + ": " + e.getMessage());
        }
        Model m = null;
        Engine engine = null;
        try {
            m = model.model == null ? Model.loadDefault(mo) : Model.load(model.model, mo);
            Warnings.print(m.tokenizer().warnings(), err);
            engine = new Engine(m, eo);
            String id = model.model == null ? "stories260K" : model.model.getFileName().toString();
            server.ready(engine, id);
            engine.chatFormat().note().ifPresent(n -> err.println("serve: " + n));
            err.printf("serve: ready at %s | model %s | %d slots | context %d tokens | batch %d | %d threads%n", server.url(),
                    so.alias() != null ? so.alias() : id, engine.slotCount(), engine.contextSize(), engine.batchSize(), m.threads());
            return new Running(server, engine, m);
        } catch (RuntimeException | Error e) {
            server.close();
            if (engine != null) engine.close();
            if (m != null) m.close();
            throw e;
        }
    }

    private void notices(PrintStream err) {
        if (jinja) err.println("serve: --jinja has no effect: chat templates always run through Shovel's own Jinja interpreter");
        if (flashAttn != null) err.println("serve: -fa/--flash-attn has no effect: attention is computed one way on the CPU");
        if (metricsFlag) err.println("serve: --metrics has no effect: /metrics is always on");
        if (kvUnified) err.println("serve: -kvu/--kv-unified has no effect: the slots always share one pool of KV cells");
        if (contBatching) err.println("serve: -cb/--cont-batching has no effect: batching is always continuous");
    }

    ServerOptions serverOptions() throws IOException {
        if (parallel < 1) throw new ShovelException("--parallel must be at least 1, got " + parallel);
        if (port < 0 || port > 65535) throw new ShovelException("--port must be in 0..65535, got " + port);
        if (timeout < 1) throw new ShovelException("--timeout must be at least 1 second, got " + timeout);
        if (queue < 0) throw new ShovelException("--queue must be >= 0, got " + queue);
        List<String> keys = new ArrayList<>();
        for (String k : apiKeys) if (!k.isBlank()) keys.add(k.trim());
        if (!apiKeys.isEmpty() && keys.isEmpty()) {
            throw new ShovelException("--api-key is empty; give a key (an unset variable would have left the server open)");
        }
        if (apiKeyFile != null) {
            if (!Files.isRegularFile(apiKeyFile)) throw new ShovelException("API key file not found: " + apiKeyFile);
            Files.readAllLines(apiKeyFile, StandardCharsets.UTF_8).stream().map(String::trim).filter(s -> !s.isEmpty()).forEach(keys::add);
            if (keys.isEmpty()) throw new ShovelException("API key file " + apiKeyFile + " holds no key");
        }
        if (maxConnections < 1) throw new ShovelException("--max-connections must be at least 1, got " + maxConnections);
        ServerLimits limits = ServerLimits.defaults().withIoTimeout(timeout).withMaxBody(bytes(maxBody)).withMaxConnections(maxConnections);
        return new ServerOptions(host, port, alias, keys, limits, sampling.sampler(), sampling.maxTokens, sampling.stop, !noWebUi);
    }

    private String template() throws IOException {
        if (chatTemplateFile == null) return null;
        if (!Files.isRegularFile(chatTemplateFile)) throw new ShovelException("chat template file not found: " + chatTemplateFile);
        String t = Files.readString(chatTemplateFile, StandardCharsets.UTF_8);
        dev.shovel.chat.ChatTemplate.parse(t); // a broken template fails here, naming its line
        return t;
    }

    /** "10485760", "512k", "10m", "1g" (powers of 1024). */
    static long bytes(String s) {
        String t = s.trim().toLowerCase();
        long unit = 1;
        if (t.endsWith("ib")) t = t.substring(0, t.length() - 2);
        else if (t.endsWith("b")) t = t.substring(0, t.length() - 1);
        if (t.endsWith("k")) unit = 1L << 10;
        else if (t.endsWith("m")) unit = 1L << 20;
        else if (t.endsWith("g")) unit = 1L << 30;
        if (unit > 1) t = t.substring(0, t.length() - 1);
        try {
            long v = Long.parseLong(t.trim());
            if (v < 1) throw new NumberFormatException();
            return Math.multiplyExact(v, unit);
        } catch (NumberFormatException | ArithmeticException e) {
            throw new ShovelException("--max-body must be a size such as 10485760, 512k or 10m, got '" + s + "'");
        }
    }
}
