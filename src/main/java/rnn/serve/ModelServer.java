package rnn.serve;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import rnn.RnnException;
import rnn.checkpoint.Json;
import rnn.engine.kernel.EngineThreads;
import rnn.text.TextSource;
import rnn.workflow.Generator;
import rnn.workflow.InferenceModel;
import rnn.workflow.ModelDirectory;
import rnn.workflow.ModelSummary;
import rnn.workflow.Perplexity;
import rnn.workflow.Predictor;

/**
 * A loaded model behind a local HTTP API (the JDK's own server), answering with the same workflow
 * code as the commands: {@link Predictor} for /v1/predict, {@link Generator} for /v1/generate,
 * {@link Perplexity} for /v1/score, {@link ModelSummary} for /v1/model, and a page at /.
 *
 * <p>One copy of the weights; each model thread runs its own {@link rnn.engine.LanguageModel}
 * over them ({@link rnn.engine.LanguageModel#sharingParameters()}), with its own buffers, so
 * requests run in parallel without sharing anything mutable. Predictions queue for
 * {@code threads} model threads that answer all those waiting in one batch ({@link PredictBatcher});
 * generations and scorings take one of {@code threads} workers each. Every engine kernel runs on
 * one thread: the requests are the parallelism.
 */
public final class ModelServer {
    private static final Logger LOG = LogManager.getLogger(ModelServer.class);
    private static final String JSON = "application/json; charset=utf-8";

    private final HttpServer http;
    private final ExecutorService executor;
    private final InferenceModel loaded;
    private final String summaryJson;
    private final byte[] page;
    private final Duration timeout;
    /** Workers not in use by a generation or scoring; at most {@code threads} compute at once. */
    private final BlockingQueue<Worker> idleWorkers;
    private final PredictBatcher predictions;
    private final Map<String, Route> routes = new LinkedHashMap<>();
    private final AtomicInteger inFlight = new AtomicInteger();
    private volatile boolean stopping;

    /** What one generation or scoring computes with: its own model buffers over the shared weights. */
    private record Worker(InferenceModel loaded, Generator generator) {
        static Worker over(InferenceModel shared) {
            InferenceModel own = shared.sharingParameters();
            return new Worker(own, new Generator(own));
        }
    }

    /** Threads that read requests and write answers; they mostly wait on the model threads. */
    static final int REQUEST_THREADS = 64;

    @FunctionalInterface
    private interface Handler {
        void handle(HttpExchange exchange) throws IOException;
    }

    private record Route(String method, Handler handler) {
    }

    private ModelServer(HttpServer http, ExecutorService executor, InferenceModel loaded, String summaryJson,
                        ServeConfig config) {
        this.http = http;
        this.executor = executor;
        this.loaded = loaded;
        this.summaryJson = summaryJson;
        this.page = page();
        this.timeout = config.timeout();
        this.idleWorkers = new ArrayBlockingQueue<>(config.threads());
        for (int i = 0; i < config.threads(); i++) {
            idleWorkers.add(Worker.over(loaded));
        }
        this.predictions = new PredictBatcher(loaded, config.threads());
        routes.put("/", new Route("GET", this::page));
        routes.put("/healthz", new Route("GET", e -> sendJson(e, 200, "{\"status\":\"ok\"}")));
        routes.put("/v1/model", new Route("GET", e -> sendJson(e, 200, summaryJson)));
        routes.put("/v1/predict", new Route("POST", this::predict));
        routes.put("/v1/generate", new Route("POST", this::generate));
        routes.put("/v1/score", new Route("POST", this::score));
    }

    /** Loads the model in {@code directory} (the model trained last when null) and starts answering. */
    public static ModelServer start(Path directory, ServeConfig config) {
        Path resolved = ModelDirectory.resolve(directory);
        ModelSummary summary = ModelSummary.read(resolved);
        return start(InferenceModel.open(resolved), summary.toJson(), config);
    }

