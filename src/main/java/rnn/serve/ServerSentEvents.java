package rnn.serve;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

import rnn.checkpoint.Json;

/**
 * A server-sent event stream (text/event-stream): each event one JSON line, sent at once. Once
 * the client has gone, every send returns false so the producer can stop.
 */
final class ServerSentEvents {
    private final OutputStream out;
    private boolean open = true;

    ServerSentEvents(OutputStream out) {
        this.out = out;
    }

    /** Sends {@code data} as JSON under {@code event} (null: the default "message"); false if the client has gone. */
    boolean send(String event, Object data) {
        if (!open) {
            return false;
        }
        // Jackson escapes line breaks inside strings, so the JSON is one "data:" line.
        String text = (event == null ? "" : "event: " + event + "\n") + "data: " + Json.toJson(data) + "\n\n";
        try {
            out.write(text.getBytes(StandardCharsets.UTF_8));
            out.flush();
        } catch (IOException e) {
            open = false;
        }
        return open;
    }

    boolean open() {
        return open;
    }
}
