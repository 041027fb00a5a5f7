package dev.shovel.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Before the model is loaded the server already answers: 503 "Loading model", for /health too. */
class LoadingTest {
    @Test
    void everythingIs503UntilTheEngineIsReady() throws Exception {
        try (OpenAiServer s = OpenAiServer.start(ServerOptions.defaults().withPort(0).withApiKeys(List.of("k")), null);
             HttpClient http = HttpClient.newHttpClient()) {
            for (String path : List.of("/health", "/v1/models")) {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(s.url() + path)).header("Authorization", "Bearer k").build(),
                        HttpResponse.BodyHandlers.ofString());
                ServerTest.assertError(new TestServer.Reply(r.statusCode(), r.body(), r.headers()), 503, "unavailable_error", "Loading model");
            }
            HttpResponse<String> page = http.send(HttpRequest.newBuilder(URI.create(s.url() + "/")).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, page.statusCode(), "the page loads and waits for the model");
        }
    }
}
