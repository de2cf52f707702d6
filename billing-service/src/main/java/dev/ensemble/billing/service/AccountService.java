package dev.ensemble.billing.service;

import dev.ensemble.billing.Account;
import dev.ensemble.events.user.UserRegistered;
import dev.ensemble.web.ApiException;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.smallrye.mutiny.Uni;
import dev.ensemble.billing.config.BillingConfig;
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

    public record AccountView(UUID userId, String currency, BigDecimal balance, Instant openedAt) {
    }

    /** Opens the account for a newly registered user; a second call for the same user changes nothing. */
    public Uni<Account> open(UserRegistered user) {
        return Account.<Account>findById(user.userId()).chain(existing -> {
            if (existing != null) {
                return Uni.createFrom().item(existing);
            }
            Account account = new Account();
            account.userId = user.userId();
            account.currency = config.defaultCurrency();
            account.email = user.email();
            account.openedAt = Instant.now();
            return account.persist();
        });
    }

    @WithSession
    public Uni<AccountView> view(UUID userId) {
        return Account.<Account>findById(userId)
                .onItem().ifNull().failWith(() -> ApiException.notFound("billing account"))
                .chain(account -> Panache.getSession().chain(s -> s
                        .createNativeQuery("SELECT COALESCE(SUM(amount), 0) FROM ledger_entries WHERE user_id = :u",
                                BigDecimal.class)
                        .setParameter("u", userId)
                        .getSingleResult())
                        .map(balance -> new AccountView(account.userId, account.currency,
                                balance.setScale(2, java.math.RoundingMode.HALF_EVEN), account.openedAt)));
    }
}
