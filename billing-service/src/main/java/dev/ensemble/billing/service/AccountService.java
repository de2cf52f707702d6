package dev.ensemble.billing.service;

import dev.ensemble.billing.Account;
import dev.ensemble.billing.config.BillingConfig;
import dev.ensemble.billing.money.Money;
import dev.ensemble.events.user.UserRegistered;
import dev.ensemble.web.ApiException;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.UUID;

/** Accounts and their ledger-derived balances. */
@ApplicationScoped
public class AccountService {

    @Inject
    BillingConfig config;

    /** {@code balance} is the sum of the ledger; {@code held} the active reservations; {@code available} the difference. */
    public record AccountView(UUID userId, String currency, BigDecimal balance, BigDecimal held, BigDecimal available,
                              Instant openedAt) {
    }

    /**
     * Opens the account for a newly registered user; a second call for the same user changes nothing
     * but the e-mail. An upsert, because guardrail calls may have opened the account first.
     */
    public Uni<Integer> open(UserRegistered user) {
        return Panache.getSession().chain(s -> s
                .createNativeQuery("INSERT INTO accounts (user_id, currency, email, opened_at) VALUES (:u, :c, :e, :t) "
                        + "ON CONFLICT (user_id) DO UPDATE SET email = EXCLUDED.email")
                .setParameter("u", user.userId())
                .setParameter("c", config.defaultCurrency())
                .setParameter("e", user.email())
                .setParameter("t", Instant.now())
                .executeUpdate());
    }

    /**
     * Opens the account if it is not open yet (money may move before {@code user.registered} is
     * consumed); call inside the transaction that needs it.
     */
    public Uni<Integer> ensure(UUID userId) {
        return Panache.getSession().chain(s -> s
                .createNativeQuery("INSERT INTO accounts (user_id, currency, opened_at) VALUES (:u, :c, :t) "
                        + "ON CONFLICT (user_id) DO NOTHING")
                .setParameter("u", userId)
                .setParameter("c", config.defaultCurrency())
                .setParameter("t", Instant.now())
                .executeUpdate());
    }

    @WithSession
    public Uni<AccountView> view(UUID userId) {
        return Account.<Account>findById(userId)
                .onItem().ifNull().failWith(() -> ApiException.notFound("billing account"))
                .chain(account -> Panache.getSession().chain(s -> s
                        .createNativeQuery("SELECT COALESCE(SUM(amount), 0) FROM ledger_entries WHERE user_id = :u",
                                BigDecimal.class)
                        .setParameter("u", userId)
                        .getSingleResult()
                        .chain(balance -> s.createNativeQuery("SELECT COALESCE(SUM(amount), 0) FROM spending_reservations "
                                        + "WHERE user_id = :u AND status = 'held' AND expires_at > now()", BigDecimal.class)
                                .setParameter("u", userId).getSingleResult()
                                .map(held -> new AccountView(account.userId, account.currency.trim(),
                                        Money.display(balance), Money.display(held),
                                        Money.display(balance.subtract(held)), account.openedAt)))));
    }
}
