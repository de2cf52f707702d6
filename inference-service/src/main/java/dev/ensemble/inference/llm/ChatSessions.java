package dev.ensemble.inference.llm;

import dev.ensemble.llm.wire.ChatMessage;
import dev.ensemble.web.ApiException;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * Chat sessions and their memory in PostgreSQL ({@code chat_sessions}, {@code chat_messages}),
 * through the reactive pool (so the WebSocket, which has no request scope, uses it alike). A
 * session id is chosen by the client and owned by the first user who uses it; for everybody else
 * it does not exist (404).
 */
@ApplicationScoped
public class ChatSessions {

    static final Pattern ID = Pattern.compile("[A-Za-z0-9._:@\\-]{1,200}");

    @Inject
    Pool pool;

    /** Checks a client-chosen session id. */
    public static void validateId(String field, String id) {
        if (id == null || !ID.matcher(id).matches()) {
            throw ApiException.badRequest(field, "must be 1-200 characters of letters, digits and . _ : @ -");
        }
    }

    /** Creates the session for {@code owner} or checks that it is theirs (404 otherwise). */
    public Uni<Void> claim(UUID owner, String id) {
        return pool.preparedQuery("INSERT INTO chat_sessions (id, owner_id, created_at, updated_at) VALUES ($1, $2, $3, $3) "
                        + "ON CONFLICT (id) DO UPDATE SET updated_at = chat_sessions.updated_at RETURNING owner_id")
                .execute(Tuple.of(id, owner, now()))
                .map(rows -> {
                    UUID existing = rows.iterator().next().getUUID("owner_id");
                    if (!owner.equals(existing)) {
                        throw notFound(id);
                    }
                    return null;
                });
    }

    /** The last {@code turns} messages of a session, oldest first. */
    public Uni<List<ChatMessage>> history(UUID owner, String id, int turns) {
        return pool.preparedQuery("SELECT role, content FROM chat_messages WHERE session_id = $1 AND owner_id = $2 "
                        + "ORDER BY id DESC LIMIT $3")
                .execute(Tuple.of(id, owner, Math.max(0, turns)))
                .map(rows -> {
                    List<ChatMessage> out = new ArrayList<>();
                    for (Row r : rows) {
                        out.add(new ChatMessage(r.getString("role"), r.getString("content"), null));
                    }
                    Collections.reverse(out);
                    return out;
                });
    }

    /** Appends one exchange (the user's message and the answer) to a session. */
    public Uni<Void> append(UUID owner, String id, String model, String message, String answer, int promptTokens,
                            int completionTokens) {
        OffsetDateTime now = now();
        return pool.withTransaction(c -> c.preparedQuery("INSERT INTO chat_messages (session_id, owner_id, role, content, "
                                + "model, tokens, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)")
                        .executeBatch(List.of(Tuple.from(java.util.Arrays.asList(id, owner, "user", message, model, promptTokens, now)),
                                Tuple.from(java.util.Arrays.asList(id, owner, "assistant", answer, model, completionTokens, now))))
                .chain(() -> c.preparedQuery("UPDATE chat_sessions SET message_count = message_count + 2, "
                                + "tokens_used = tokens_used + $1, model = $2, updated_at = $3 WHERE id = $4 AND owner_id = $5")
                        .execute(Tuple.from(java.util.Arrays.asList((long) promptTokens + completionTokens, model, now, id, owner)))))
                .replaceWithVoid();
    }

    /** One session with its messages (404 when it is not the caller's). */
    public Uni<Map<String, Object>> get(UUID owner, String id) {
        return pool.preparedQuery("SELECT id, model, message_count, tokens_used, created_at, updated_at FROM chat_sessions "
                        + "WHERE id = $1 AND owner_id = $2")
                .execute(Tuple.of(id, owner))
                .chain(rows -> {
                    if (!rows.iterator().hasNext()) {
                        throw notFound(id);
                    }
                    Map<String, Object> s = view(rows.iterator().next());
                    return pool.preparedQuery("SELECT role, content, model, tokens, created_at FROM chat_messages "
                                    + "WHERE session_id = $1 AND owner_id = $2 ORDER BY id")
                            .execute(Tuple.of(id, owner)).map(msgs -> {
                                List<Map<String, Object>> list = new ArrayList<>();
                                for (Row r : msgs) {
                                    Map<String, Object> m = new LinkedHashMap<>();
                                    m.put("role", r.getString("role"));
                                    m.put("content", r.getString("content"));
                                    m.put("model", r.getString("model"));
                                    m.put("tokens", r.getInteger("tokens"));
                                    m.put("created_at", r.getOffsetDateTime("created_at").toInstant().toString());
                                    list.add(m);
                                }
                                s.put("messages", list);
                                return s;
                            });
                });
    }

    /** The caller's sessions, most recently used first. */
    public Uni<List<Map<String, Object>>> list(UUID owner, int limit, int offset) {
        return pool.preparedQuery("SELECT id, model, message_count, tokens_used, created_at, updated_at FROM chat_sessions "
                        + "WHERE owner_id = $1 ORDER BY updated_at DESC LIMIT $2 OFFSET $3")
                .execute(Tuple.of(owner, limit, offset))
                .map(rows -> {
                    List<Map<String, Object>> out = new ArrayList<>();
                    rows.forEach(r -> out.add(view(r)));
                    return out;
                });
    }

    /** Deletes a session and its memory (404 when it is not the caller's). */
    public Uni<Void> delete(UUID owner, String id) {
        return pool.preparedQuery("DELETE FROM chat_sessions WHERE id = $1 AND owner_id = $2")
                .execute(Tuple.of(id, owner)).map(rows -> {
                    if (rows.rowCount() == 0) {
                        throw notFound(id);
                    }
                    return null;
                });
    }

    /** Forgets a session's messages, keeping the session. */
    public Uni<Integer> clear(UUID owner, String id) {
        return pool.preparedQuery("DELETE FROM chat_messages WHERE session_id = $1 AND owner_id = $2")
                .execute(Tuple.of(id, owner)).map(rows -> rows.rowCount());
    }

    private static Map<String, Object> view(Row r) {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("session_id", r.getString("id"));
        s.put("model", r.getString("model"));
        s.put("message_count", r.getInteger("message_count"));
        s.put("tokens_used", r.getLong("tokens_used"));
        s.put("created_at", r.getOffsetDateTime("created_at").toInstant().toString());
        s.put("updated_at", r.getOffsetDateTime("updated_at").toInstant().toString());
        return s;
    }

    static ApiException notFound(String id) {
        return ApiException.notFound("session " + id);
    }

    private static OffsetDateTime now() {
        return OffsetDateTime.now(ZoneOffset.UTC);
    }
}
