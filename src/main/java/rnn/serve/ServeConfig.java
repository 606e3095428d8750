package rnn.serve;

import java.time.Duration;

import rnn.InvalidConfigException;

/**
 * How {@code rnn serve} listens, validated before any model is loaded; messages name the option.
 *
 * @param host           address to bind (127.0.0.1 by default: only this machine can connect)
 * @param port           TCP port, 0 for any free one
 * @param threads        model threads, each with its own copy of the model's buffers (0: one per core):
 *                       predictions are answered in batches on them, generations and scorings N at a time
 * @param timeout        longest a request may compute (generation and scoring stop there with 503)
 */
public record ServeConfig(String host, int port, int threads, Duration timeout) {
    public static final String DEFAULT_HOST = "127.0.0.1";
    public static final int DEFAULT_PORT = 8080;
    public static final int DEFAULT_TIMEOUT_SECONDS = 30;
    public static final int MAX_THREADS = 64;
    public static final Duration MAX_TIMEOUT = Duration.ofHours(1);

    public ServeConfig {
        if (host == null || host.isBlank()) {
            throw new InvalidConfigException("--host must not be empty");
        }
        if (port < 0 || port > 65_535) {
            throw new InvalidConfigException("--port must be from 0 (any free port) to 65535, got " + port);
        }
        if (threads < 0 || threads > MAX_THREADS) {
            throw new InvalidConfigException("--threads must be from 0 (one per core) to " + MAX_THREADS + ", got " + threads);
        }
        if (threads == 0) {
            threads = Runtime.getRuntime().availableProcessors();
        }
        if (timeout == null || timeout.isNegative() || timeout.isZero() || timeout.compareTo(MAX_TIMEOUT) > 0) {
            throw new InvalidConfigException("--timeout must be from 1 to " + MAX_TIMEOUT.toSeconds() + " seconds, got "
                    + (timeout == null ? "none" : timeout.toMillis() / 1000.0));
        }
    }

    /** Loopback on a free port, the default timeout. */
    public static ServeConfig local(int threads) {
        return new ServeConfig(DEFAULT_HOST, 0, threads, Duration.ofSeconds(DEFAULT_TIMEOUT_SECONDS));
    }
}
