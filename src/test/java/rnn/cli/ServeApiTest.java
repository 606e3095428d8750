package rnn.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.SequenceInputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import rnn.checkpoint.Json;
import rnn.serve.ModelServer;
import rnn.serve.ServeConfig;
import rnn.workflow.TestModels;

/**
 * rnn serve's HTTP API on a free port: every endpoint answers what the matching command prints for
 * the same model (predictions to 1e-6, see {@link #assertSamePredictions}), every error has its status and a one-line JSON message, and a burst of
 * concurrent requests gets the same answers as one request at a time.
 */
class ServeApiTest {
    private static final String TEXT = "Mary had a little lamb .\n\nthe zebra sat on the mat .\nthe cat ran home .\n";

    @TempDir
    static Path temp;
    static String model;
    static String windowModel;
    static ModelServer server;
    static ModelServer windowServer;
    static HttpClient client;

    @BeforeAll
    static void start() {
        model = TestModels.train(temp.resolve("stream"), TestModels.Spec.stream().withEpochs(2), TestModels.RHYMES, 4)
                .toString();
        windowModel = TestModels.train(temp.resolve("window"), TestModels.Spec.windows().withEpochs(2),
                TestModels.RHYMES, 4).toString();
        server = ModelServer.start(Path.of(model), ServeConfig.local(2));
        windowServer = ModelServer.start(Path.of(windowModel), ServeConfig.local(2));
        client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    }

    @AfterAll
    static void stop() {
        server.stop(5);
        windowServer.stop(5);
    }

