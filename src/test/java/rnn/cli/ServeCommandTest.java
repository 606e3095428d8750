package rnn.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import rnn.serve.ModelServer;
import rnn.serve.ServeConfig;
import rnn.workflow.TestModels;

/**
 * rnn serve as a real process: the address on stderr and nothing on stdout; Ctrl-C and SIGTERM let
 * the request in flight finish, refuse new ones, and exit 130 (143 for SIGTERM); bad options exit
 * 2 before the model is read; and the other commands never load the server's classes.
 */
class ServeCommandTest {
    private static final Pattern ADDRESS = Pattern.compile("rnn serve: model .* at (http://127\\.0\\.0\\.1:\\d+/) \\(Ctrl-C stops\\)");

    @TempDir
    static Path temp;
    static String model;

    @BeforeAll
    static void train() {
        model = TestModels.train(temp.resolve("model"), TestModels.Spec.windows().withEpochs(1), TestModels.RHYMES, 4)
                .toString();
    }

    private static Process java(List<String> jvmOptions, String... args) throws IOException {
        List<String> command = new java.util.ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmOptions);
        command.addAll(List.of(CliRun.modelsRootFlag(), "-cp", System.getProperty("java.class.path"), Main.class.getName()));
        command.addAll(List.of(args));
        return new ProcessBuilder(command).start();
    }

    @Test
    void ctrlCFinishesTheRequestInFlightAndExits130() throws Exception {
        stopsGracefully("INT", 130);
    }

    @Test
    void sigtermFinishesTheRequestInFlightToo() throws Exception {
        stopsGracefully("TERM", 143);
    }

    private void stopsGracefully(String signal, int exitCode) throws Exception {
        Process process = java(List.of(), "serve", "-m", model, "--port", "0");
        // A server that never stops must fail the test, not hang the suite: its streams then end.
        CompletableFuture.delayedExecutor(120, TimeUnit.SECONDS).execute(process::destroyForcibly);
        try (BufferedReader err = new BufferedReader(new InputStreamReader(process.getErrorStream(), StandardCharsets.UTF_8))) {
            String first = err.readLine();
            Matcher address = ADDRESS.matcher(first == null ? "" : first);
            assertTrue(address.matches(), "got " + first);
            URI url = URI.create(address.group(1));
            try (Socket inFlight = new Socket("127.0.0.1", url.getPort())) {
                inFlight.setSoTimeout(120_000);
                // Expect: 100-continue makes the server say when the request has reached its handler.
                String request = "{\"context\":\"Mary had a little\",\"k\":2}";
                OutputStream out = inFlight.getOutputStream();
                out.write(("POST /v1/predict HTTP/1.1\r\nHost: localhost\r\nExpect: 100-continue\r\nContent-Length: "
                        + request.length() + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                out.flush();
                BufferedReader in = new BufferedReader(new InputStreamReader(inFlight.getInputStream(), StandardCharsets.UTF_8));
                assertEquals("HTTP/1.1 100 Continue", in.readLine());
                skipHeaders(in);

                new ProcessBuilder("kill", "-" + signal, Long.toString(process.pid())).start().waitFor();
                assertEquals("rnn serve: stopping; finishing 1 request in flight", err.readLine());
                assertEquals(503, status(url.resolve("/healthz")), "new requests are refused meanwhile");

                out.write(request.getBytes(StandardCharsets.UTF_8));
                out.flush();
                assertEquals("HTTP/1.1 200 OK", in.readLine(), "the request in flight is answered");
                skipHeaders(in);
                assertTrue(in.readLine().startsWith("{\"context\":\"Mary had a little\",\"predictions\":[{\"token\":"));
            }
            assertTrue(process.waitFor(60, TimeUnit.SECONDS), "exits once the request is answered");
            assertEquals(exitCode, process.exitValue());
            assertEquals("rnn serve: stopped", err.readLine());
            assertEquals("", new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8), "nothing on stdout");
        } finally {
            process.destroyForcibly();
        }
    }

    private static void skipHeaders(BufferedReader in) throws IOException {
        for (String line = in.readLine(); line != null && !line.isEmpty(); line = in.readLine()) {
            assertFalse(line.startsWith("HTTP/"), line);
        }
    }

    private static int status(URI url) throws IOException {
        java.net.HttpURLConnection connection = (java.net.HttpURLConnection) url.toURL().openConnection();
        try {
            return connection.getResponseCode();
        } finally {
            connection.disconnect();
        }
    }

    @Test
    void badOptionsExit2BeforeTheModelIsRead() {
        Path missing = temp.resolve("no-such-model");
        CliRun port = CliRun.of("serve", "-m", missing.toString(), "--port", "70000");
        assertEquals(2, port.exitCode());
        assertEquals("rnn serve: --port must be from 0 (any free port) to 65535, got 70000", port.firstErrorLine());
        CliRun threads = CliRun.of("serve", "-m", missing.toString(), "--threads", "-1");
        assertEquals(2, threads.exitCode());
        assertTrue(threads.firstErrorLine().startsWith("rnn serve: --threads must be from 0"), threads.err());
        CliRun timeout = CliRun.of("serve", "-m", missing.toString(), "--timeout", "0");
        assertEquals(2, timeout.exitCode());
        assertTrue(timeout.firstErrorLine().startsWith("rnn serve: --timeout must be from 1 to 3600 seconds"), timeout.err());
        CliRun noModel = CliRun.of("serve", "-m", missing.toString(), "--port", "0");
        assertEquals(1, noModel.exitCode());
        assertTrue(noModel.firstErrorLine().contains(missing.toString()), noModel.err());
    }

    @Test
    void aPortInUseIsARuntimeErrorNamingIt() {
        ModelServer holder = ModelServer.start(Path.of(model), ServeConfig.local(1));
        try {
            CliRun run = CliRun.of("serve", "-m", model, "--port", Integer.toString(holder.port()));
            assertEquals(1, run.exitCode(), run.err());
            assertTrue(run.firstErrorLine().startsWith("rnn serve: --port " + holder.port() + ": cannot listen on 127.0.0.1:"),
                    run.err());
        } finally {
            holder.stop(1);
        }
    }

    @Test
    void otherCommandsLoadNoServerClasses() throws Exception {
        Process process = java(List.of("-verbose:class"), "summary", "-m", model);
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, process.exitValue());
        assertTrue(out.contains("rnn.workflow.ModelSummary"), "the class log is there");
        assertFalse(out.contains("rnn.serve."), "no rnn.serve class is loaded");
        assertFalse(out.contains("com.sun.net.httpserver"), "the HTTP server is not loaded");
        assertFalse(Files.exists(temp.resolve("never")));
    }
}
