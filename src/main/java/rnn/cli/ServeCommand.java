package rnn.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import rnn.serve.ModelServer;
import rnn.serve.ServeConfig;

/** rnn serve: a model kept loaded behind a local HTTP API and a next-word suggestion page. */
@Command(name = "serve", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Load a model once and answer HTTP requests until Ctrl-C (or SIGTERM): JSON at POST "
                + "/v1/predict, /v1/generate (\"stream\": true sends server-sent events), /v1/score, GET /v1/model and "
                + "/healthz, and a page at / that suggests the next word as you type.",
                "Answers equal those of predict --json, generate, perplexity --json and summary --json. Requests run "
                        + "in parallel over one copy of the weights. Bodies are limited to 1 MiB, contexts and primes to "
                        + "10,000 characters, k and n to 1,000. Prints the address on stderr; on Ctrl-C it finishes the "
                        + "requests in flight and exits 130."})
public final class ServeCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    VerbosityMixin verbosity;

    @Option(names = {"-m", "--model"}, paramLabel = "DIR", description = "Model directory (default: the model trained last, see models/latest.path).")
    Path model;

    @Option(names = "--host", paramLabel = "ADDRESS", defaultValue = ServeConfig.DEFAULT_HOST,
            description = "Address to listen on (default: ${DEFAULT-VALUE}, this machine only; 0.0.0.0 opens it to the network).")
    String host;

    @Option(names = {"-p", "--port"}, paramLabel = "N", defaultValue = "" + ServeConfig.DEFAULT_PORT,
            description = "TCP port (default: ${DEFAULT-VALUE}; 0 picks a free one).")
    int port;

    @Option(names = "--threads", paramLabel = "N", defaultValue = "0",
            description = "Model threads, each on one core (default 0 = one per core): predictions queue and are "
                    + "answered in batches; generations and scorings run N at a time.")
    int threads;

    @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "" + ServeConfig.DEFAULT_TIMEOUT_SECONDS,
            description = "Longest a request may compute; longer ones get 503 (default: ${DEFAULT-VALUE}).")
    int timeout;

    @Override
    public Integer call() throws InterruptedException {
        ServeConfig config = new ServeConfig(host, port, threads, Duration.ofSeconds(timeout)); // checked before loading
        PrintWriter err = spec.commandLine().getErr();
        ModelServer server = ModelServer.start(model, config);
        var stop = Interruption.watch();
        try {
            err.println("rnn serve: model " + server.modelDirectory() + " at " + server.url() + " (Ctrl-C stops)");
            while (!stop.get()) {
                Thread.sleep(50);
            }
            int inFlight = server.requestsInFlight();
            if (!verbosity.quiet()) {
                err.println("rnn serve: stopping; finishing " + inFlight + (inFlight == 1 ? " request" : " requests")
                        + " in flight");
            }
            server.stop(server.graceSeconds());
            if (!verbosity.quiet()) {
                err.println("rnn serve: stopped");
            }
            return ExitCodes.INTERRUPTED;
        } finally {
            Interruption.stopWatching();
        }
    }
}