    static HttpResponse<String> post(ModelServer to, String path, String body) throws IOException, InterruptedException {
        return client.send(HttpRequest.newBuilder(URI.create(to.url()).resolve(path))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    static HttpResponse<String> get(ModelServer to, String path) throws IOException, InterruptedException {
        return client.send(HttpRequest.newBuilder(URI.create(to.url()).resolve(path)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    static JsonNode ok(HttpResponse<String> response) throws IOException {
        assertEquals(200, response.statusCode(), response.body());
        assertEquals("application/json; charset=utf-8", response.headers().firstValue("Content-Type").orElse(""));
        return Json.mapper().readTree(response.body());
    }

    static String body(Object... keysAndValues) {
        Map<String, Object> fields = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            fields.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return Json.toJson(fields);
    }

    @Test
    void predictAnswersWhatPredictJsonPrints() throws Exception {
        for (String m : List.of(model, windowModel)) {
            ModelServer to = m.equals(model) ? server : windowServer;
            for (String context : List.of("Mary had a little", "", "the zebra sat on", "the cat sat on the mat and the dog")) {
                for (int k : new int[] {1, 3, 5}) {
                    HttpResponse<String> response = post(to, "/v1/predict", body("context", context, "k", k));
                    CliRun cli = CliRun.of("predict", "-m", m, "--json", "-q", "-k", Integer.toString(k), context);
                    assertEquals(0, cli.exitCode(), cli.err());
                    assertSamePredictions(Json.mapper().readTree(cli.out()), ok(response), m + " " + context + " k=" + k);
                }
            }
        }
        JsonNode unknown = ok(post(server, "/v1/predict", body("context", "the zebra and the yak")));
        assertEquals("[\"zebra\",\"yak\"]", unknown.get("unknown").toString());
        assertEquals(5, unknown.get("predictions").size(), "k defaults to 5, as for the command");
    }

    /**
     * The same context, unknown words and tokens, and the probabilities to 1e-6: the command ranks
     * a prompt in plain Java, the server with the engine's products, which round differently.
     */
    private static void assertSamePredictions(JsonNode expected, JsonNode actual, String what) {
        assertEquals(expected.get("context"), actual.get("context"), what);
        assertEquals(expected.get("unknown"), actual.get("unknown"), what);
        assertEquals(expected.get("predictions").size(), actual.get("predictions").size(), what);
        for (int j = 0; j < expected.get("predictions").size(); j++) {
            JsonNode e = expected.get("predictions").get(j);
            JsonNode a = actual.get("predictions").get(j);
            assertEquals(e.get("token"), a.get("token"), what + " candidate " + j);
            assertEquals(e.get("probability").asDouble(), a.get("probability").asDouble(), 1e-6, what + " candidate " + j);
        }
    }

    @Test
    void generateAnswersWhatGenerateWritesForTheSameSeed() throws Exception {
        for (String m : List.of(model, windowModel)) {
            ModelServer to = m.equals(model) ? server : windowServer;
            JsonNode answer = ok(post(to, "/v1/generate", body("prime", "Mary had a", "n", 25, "temperature", 0.8,
                    "top_k", 6, "seed", 11)));
            CliRun cli = CliRun.of("generate", "-m", m, "--prime", "Mary had a", "-n", "25", "--temperature", "0.8",
                    "--top-k", "6", "--seed", "11");
            assertEquals(0, cli.exitCode(), cli.err());
            assertEquals(cli.out().stripTrailing(), answer.get("text").asText().stripTrailing(), m);
            assertEquals(25, answer.get("tokens").size());
            assertEquals(11, answer.get("seed").asLong());
            assertEquals("Mary had a", answer.get("prime").asText());
            JsonNode nucleus = ok(post(to, "/v1/generate", body("n", 12, "top_p", 0.7, "seed", 5)));
            CliRun nucleusCli = CliRun.of("generate", "-m", m, "-n", "12", "--top-p", "0.7", "--seed", "5");
            assertEquals(nucleusCli.out().stripTrailing(), nucleus.get("text").asText().stripTrailing(), m);
        }
    }

    @Test
    void streamedGenerationSendsEachTokenAsAnEventThenTheWhole() throws Exception {
        String request = body("prime", "the cat", "n", 15, "seed", 3, "temperature", 0.9);
        JsonNode whole = ok(post(server, "/v1/generate", request));
        ObjectNode streamedRequest = (ObjectNode) Json.mapper().readTree(request);
        streamedRequest.put("stream", true);
        HttpResponse<InputStream> response = client.send(HttpRequest.newBuilder(URI.create(server.url())
                        .resolve("/v1/generate")).POST(HttpRequest.BodyPublishers.ofString(streamedRequest.toString())).build(),
                HttpResponse.BodyHandlers.ofInputStream());
        assertEquals(200, response.statusCode());
        assertEquals("text/event-stream; charset=utf-8", response.headers().firstValue("Content-Type").orElse(""));
        List<String[]> events = events(response.body());
        StringBuilder text = new StringBuilder();
        for (String[] event : events.subList(0, events.size() - 1)) {
            assertEquals("message", event[0]);
            text.append(Json.mapper().readTree(event[1]).get("text").asText());
        }
        assertEquals(1 + 15, events.size() - 1, "the prime, then one event per token");
        String[] last = events.get(events.size() - 1);
        assertEquals("done", last[0]);
        assertEquals(whole, Json.mapper().readTree(last[1]));
        assertEquals(whole.get("text").asText(), text.toString());
    }

    /** Server-sent events as (event name, data) pairs, read to the end of the stream. */
    static List<String[]> events(InputStream stream) throws IOException {
        List<String[]> events = new ArrayList<>();
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8))) {
            String name = "message";
            StringBuilder data = new StringBuilder();
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                if (line.isEmpty()) {
                    events.add(new String[] {name, data.toString()});
                    name = "message";
                    data.setLength(0);
                } else if (line.startsWith("event: ")) {
                    name = line.substring(7);
                } else if (line.startsWith("data: ")) {
                    data.append(line.substring(6));
                }
            }
        }
        return events;
    }

    @Test
    void scoreAnswersThePerplexityFiguresBitForBit() throws Exception {
        Path file = temp.resolve("text.txt");
        Files.writeString(file, TEXT);
        for (String m : List.of(model, windowModel)) {
            ModelServer to = m.equals(model) ? server : windowServer;
            JsonNode answer = ok(post(to, "/v1/score", body("text", TEXT)));
            // One engine thread, as the server runs each request; other thread counts agree to float rounding.
            JsonNode cli = Json.mapper().readTree(CliRun.of("perplexity", "-m", m, "--json", "--threads", "1",
                    file.toString()).out());
            for (String field : List.of("model", "context", "lines", "tokens", "oovs", "log10_likelihood",
                    "ln_likelihood", "cross_entropy_bits", "perplexity", "perplexity_excluding_oovs")) {
                assertEquals(cli.get(field), answer.get(field), m + " " + field);
            }
            assertEquals("request", answer.get("text").asText());
            assertFalse(answer.has("per_line"));

            JsonNode perLine = ok(post(to, "/v1/score", body("text", TEXT, "per_line", true)));
            CliRun lines = CliRun.of("perplexity", "-m", m, "--per-line", "--json", "-q", "--threads", "1", file.toString());
            List<JsonNode> expected = new ArrayList<>();
            for (String line : lines.out().lines().toList()) {
                expected.add(Json.mapper().readTree(line));
            }
            List<JsonNode> got = new ArrayList<>();
            perLine.get("per_line").forEach(got::add);
            assertEquals(expected, got, m);
            assertEquals(answer.get("perplexity"), perLine.get("perplexity"));

            // "independent": each line on its own, as perplexity --independent.
            JsonNode independent = ok(post(to, "/v1/score", body("text", TEXT, "per_line", true, "independent", true)));
            JsonNode independentCli = Json.mapper().readTree(CliRun.of("perplexity", "-m", m, "--json", "--threads", "1",
                    "--independent", file.toString()).out());
            for (String field : List.of("context", "tokens", "log10_likelihood", "perplexity")) {
                assertEquals(independentCli.get(field), independent.get(field), m + " independent " + field);
            }
            assertTrue(independent.get("context").asText().contains("own line") || independent.get("context").asText()
                    .startsWith("independent"), independent.get("context").asText());
            CliRun independentLines = CliRun.of("perplexity", "-m", m, "--per-line", "--json", "-q", "--threads", "1",
                    "--independent", file.toString());
            List<JsonNode> expectedLines = new ArrayList<>();
            for (String line : independentLines.out().lines().toList()) {
                expectedLines.add(Json.mapper().readTree(line));
            }
            List<JsonNode> gotLines = new ArrayList<>();
            independent.get("per_line").forEach(gotLines::add);
            assertEquals(expectedLines, gotLines, m);
        }
    }

    @Test
    void modelAnswersWhatSummaryJsonPrintsAndHealthzSaysOk() throws Exception {
        HttpResponse<String> response = get(server, "/v1/model");
        ok(response);
        assertEquals(CliRun.of("summary", "-m", model, "--json").out().strip(), response.body().strip());
        assertEquals("{\"status\":\"ok\"}", get(server, "/healthz").body().strip());
    }

    @Test
    void thePageIsOneSelfContainedHtmlDocument() throws Exception {
        HttpResponse<String> page = get(server, "/");
        assertEquals(200, page.statusCode());
        assertEquals("text/html; charset=utf-8", page.headers().firstValue("Content-Type").orElse(""));
        assertTrue(page.headers().firstValue("Content-Security-Policy").orElse("").startsWith("default-src 'none'"));
        String html = page.body();
        assertTrue(html.contains("/v1/predict") && html.contains("/v1/generate") && html.contains("stream: true"),
                "the page asks for suggestions and streams a generation");
        assertFalse(html.matches("(?s).*(src|href)=\"(https?:)?//.*"), "no external assets");
    }

    @Test
    void everyErrorIsAStatusWithAOneLineJsonMessage() throws Exception {
        assertError(post(server, "/v1/predict", "{\"context\": 5}"), 400, "\"context\" must be a string, got a number");
        assertError(post(server, "/v1/predict", "not json"), 400, "the body is not valid JSON");
        assertError(post(server, "/v1/predict", "{\"context\":\"a\",\"model\":\"/etc\"}"), 400, "unknown field \"model\"");
        assertError(post(server, "/v1/generate", "{\"n\": 5000}"), 400, "\"n\" must be an integer from 1 to 1000");
        assertError(post(server, "/v1/score", "{\"text\": \"\"}"), 400, "request: no tokens to score");
        assertError(post(server, "/v1/nothing", "{}"), 404, "no such endpoint: /v1/nothing");
        assertError(get(server, "/favicon.ico"), 404, "no such endpoint");
        HttpResponse<String> wrongMethod = get(server, "/v1/predict");
        assertError(wrongMethod, 405, "/v1/predict takes POST, not GET");
        assertEquals("POST", wrongMethod.headers().firstValue("Allow").orElse(""));
        assertError(post(server, "/healthz", "{}"), 405, "/healthz takes GET, not POST");

        // 413: a declared length over the limit is refused before the body is read ...
        try (Socket socket = new Socket("127.0.0.1", server.port())) {
            OutputStream out = socket.getOutputStream();
            out.write(("POST /v1/score HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                    + "Content-Length: 5000000\r\n\r\n{\"text\":\"").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            String status = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII))
                    .readLine();
            assertEquals("HTTP/1.1 413 Request Entity Too Large", status);
        }
        // ... and a chunked one when it passes the limit.
        byte[] head = "{\"text\":\"".getBytes(StandardCharsets.UTF_8);
        InputStream oversized = new SequenceInputStream(new ByteArrayInputStream(head),
                new ByteArrayInputStream("a ".repeat((1 << 19) + 8).getBytes(StandardCharsets.UTF_8)));
        HttpResponse<String> tooLarge = client.send(HttpRequest.newBuilder(URI.create(server.url()).resolve("/v1/score"))
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> oversized)).build(), HttpResponse.BodyHandlers.ofString());
        assertError(tooLarge, 413, "the body is larger than 1048576 bytes");

