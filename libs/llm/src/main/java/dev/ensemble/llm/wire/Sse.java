package dev.ensemble.llm.wire;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Server-sent events as OpenAI uses them: each event is {@code data: <json>} and a blank line; the
 * stream ends with {@code data: [DONE]}. {@link #event} and {@link #DONE} write them;
 * {@link Parser} reads them back line by line (for the upstream client and for tests).
 */
public final class Sse {

    /** The terminating event's data. */
    public static final String DONE_DATA = "[DONE]";
    /** The terminating event, ready to write. */
    public static final String DONE = "data: [DONE]\n\n";
    /** The content type of an SSE response. */
    public static final String CONTENT_TYPE = "text/event-stream";

    private Sse() {
    }

    /** {@code data: <json>\n\n} for one wire object. */
    public static String event(Object payload) {
        return "data: " + Json.write(payload) + "\n\n";
    }

    /** The error event sent when a stream fails after it started ({@code data: {"error":{...}}}). */
    public static String error(String message, String type, String code) {
        return event(ErrorResponse.of(message, type, null, code));
    }

    /**
     * An incremental SSE parser: feed it lines (without their line terminators) and it calls back
     * with the {@code data} of each complete event. Multi-line data is joined with newlines,
     * comments ({@code :...}) and other fields are ignored. Not thread-safe.
     */
    public static final class Parser {
        private final Consumer<String> onData;
        private final List<String> data = new ArrayList<>();

        public Parser(Consumer<String> onData) {
            this.onData = onData;
        }

        /** One line of the stream. */
        public void line(String line) {
            if (line.isEmpty()) {
                dispatch();
                return;
            }
            if (line.startsWith(":")) {
                return;
            }
            int colon = line.indexOf(':');
            String field = colon < 0 ? line : line.substring(0, colon);
            String value = colon < 0 ? "" : line.substring(colon + 1);
            if (value.startsWith(" ")) {
                value = value.substring(1);
            }
            if ("data".equals(field)) {
                data.add(value);
            }
        }

        /** Ends the stream: an event without its blank line still counts. */
        public void end() {
            dispatch();
        }

        private void dispatch() {
            if (!data.isEmpty()) {
                String joined = String.join("\n", data);
                data.clear();
                onData.accept(joined);
            }
        }
    }
}
