package dev.ensemble.llm.provider;

import dev.ensemble.llm.wire.ChatMessage;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns chat messages into the plain-text prompt a character model was trained on:
 *
 * <pre>
 * System: be brief
 * User: Tell me a story.
 * Assistant: </pre>
 *
 * with a stop at the next {@code "\nUser:"} or blank line. When the conversation is longer than the
 * budget the oldest non-system messages are dropped first.
 */
public final class ChatPromptFormat {

    /** The stop sequences that end an assistant turn. */
    public static final List<String> TURN_STOPS = List.of("\nUser:", "\n\n");

    private ChatPromptFormat() {
    }

    /**
     * The prompt for {@code messages}, at most {@code maxChars} characters (code points).
     *
     * @throws LlmException {@code PROMPT_TOO_LONG} when even the last message alone does not fit
     */
    public static String format(List<ChatMessage> messages, int maxChars) {
        List<String> system = new ArrayList<>();
        List<String> turns = new ArrayList<>();
        for (ChatMessage m : messages) {
            String line = label(m.role()) + ": " + clean(m.content() == null ? "" : m.content());
            if ("system".equals(m.role()) || "developer".equals(m.role())) {
                system.add(line);
            } else {
                turns.add(line);
            }
        }
        String tail = "Assistant: ";
        int budget = maxChars - tail.length();
        int used = system.stream().mapToInt(s -> length(s) + 1).sum();
        int first = turns.size();
        while (first > 0 && used + length(turns.get(first - 1)) + 1 <= budget) {
            first--;
            used += length(turns.get(first)) + 1;
        }
        if (first == turns.size() && !turns.isEmpty() || used > budget) {
            throw new LlmException(LlmException.Kind.PROMPT_TOO_LONG, null,
                    "the conversation does not fit the model's context of " + maxChars + " characters");
        }
        StringBuilder sb = new StringBuilder();
        for (String s : system) {
            sb.append(s).append('\n');
        }
        for (int i = first; i < turns.size(); i++) {
            sb.append(turns.get(i)).append('\n');
        }
        return sb.append(tail).toString();
    }

    private static String label(String role) {
        return switch (role == null ? "user" : role) {
            case "system", "developer" -> "System";
            case "assistant" -> "Assistant";
            case "tool" -> "Tool";
            default -> "User";
        };
    }

    /** Blank lines inside a message would look like the end of a turn: fold them. */
    private static String clean(String content) {
        return content.strip().replace("\r\n", "\n").replaceAll("\n{2,}", "\n");
    }

    private static int length(String s) {
        return s.codePointCount(0, s.length());
    }
}