        assertEquals(200, get(server, "/healthz").statusCode(), "the server lives on");
    }

    @Test
    void requestsLongerThanTheTimeoutGet503() throws Exception {
        ModelServer hasty = ModelServer.start(Path.of(windowModel), new ServeConfig("127.0.0.1", 0, 1, Duration.ofMillis(1)));
        try {
            assertError(post(hasty, "/v1/generate", body("n", 1000, "seed", 1)), 503,
                    "the request took longer than this server's limit of 0.001 s (rnn serve --timeout)");
            HttpResponse<InputStream> streamed = client.send(HttpRequest.newBuilder(URI.create(hasty.url())
                            .resolve("/v1/generate")).POST(HttpRequest.BodyPublishers.ofString(
                                    body("n", 1000, "seed", 1, "stream", true))).build(),
                    HttpResponse.BodyHandlers.ofInputStream());
            List<String[]> events = events(streamed.body());
            String[] last = events.get(events.size() - 1);
            assertEquals("error", last[0]);
            assertTrue(last[1].contains("took longer than"), last[1]);
            assertTrue(events.size() < 1000, "stopped early");
            assertError(post(hasty, "/v1/score", body("text", TEXT.repeat(200))), 503, "the request took longer");
        } finally {
            hasty.stop(5);
        }
    }

    static void assertError(HttpResponse<String> response, int status, String messageStart) throws IOException {
        assertEquals(status, response.statusCode(), response.body());
        assertEquals("application/json; charset=utf-8", response.headers().firstValue("Content-Type").orElse(""));
        assertEquals(1, response.body().strip().lines().count(), response.body());
        JsonNode error = Json.mapper().readTree(response.body());
        assertEquals(1, error.size(), response.body());
        assertTrue(error.get("error").asText().startsWith(messageStart), response.body());
    }

    @Test
    void aConcurrentBurstGetsTheAnswersOfOneRequestAtATime() throws Exception {
        List<String[]> requests = new ArrayList<>();
        String[] contexts = {"Mary had a little", "the cat sat on the", "a dog ran in the park and", "the sun is", "we walked"};
        for (int i = 0; i < 40; i++) {
            String context = contexts[i % contexts.length];
            switch (i % 4) {
                case 0, 1 -> requests.add(new String[] {"/v1/predict", body("context", context, "k", 1 + i % 7)});
                case 2 -> requests.add(new String[] {"/v1/generate", body("prime", context, "n", 10 + i % 5, "seed", i)});
                default -> requests.add(new String[] {"/v1/score", body("text", TEXT.repeat(1 + i % 3), "per_line", i % 2 == 0)});
            }
        }
        List<String> expected = new ArrayList<>();
        for (String[] request : requests) {
            expected.add(withoutTimings(post(server, request[0], request[1]).body()));
        }
        ExecutorService clients = Executors.newFixedThreadPool(8);
        try {
            List<Future<String>> answers = new ArrayList<>();
            for (int round = 0; round < 2; round++) {
                for (String[] request : requests) {
                    Callable<String> call = () -> withoutTimings(post(server, request[0], request[1]).body());
                    answers.add(clients.submit(call));
                }
            }
            for (int i = 0; i < answers.size(); i++) {
                String[] request = requests.get(i % requests.size());
                String answer = answers.get(i).get();
                if (request[0].equals("/v1/predict")) {
                    assertSamePrediction(expected.get(i % requests.size()), answer, request[1]);
                } else {
                    assertEquals(expected.get(i % requests.size()), answer, request[1]);
                }
            }
        } finally {
            clients.shutdownNow();
        }
    }

    /**
     * Predictions answered side by side in one batch run B-row products, whose float rounding may
     * differ from a one-row product's: the same tokens in the same order, probabilities to 1e-6.
     */
    private static void assertSamePrediction(String expected, String actual, String request) throws IOException {
        JsonNode e = Json.mapper().readTree(expected);
        JsonNode a = Json.mapper().readTree(actual);
        assertEquals(e.get("context"), a.get("context"), request);
        assertEquals(e.get("unknown"), a.get("unknown"), request);
        assertEquals(e.get("predictions").size(), a.get("predictions").size(), request);
        for (int j = 0; j < e.get("predictions").size(); j++) {
            JsonNode ej = e.get("predictions").get(j);
            JsonNode aj = a.get("predictions").get(j);
            assertEquals(ej.get("token"), aj.get("token"), request);
            assertEquals(ej.get("probability").asDouble(), aj.get("probability").asDouble(),
                    1e-6 * ej.get("probability").asDouble(), request);
        }
    }

    private static String withoutTimings(String json) throws IOException {
        JsonNode node = Json.mapper().readTree(json);
        if (node instanceof ObjectNode object) {
            object.remove("seconds");
            object.remove("tokens_per_second");
        }
        return node.toString();
    }

    @Test
    void requestsRunSideBySide() throws Exception {
        // One request holds a request thread (its body is still on the way); another is answered meanwhile.
        try (Socket slow = new Socket("127.0.0.1", server.port())) {
            String request = body("context", "Mary had a little");
            OutputStream out = slow.getOutputStream();
            out.write(("POST /v1/predict HTTP/1.1\r\nHost: localhost\r\nContent-Length: " + request.length()
                    + "\r\n\r\n" + request.substring(0, 5)).getBytes(StandardCharsets.UTF_8));
            out.flush();
            waitUntil(() -> server.requestsInFlight() == 1);
            assertEquals(200, post(server, "/v1/predict", body("context", "the cat")).statusCode());
            out.write(request.substring(5).getBytes(StandardCharsets.UTF_8));
            out.flush();
            BufferedReader in = new BufferedReader(new InputStreamReader(slow.getInputStream(), StandardCharsets.UTF_8));
            assertEquals("HTTP/1.1 200 OK", in.readLine());
        }
    }

    static void waitUntil(java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, "timed out waiting");
            Thread.sleep(10);
        }
    }
}