    static ModelServer start(InferenceModel loaded, String summaryJson, ServeConfig config) {
        limitConnections(config);
        // The requests are the parallelism; each one's products and softmax stay on its own core.
        EngineThreads.set(1);
        HttpServer http;
        try {
            http = HttpServer.create(new InetSocketAddress(config.host(), config.port()), 64);
        } catch (BindException e) {
            throw new RnnException("--port " + config.port() + ": cannot listen on " + config.host() + ":" + config.port()
                    + " (" + e.getMessage() + ")");
        } catch (IOException e) {
            throw new RnnException("--host " + config.host() + ": cannot listen there (" + e.getMessage() + ")");
        }
        AtomicInteger threadNumber = new AtomicInteger();
        ExecutorService executor = Executors.newFixedThreadPool(REQUEST_THREADS, runnable -> {
            Thread thread = new Thread(runnable, "rnn-serve-" + threadNumber.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
        ModelServer server = new ModelServer(http, executor, loaded, summaryJson, config);
        http.setExecutor(executor);
        http.createContext("/", server::handle);
        http.start();
        return server;
    }

    /**
     * The JDK server's own limits, read once per process from system properties (a user's -D
     * setting wins): Nagle off, so small answers leave at once; at most 256 connections; a request
     * must arrive within 20 s; an answer must be sent within the timeout plus 30 s.
     */
    private static void limitConnections(ServeConfig config) {
        setIfAbsent("sun.net.httpserver.nodelay", "true");
        setIfAbsent("jdk.httpserver.maxConnections", "256");
        setIfAbsent("sun.net.httpserver.maxReqTime", "20");
        setIfAbsent("sun.net.httpserver.maxRspTime", Long.toString(config.timeout().toSeconds() + 30));
    }

    private static void setIfAbsent(String property, String value) {
        if (System.getProperty(property) == null) {
            System.setProperty(property, value);
        }
    }

    /** Where it listens, e.g. {@code http://127.0.0.1:8080/}. */
    public String url() {
        InetSocketAddress address = http.getAddress();
        String host = address.getAddress().getHostAddress();
        return "http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + address.getPort() + "/";
    }

    public int port() {
        return http.getAddress().getPort();
    }

    public Path modelDirectory() {
        return loaded.directory();
    }

    /**
     * Refuses new requests (503), lets those in flight finish (up to {@code graceSeconds}), then
     * closes every connection. The JDK server's own graceful stop waits its whole delay on idle
     * keep-alive connections, so the server counts its requests itself.
     */
    public void stop(int graceSeconds) {
        stopping = true;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(graceSeconds);
        synchronized (inFlight) {
            while (inFlight.get() > 0 && System.nanoTime() < deadline) {
                try {
                    inFlight.wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
        }
        http.stop(0);
        executor.shutdownNow();
        predictions.stop();
    }

    /** Requests being answered now. */
    public int requestsInFlight() {
        return inFlight.get();
    }

    /** The grace {@link #stop} needs so that no request that has started is cut short. */
    public int graceSeconds() {
        return (int) timeout.toSeconds() + 5;
    }

    private void handle(HttpExchange exchange) {
        inFlight.incrementAndGet();
        try {
            if (stopping) {
                exchange.getResponseHeaders().set("Connection", "close");
                throw new ApiError(503, "the server is stopping");
            }
            String path = exchange.getRequestURI().getRawPath();
            Route route = routes.get(path);
            if (route == null) {
                throw new ApiError(404, "no such endpoint: " + ApiError.shorten(path) + "; there are "
                        + String.join(", ", routes.keySet()));
            }
            if (!route.method().equals(exchange.getRequestMethod())) {
                exchange.getResponseHeaders().set("Allow", route.method());
                throw new ApiError(405, path + " takes " + route.method() + ", not "
                        + ApiError.shorten(exchange.getRequestMethod()));
            }
            route.handler().handle(exchange);
        } catch (ApiError e) {
            sendError(exchange, e.status(), e.getMessage());
        } catch (RnnException e) {
            sendError(exchange, 400, e.getMessage()); // the library's word on this request's input
        } catch (IOException | UncheckedIOException e) {
            LOG.debug("connection lost: {}", e.toString()); // the client went away; nothing to answer
        } catch (Throwable e) {
            // Never let one request take the server down; out of memory included (its buffers are freed).
            LOG.error("unexpected error answering {} {}", exchange.getRequestMethod(), exchange.getRequestURI(), e);
            sendError(exchange, 500, "internal error: " + e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : ": " + ApiError.shorten(e.getMessage())));
        } finally {
            exchange.close();
            synchronized (inFlight) {
                inFlight.decrementAndGet();
                inFlight.notifyAll();
            }
        }
    }

    private void page(HttpExchange exchange) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", "text/html; charset=utf-8");
        // Nothing outside this page may load: it must work offline, and it proves it does.
        exchange.getResponseHeaders().set("Content-Security-Policy", "default-src 'none'; script-src 'unsafe-inline'; "
                + "style-src 'unsafe-inline'; connect-src 'self'; img-src data:");
        exchange.sendResponseHeaders(200, page.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(page);
        }
    }

    private void predict(HttpExchange exchange) throws IOException {
        ApiRequests.Predict request = ApiRequests.predict(body(exchange));
        long deadline = System.nanoTime() + timeout.toNanos();
        Predictor.Ranking ranking;
        try {
            ranking = predictions.rank(new Predictor.Query(request.context(), request.k()), deadline);
        } catch (TimeoutException e) {
            throw timedOut();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ApiError(503, "the server is stopping");
        }
        sendJson(exchange, 200, Json.toJson(ranking.fields()));
    }

    /** Runs {@code work} on an idle worker, waiting for one until {@code deadline} (503 past it). */
    private <T> T withWorker(long deadline, WorkerTask<T> work) throws IOException {
        Worker worker;
        try {
            worker = idleWorkers.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ApiError(503, "the server is stopping");
        }
        if (worker == null) {
            throw timedOut();
        }
        try {
            return work.run(worker);
        } finally {
            idleWorkers.add(worker);
        }
    }

    @FunctionalInterface
    private interface WorkerTask<T> {
        T run(Worker worker) throws IOException;
    }

    private void generate(HttpExchange exchange) throws IOException {
        ApiRequests.Generate request = ApiRequests.generate(body(exchange));
        long deadline = System.nanoTime() + timeout.toNanos();
        withWorker(deadline, worker -> {
            generate(exchange, request, deadline, worker.generator());
            return null;
        });
    }

    private void generate(HttpExchange exchange, ApiRequests.Generate request, long deadline, Generator generator)
            throws IOException {
        if (!request.stream()) {
            Generator.Result result = generator.generate(request.config(), text -> System.nanoTime() < deadline);
            if (result.generated().size() < request.config().words()) {
                throw timedOut();
            }
            sendJson(exchange, 200, Json.toJson(fields(result)));
            return;
        }
        exchange.getResponseHeaders().set("Content-Type", "text/event-stream; charset=utf-8");
        exchange.getResponseHeaders().set("Cache-Control", "no-cache");
        exchange.sendResponseHeaders(200, 0);
        OutputStream out = exchange.getResponseBody();
        ServerSentEvents events = new ServerSentEvents(out);
        try {
            Generator.Result result = generator.generate(request.config(),
                    text -> events.send(null, Map.of("text", text)) && System.nanoTime() < deadline);
            if (events.open()) {
                if (result.generated().size() < request.config().words()) {
                    events.send("error", Map.of("error", timedOut().getMessage()));
                } else {
                    events.send("done", fields(result));
                }
            }
        } catch (RuntimeException e) {
            LOG.error("unexpected error while streaming", e);
            events.send("error", Map.of("error", "internal error: " + e.getClass().getSimpleName()));
        }
        out.close();
    }

    private static Map<String, Object> fields(Generator.Result result) {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("prime", result.context());
        fields.put("completion", result.completion());
        fields.put("text", result.text());
        fields.put("tokens", result.generated());
        fields.put("unknown", result.unknownWords());
        fields.put("seed", result.seed());
        return fields;
    }

    private void score(HttpExchange exchange) throws IOException {
        ApiRequests.Score request = ApiRequests.score(body(exchange));
        long deadline = System.nanoTime() + timeout.toNanos();
        List<Map<String, Object>> lines = request.perLine() ? new ArrayList<>() : null;
        InputStream text = new ByteArrayInputStream(request.text().getBytes(StandardCharsets.UTF_8));
        Perplexity.Options options = new Perplexity.Options(Perplexity.STREAMS, request.independent());
        Perplexity.Report report = withWorker(deadline, worker -> Perplexity.score(worker.loaded(),
                TextSource.of(text, "request"), options, line -> {
                    if (lines != null) {
                        lines.add(line.fields());
                    }
                    return System.nanoTime() < deadline;
                }, null));
        if (!report.complete()) {
            throw timedOut();
        }
        Map<String, Object> fields = report.fields();
        if (lines != null) {
            fields.put("per_line", lines);
        }
        sendJson(exchange, 200, Json.toJson(fields));
    }

    private ApiError timedOut() {
        return new ApiError(503, "the request took longer than this server's limit of " + timeout.toMillis() / 1000.0
                + " s (rnn serve --timeout)");
    }

    /** The request body, refused with 413 beyond {@link ApiRequests#MAX_BODY_BYTES}. */
    private static byte[] body(HttpExchange exchange) throws IOException {
        String declared = exchange.getRequestHeaders().getFirst("Content-Length");
        if (declared != null && !declared.isBlank()) {
            long length;
            try {
                length = Long.parseLong(declared.trim());
            } catch (NumberFormatException e) {
                throw tooLarge(); // only a number too long for a long gets here: the JDK server checks the rest
            }
            if (length > ApiRequests.MAX_BODY_BYTES) {
                throw tooLarge();
            }
        }
        try (InputStream in = exchange.getRequestBody()) {
            byte[] body = in.readNBytes(ApiRequests.MAX_BODY_BYTES + 1);
            if (body.length > ApiRequests.MAX_BODY_BYTES) {
                throw tooLarge();
            }
            return body;
        }
    }

    private static ApiError tooLarge() {
        return new ApiError(413, "the body is larger than " + ApiRequests.MAX_BODY_BYTES + " bytes");
    }

    private static void sendJson(HttpExchange exchange, int status, String json) throws IOException {
        byte[] bytes = (json + "\n").getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", JSON);
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    /** An error answer, {"error": "..."}; nothing if the answer had already begun or the client left. */
    private static void sendError(HttpExchange exchange, int status, String message) {
        if (exchange.getResponseCode() != -1) {
            return;
        }
        try {
            sendJson(exchange, status, Json.toJson(Map.of("error", message)));
        } catch (IOException e) {
            LOG.debug("could not send the error: {}", e.toString());
        }
    }

    private static byte[] page() {
        try (InputStream in = ModelServer.class.getResourceAsStream("index.html")) {
            if (in == null) {
                throw new IllegalStateException("rnn/serve/index.html is missing from the jar");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
