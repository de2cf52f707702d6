package dev.ensemble.inference.llm;

import dev.ensemble.llm.model.BundledModel;
import dev.ensemble.llm.wire.ChatCompletionRequest;
import dev.ensemble.llm.wire.ChatMessage;
import dev.ensemble.web.ApiException;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * AI Orchestra's chat: a message, optionally in a session whose memory (the previous turns, in
 * PostgreSQL) goes with it; the optimization mode picks the model and its parameters; a
 * {@code swarm_type} runs the message through a team, one real generation per role, each role
 * seeing the message and what the roles before it wrote. Used by the REST endpoints and the
 * WebSocket alike.
 */
@ApplicationScoped
public class ChatService {

    /** What one chat message asks for. */
    public record ChatInput(String message, String sessionId, String mode, String swarm, boolean useMemory,
                            Map<String, Object> userContext, String model) {
    }

    /** One step of the pipeline (a single answer has one). */
    public record Step(int index, String role, String model, String output, int promptTokens, int completionTokens,
                       double executionTime, String finishReason) {
        Map<String, Object> view() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("step", index);
            m.put("role", role);
            m.put("model", model);
            m.put("output", output);
            m.put("tokens_used", promptTokens + completionTokens);
            m.put("execution_time", executionTime);
            m.put("finish_reason", finishReason);
            return m;
        }
    }

    /** The answer. */
    public record ChatResult(String response, String sessionId, String executionMode, double qualityScore,
                             double executionTime, String model, int promptTokens, int completionTokens, BigDecimal cost,
                             String finishReason, List<Step> steps) {
        public int tokensUsed() {
            return promptTokens + completionTokens;
        }

        public Map<String, Object> data() {
            Map<String, Object> meta = new LinkedHashMap<>();
            meta.put("tokens_used", tokensUsed());
            meta.put("prompt_tokens", promptTokens);
            meta.put("completion_tokens", completionTokens);
            meta.put("model", model);
            meta.put("cost", cost);
            meta.put("finish_reason", finishReason);
            meta.put("processing_steps", steps.stream().map(Step::view).toList());
            Map<String, Object> d = new LinkedHashMap<>();
            d.put("response", response);
            d.put("session_id", sessionId);
            d.put("execution_mode", executionMode);
            d.put("quality_score", qualityScore);
            d.put("execution_time", executionTime);
            d.put("metadata", meta);
            return d;
        }
    }

    /** Receives a streamed answer: each token with the step (role) it belongs to, and each started generation. */
    public interface Streaming {
        void onToken(int step, String role, String token);

        default void onStart(LlmCalls.Running running) {
        }
    }

    /** Model parameters of an optimization mode. */
    record ModeParams(String model, int maxTokens, double temperature, int topK) {
    }

    /** A team: the roles, in order, each with its instruction. */
    record Role(String name, String instruction) {
    }

    static final Map<String, List<Role>> SWARMS = Map.of(
            "research-team", List.of(
                    new Role("researcher", "Gather the facts and ideas the question needs, briefly."),
                    new Role("critic", "Point out what the research misses or gets wrong."),
                    new Role("writer", "Write the final answer for the user from the research and the critique.")),
            "coding-team", List.of(
                    new Role("architect", "Outline how to solve the task: the parts and how they fit."),
                    new Role("coder", "Write the code that follows the outline."),
                    new Role("reviewer", "Review the code and give the final, corrected answer.")),
            "creative-team", List.of(
                    new Role("brainstormer", "Offer several fresh ideas for the request."),
                    new Role("writer", "Turn the best idea into a piece of writing."),
                    new Role("editor", "Polish the writing and give the final version.")),
            "coding-debate", List.of(
                    new Role("proponent", "Argue for the best approach to the task."),
                    new Role("opponent", "Argue against it and propose an alternative."),
                    new Role("judge", "Weigh both sides and give the final answer.")));

    static final List<String> MODES = List.of("lite", "balanced", "quality");

    @Inject
    LlmEngine engine;

    @Inject
    LlmCalls calls;

    @Inject
    ChatSessions sessions;

    /** Checks an input (400 naming the field). */
    public void validate(ChatInput in, String messageField) {
        LlmConfig.Chat cfg = engine.config().chat();
        if (in.message() == null) {
            throw ApiException.badRequest(messageField, "is required");
        }
        if (in.message().isBlank()) {
            throw ApiException.badRequest(messageField, "must not be empty");
        }
        if (in.message().length() > cfg.maxMessageChars()) {
            throw new ApiException(413, dev.ensemble.web.ErrorCode.PAYLOAD_TOO_LARGE, messageField + ": the message has "
                    + in.message().length() + " characters; at most " + cfg.maxMessageChars() + " are accepted",
                    List.of(new dev.ensemble.web.Problem.FieldError(messageField, "at most " + cfg.maxMessageChars() + " characters")));
        }
        if (in.sessionId() != null) {
            ChatSessions.validateId("session_id", in.sessionId());
        }
        if (in.mode() != null && !MODES.contains(in.mode())) {
            throw ApiException.badRequest("optimization_mode", "must be one of lite, balanced, quality");
        }
        if (in.swarm() != null && !SWARMS.containsKey(in.swarm())) {
            throw ApiException.badRequest("swarm_type", "must be one of " + String.join(", ", SWARMS.keySet().stream().sorted().toList()));
        }
        if (in.useMemory() && in.sessionId() == null) {
            throw ApiException.badRequest("session_id", "is required when use_memory is true");
        }
        if (in.model() != null && engine.ready() && !engine.backend().serves(in.model())) {
            throw ApiException.notFound("model " + in.model());
        }
    }

    /**
     * Runs one chat message: memory, the single answer or the team, then the session is updated.
     * {@code bearer} is the caller's token, with which each step's cost is held with billing first.
     */
    public Uni<ChatResult> chat(UUID owner, String bearer, ChatInput in, String requestId, Streaming streaming) {
        ModeParams mode = mode(in.mode() == null ? engine.config().chat().defaultMode() : in.mode(), in.model());
        engine.backend(); // 503 while warming up, before the session is touched
        long t0 = System.nanoTime();
        Uni<Void> claimed = in.sessionId() == null ? Uni.createFrom().voidItem() : sessions.claim(owner, in.sessionId());
        Uni<List<ChatMessage>> history = claimed.chain(() -> in.useMemory()
                ? sessions.history(owner, in.sessionId(), engine.config().chat().historyTurns() * 2)
                : Uni.createFrom().item(List.<ChatMessage>of()));
        List<Role> roles = in.swarm() == null ? List.of(new Role("assistant", null)) : SWARMS.get(in.swarm());
        return history.chain(h -> runSteps(owner, bearer, in, mode, roles, h, requestId, streaming, 0, new ArrayList<>()))
                .chain(steps -> {
                    Step last = steps.get(steps.size() - 1);
                    int prompt = steps.stream().mapToInt(Step::promptTokens).sum();
                    int completion = steps.stream().mapToInt(Step::completionTokens).sum();
                    double elapsed = Math.round((System.nanoTime() - t0) / 1e6) / 1000.0;
                    ChatResult result = new ChatResult(last.output(), in.sessionId(),
                            in.swarm() == null ? "single" : "swarm:" + in.swarm(), QualityScore.of(last.output()), elapsed,
                            mode.model(), prompt, completion, engine.cost(mode.model(), (long) prompt + completion),
                            last.finishReason(), steps);
                    if (in.sessionId() == null) {
                        return Uni.createFrom().item(result);
                    }
                    return sessions.append(owner, in.sessionId(), mode.model(), in.message(), last.output(), prompt, completion)
                            .replaceWith(result);
                });
    }

    private Uni<List<Step>> runSteps(UUID owner, String bearer, ChatInput in, ModeParams mode, List<Role> roles,
                                     List<ChatMessage> history,
                                     String requestId, Streaming streaming, int index, List<Step> done) {
        if (index >= roles.size()) {
            return Uni.createFrom().item(done);
        }
        Role role = roles.get(index);
        List<ChatMessage> messages = new ArrayList<>();
        String system = system(role, in, roles.size() > 1 ? in.swarm() : null);
        if (system != null) {
            messages.add(ChatMessage.system(system));
        }
        messages.addAll(history);
        StringBuilder user = new StringBuilder(in.message());
        for (Step s : done) {
            user.append("\n").append(capitalize(s.role())).append(" wrote: ").append(s.output().strip());
        }
        messages.add(ChatMessage.user(user.toString()));
        ChatCompletionRequest request = ChatCompletionRequest.of(mode.model(), messages)
                .withMaxTokens(mode.maxTokens()).withSampling(mode.temperature(), null, mode.topK(), null);
        return calls.hold(bearer, request).chain(hold -> step(owner, bearer, hold, in, mode, roles, history, requestId,
                streaming, index, done, role, request));
    }

    /** One step of {@link #runSteps}, under its hold with billing. */
    private Uni<List<Step>> step(UUID owner, String bearer, LlmCalls.Hold hold, ChatInput in, ModeParams mode, List<Role> roles,
                                 List<ChatMessage> history, String requestId, Streaming streaming, int index,
                                 List<Step> done, Role role, ChatCompletionRequest request) {
        long t0 = System.nanoTime();
        LlmCalls.Running run;
        try {
            run = calls.streamChat(owner, hold, request, requestId, new dev.ensemble.llm.provider.StreamListener() {
                @Override
                public void onToken(String text) {
                    if (streaming != null) {
                        streaming.onToken(index, role.name(), text);
                    }
                }

                @Override
                public void onComplete(dev.ensemble.llm.provider.StreamEnd end) {
                }

                @Override
                public void onError(dev.ensemble.llm.provider.LlmException error, dev.ensemble.llm.provider.StreamEnd partial) {
                }
            });
        } catch (RuntimeException e) {
            return Uni.createFrom().failure(LlmCalls.toApi(e));
        }
        if (streaming != null) {
            streaming.onStart(run);
        }
        return LlmCalls.await(run).chain(o -> {
            if (o.error() != null) {
                return Uni.createFrom().failure(LlmCalls.toApi(o.error()));
            }
            done.add(new Step(index + 1, role.name(), mode.model(), o.text(), o.promptTokens(), o.completionTokens(),
                    Math.round(o.elapsedNanos() / 1e6) / 1000.0, o.end().finishReason()));
            if ("cancelled".equals(o.end().finishReason())) {
                return Uni.createFrom().item(done);
            }
            return runSteps(owner, bearer, in, mode, roles, history, requestId, streaming, index + 1, done);
        });
    }

    private static String system(Role role, ChatInput in, String team) {
        StringBuilder sb = new StringBuilder();
        if (team != null) {
            sb.append("You are the ").append(role.name()).append(" of the ").append(team).append(". ").append(role.instruction());
        }
        if (in.userContext() != null && !in.userContext().isEmpty()) {
            if (!sb.isEmpty()) {
                sb.append(' ');
            }
            sb.append("About the user:");
            in.userContext().forEach((k, v) -> sb.append(' ').append(k).append(": ").append(v).append(';'));
        }
        return sb.isEmpty() ? null : sb.toString();
    }

    /** The model and parameters of a mode (configuration overrides the built-in ones). */
    ModeParams mode(String name, String requestedModel) {
        ModeParams base = switch (name) {
            case "quality" -> new ModeParams(null, 320, 0.6, 40);
            case "balanced" -> new ModeParams(null, 160, 0.8, 40);
            default -> new ModeParams(null, 80, 0.7, 20);
        };
        LlmConfig.Mode o = engine.config().chat().modes().get(name);
        String model = requestedModel != null ? requestedModel
                : o != null && o.model().isPresent() ? o.model().get() : engine.defaultModel();
        return new ModeParams(model,
                o != null && o.maxTokens().isPresent() ? o.maxTokens().getAsInt() : base.maxTokens(),
                o != null && o.temperature().isPresent() ? o.temperature().get() : base.temperature(),
                o != null && o.topK().isPresent() ? o.topK().getAsInt() : base.topK());
    }

    private static String capitalize(String s) {
        return s.isEmpty() ? s : Character.toUpperCase(s.charAt(0)) + s.substring(1);
    }

    /**
     * {@code quality_score}: the share of the answer's words that are English words the bundled
     * corpus uses (0..1, two decimals). Crude, but measured, not made up: it rises as a model
     * writes real words instead of noise.
     */
    static final class QualityScore {
        private static final Pattern WORD = Pattern.compile("[A-Za-z']+");
        private static volatile Set<String> words;

        static double of(String text) {
            if (text == null || text.isBlank()) {
                return 0;
            }
            Set<String> known = words();
            int total = 0;
            int hits = 0;
            Matcher m = WORD.matcher(text);
            while (m.find()) {
                total++;
                if (known.contains(m.group().toLowerCase(Locale.ROOT))) {
                    hits++;
                }
            }
            return total == 0 ? 0 : Math.round(100.0 * hits / total) / 100.0;
        }

        private static Set<String> words() {
            Set<String> w = words;
            if (w == null) {
                Set<String> s = new HashSet<>();
                Matcher m = WORD.matcher(BundledModel.corpus());
                while (m.find()) {
                    s.add(m.group().toLowerCase(Locale.ROOT));
                }
                words = w = s;
            }
            return w;
        }
    }
}
