package dev.ensemble.billing.export;

import dev.ensemble.billing.Account;
import dev.ensemble.billing.LedgerEntry;
import dev.ensemble.billing.Payment;
import dev.ensemble.billing.SpendingReservation;
import dev.ensemble.billing.SpendingWindow;
import dev.ensemble.billing.money.Money;
import dev.ensemble.billing.rest.TransactionResource;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.quarkus.panache.common.Sort;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.jwt.JsonWebToken;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** The internal account export: everything billing holds for the caller (auth-service gathers it). */
@Path("/internal/v1/export")
@Produces(MediaType.APPLICATION_JSON)
public class ExportResource {

    @Inject
    JsonWebToken jwt;

    record PaymentRecord(UUID id, BigDecimal amount, String currency, String provider, String method, String status,
                         String providerReference, String failureCode, Instant createdAt, Instant updatedAt) {
    }

    record WindowRecord(String name, String kind, Long durationSeconds, BigDecimal limit, BigDecimal spent,
                        String currency, Instant periodStart) {
    }

    record ReservationRecord(UUID reservationId, BigDecimal amount, BigDecimal settledAmount, String currency,
                             String purpose, String referenceId, String status, Instant createdAt, Instant expiresAt) {
    }

    @GET
    @RolesAllowed({"user", "admin"})
    @WithSession
    public Uni<Map<String, Object>> export() {
        UUID user = UUID.fromString(jwt.getSubject());
        Map<String, Object> data = new LinkedHashMap<>();
        return Account.<Account>findById(user).chain(account -> {
            data.put("account", account == null ? null : Map.of("user_id", account.userId,
                    "currency", account.currency.trim(), "opened_at", account.openedAt));
            return LedgerEntry.<LedgerEntry>find("userId", Sort.ascending("createdAt"), user).list();
        }).chain(entries -> {
            List<TransactionResource.Transaction> tx = entries.stream().map(TransactionResource.Transaction::of).toList();
            data.put("balance", Money.display(entries.stream().map(e -> e.amount).reduce(BigDecimal.ZERO, BigDecimal::add)));
            data.put("transactions", tx);
            data.put("credits", tx.stream().filter(t -> LedgerEntry.CREDIT.equals(t.type())).toList());
            return Payment.<Payment>find("userId", Sort.ascending("createdAt"), user).list();
        }).chain(list -> {
            data.put("payments", list.stream().map(p -> new PaymentRecord(p.id, Money.display(p.amount), p.currency.trim(),
                    p.provider, p.method, p.status, p.providerReference, p.failureCode, p.createdAt, p.updatedAt)).toList());
            return SpendingWindow.<SpendingWindow>find("key.userId", user).list();
        }).chain(list -> {
            data.put("spending_windows", list.stream().map(w -> new WindowRecord(w.name(), w.kind, w.durationSeconds,
                    Money.display(w.limitAmount), Money.display(w.spent), w.currency.trim(), w.periodStart)).toList());
            return SpendingReservation.<SpendingReservation>find("userId", Sort.ascending("createdAt"), user).list();
        }).map(list -> {
            data.put("reservations", list.stream().map(r -> new ReservationRecord(r.id, Money.display(r.amount),
                    Money.display(r.settledAmount), r.currency.trim(), r.purpose, r.referenceId, r.status, r.createdAt,
                    r.expiresAt)).toList());
            data.put("exported_at", Instant.now());
            Map<String, Object> answer = new LinkedHashMap<>();
            answer.put("service", "billing-service");
            answer.put("data", data);
            return answer;
        });
    }
}
