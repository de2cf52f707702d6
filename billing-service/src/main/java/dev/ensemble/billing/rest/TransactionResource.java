package dev.ensemble.billing.rest;

import dev.ensemble.billing.LedgerEntry;
import dev.ensemble.billing.money.Money;
import dev.ensemble.web.ApiException;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.quarkus.panache.common.Sort;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.jwt.JsonWebToken;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/** The caller's ledger, newest first: {@code GET /api/v1/billing/transactions?limit=&offset=&type=}. */
@Path("/api/v1/billing/transactions")
@Produces(MediaType.APPLICATION_JSON)
public class TransactionResource {

    private static final Set<String> TYPES = Set.of(LedgerEntry.PAYMENT, LedgerEntry.CREDIT, LedgerEntry.USAGE,
            LedgerEntry.REFUND);

    @Inject
    JsonWebToken jwt;

    /** One ledger entry as the seed's transaction, with its {@code type} and origin. */
    public record Transaction(UUID id, String type, BigDecimal amount, String currency, String status,
                              String description, String reference, String provider, Instant createdAt) {
        public static Transaction of(LedgerEntry e) {
            return new Transaction(e.id, e.kind, Money.display(e.amount), e.currency.trim(), e.status, e.description,
                    e.reference, e.provider, e.createdAt);
        }
    }

    /** {@code count} is the seed's name for the total; {@code total} says the same for paging clients. */
    public record TransactionPage(List<Transaction> transactions, long count, long total, int limit, int offset) {
    }

    @GET
    @RolesAllowed({"user", "admin"})
    @WithSession
    public Uni<TransactionPage> list(@QueryParam("limit") String limitParam, @QueryParam("offset") String offsetParam,
                                     @QueryParam("type") String type) {
        int limit = intParam(limitParam, "limit", 50, 1, 200);
        int offset = intParam(offsetParam, "offset", 0, 0, 1_000_000);
        if (type != null && !TYPES.contains(type)) {
            throw ApiException.badRequest("type", "must be one of payment, credit, usage, refund");
        }
        UUID user = UUID.fromString(jwt.getSubject());
        var query = type == null
                ? LedgerEntry.<LedgerEntry>find("userId", Sort.descending("createdAt").and("id"), user)
                : LedgerEntry.<LedgerEntry>find("userId = ?1 and kind = ?2", Sort.descending("createdAt").and("id"), user, type);
        return query.count().chain(total -> {
            if (offset >= total) {
                return Uni.createFrom().item(new TransactionPage(List.of(), total, total, limit, offset));
            }
            return query.range(offset, offset + limit - 1).list()
                    .map(rows -> new TransactionPage(rows.stream().map(Transaction::of).toList(), total, total, limit, offset));
        });
    }

    static int intParam(String value, String name, int fallback, int min, int max) {
        if (value == null || value.isBlank()) {
            return fallback;
        }
        try {
            int v = Integer.parseInt(value.trim());
            if (v < min || v > max) {
                throw ApiException.badRequest(name, "must be between " + min + " and " + max);
            }
            return v;
        } catch (NumberFormatException e) {
            throw ApiException.badRequest(name, "must be an integer");
        }
    }
}
