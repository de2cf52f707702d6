package dev.ensemble.billing.payments;

import dev.ensemble.billing.LedgerEntry;
import dev.ensemble.billing.Payment;
import dev.ensemble.billing.config.BillingConfig;
import dev.ensemble.billing.messaging.BillingEvents;
import dev.ensemble.billing.money.Money;
import dev.ensemble.events.Topics;
import dev.ensemble.events.outbox.Outbox;
import dev.ensemble.web.ApiException;
import dev.ensemble.web.ErrorCode;
import dev.ensemble.web.RequestIds;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Payments with an Idempotency-Key: the first request with a key records the payment before the
 * provider is called; a retry with the same key and body answers the recorded result (or, when the
 * provider's answer never arrived, asks the provider again under the same provider idempotency key);
 * the same key with a different body is refused with 422. A succeeded payment credits the ledger
 * and emits {@code billing.payment_succeeded} in the same transaction.
 */
@ApplicationScoped
public class PaymentService {

    public static final String KEY_REUSED = "IDEMPOTENCY_KEY_REUSED";
    public static final String PAYMENT_FAILED = "PAYMENT_FAILED";

    @Inject
    BillingConfig config;

    @Inject
    Outbox outbox;

    @Inject
    Instance<PaymentProvider> providerBeans;

    @Inject
    dev.ensemble.billing.service.AccountService accounts;

    private volatile Map<String, PaymentProvider> providers;

    /** A validated payment request. */
    public record Request(BigDecimal amount, String currency, String provider, String method, String cardToken,
                          String paymentMethod) {
        String hash() {
            String canonical = String.join("\n", amount.stripTrailingZeros().toPlainString(), currency, provider,
                    String.valueOf(method), String.valueOf(cardToken), String.valueOf(paymentMethod));
            try {
                return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                        .digest(canonical.getBytes(StandardCharsets.UTF_8)));
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    /** The transaction a payment answers with (the seed's {@code transaction} object). */
    public record TransactionView(UUID id, BigDecimal amount, String currency, String status, String provider,
                                  String method, String providerReference, String clientSecret, String failureCode,
                                  String failureMessage, Instant createdAt) {
        static TransactionView of(Payment p) {
            return new TransactionView(p.id, Money.display(p.amount), p.currency.trim(),
                    Payment.PROCESSING.equals(p.status) ? Payment.PENDING : p.status, p.provider, p.method,
                    p.providerReference, Payment.PENDING.equals(p.status) ? p.clientSecret : null, p.failureCode,
                    p.failureMessage, p.createdAt);
        }
    }

    public PaymentProvider provider(String name) {
        if (providers == null) {
            providers = providerBeans.stream().collect(Collectors.toMap(PaymentProvider::name, Function.identity()));
        }
        PaymentProvider p = providers.get(name);
        if (p == null) {
            throw ApiException.badRequest("provider", "unknown provider '" + name + "'; available: "
                    + String.join(", ", providers.keySet().stream().sorted().toList()));
        }
        return p;
    }

    /** Takes a payment for {@code userId}; a declined payment fails with 402 {@code PAYMENT_FAILED}. */
    public Uni<TransactionView> pay(UUID userId, String idempotencyKey, Request request, boolean admin) {
        PaymentProvider provider = provider(request.provider());
        if (provider instanceof CreditsProvider && !admin && !config.credits().selfService()) {
            throw new ApiException(403, ErrorCode.FORBIDDEN, "only an admin may grant credits on this installation");
        }
        String hash = request.hash();
        return Panache.<Payment>withTransaction(() -> accounts.ensure(userId).chain(() -> Panache.getSession()).chain(s -> s
                        .createNativeQuery("INSERT INTO payments (id, user_id, idempotency_key, request_hash, amount, currency, "
                                + "provider, method, status, created_at, updated_at) VALUES (:id, :u, :k, :h, :a, :c, :p, :m, "
                                + "'processing', :t, :t) ON CONFLICT (user_id, idempotency_key) DO NOTHING")
                        .setParameter("id", UUID.randomUUID()).setParameter("u", userId).setParameter("k", idempotencyKey)
                        .setParameter("h", hash).setParameter("a", request.amount()).setParameter("c", request.currency())
                        .setParameter("p", request.provider()).setParameter("m", request.method())
                        .setParameter("t", Instant.now())
                        .executeUpdate()
                        .chain(() -> Payment.<Payment>find("userId = ?1 and idempotencyKey = ?2", userId, idempotencyKey)
                                .firstResult())))
                .chain((Payment payment) -> {
                    if (!payment.requestHash.equals(hash)) {
                        throw new ApiException(422, KEY_REUSED,
                                "this Idempotency-Key was used for a different payment request");
                    }
                    if (!Payment.PROCESSING.equals(payment.status)) {
                        return Uni.createFrom().item(payment);
                    }
                    return provider.charge(new PaymentProvider.Charge(payment.id, userId, request.amount(),
                                    request.currency(), request.method(), request.cardToken(), request.paymentMethod()))
                            .chain(outcome -> Panache.withTransaction(() -> apply(payment.id, outcome)));
                })
                .map(this::answer);
    }

    private TransactionView answer(Payment p) {
        if (Payment.FAILED.equals(p.status)) {
            throw new ApiException(402, PAYMENT_FAILED, "the payment failed: "
                    + (p.failureMessage == null ? p.failureCode : p.failureMessage));
        }
        return TransactionView.of(p);
    }

    /** Records a provider's outcome once, under the payment's row lock (a webhook may race the answer). */
    public Uni<Payment> apply(UUID paymentId, PaymentProvider.Outcome outcome) {
        return Panache.getSession().chain(s -> s
                .createNativeQuery("SELECT * FROM payments WHERE id = :id FOR UPDATE", Payment.class)
                .setParameter("id", paymentId).getSingleResult()
                .chain(p -> {
                    if (Payment.SUCCEEDED.equals(p.status) || Payment.FAILED.equals(p.status)) {
                        return Uni.createFrom().item(p);
                    }
                    p.updatedAt = Instant.now();
                    if (outcome.providerReference() != null) {
                        p.providerReference = outcome.providerReference();
                    }
                    switch (outcome.status()) {
                        case Payment.SUCCEEDED -> {
                            p.status = Payment.SUCCEEDED;
                            p.clientSecret = null;
                            LedgerEntry entry = LedgerEntry.of(p.userId,
                                    CreditsProvider.NAME.equals(p.provider) ? LedgerEntry.CREDIT : LedgerEntry.PAYMENT,
                                    p.amount, p.currency.trim(), CreditsProvider.NAME.equals(p.provider)
                                            ? "credits granted" : "payment via " + p.provider,
                                    "payment:" + p.id, p.provider);
                            return entry.persist().chain(() -> outbox.publish(Topics.BILLING_EVENTS,
                                            BillingEvents.PAYMENT_SUCCEEDED, p.userId.toString(), BillingEvents.VERSION,
                                            RequestIds.current(), new BillingEvents.PaymentSucceeded(p.userId, p.id,
                                                    Money.display(p.amount), p.currency.trim(), p.provider, p.providerReference)))
                                    .replaceWith(p);
                        }
                        case Payment.FAILED -> {
                            p.status = Payment.FAILED;
                            p.clientSecret = null;
                            p.failureCode = truncate(outcome.failureCode(), 64);
                            p.failureMessage = truncate(outcome.failureMessage(), 500);
                            return outbox.publish(Topics.BILLING_EVENTS, BillingEvents.PAYMENT_FAILED,
                                    p.userId.toString(), BillingEvents.VERSION, RequestIds.current(),
                                    new BillingEvents.PaymentFailed(p.userId, p.id, Money.display(p.amount),
                                            p.currency.trim(), p.provider, p.failureCode, p.failureMessage)).replaceWith(p);
                        }
                        default -> {
                            p.status = Payment.PENDING;
                            p.clientSecret = truncate(outcome.clientSecret(), 255);
                            return Uni.createFrom().item(p);
                        }
                    }
                }));
    }

    /** Refunds part or all of a payment: a negative ledger entry, once per provider refund reference. */
    public Uni<Boolean> refund(Payment p, BigDecimal amount, String reference) {
        return LedgerEntry.count("userId = ?1 and kind = ?2 and reference = ?3", p.userId, LedgerEntry.REFUND, reference)
                .chain(n -> {
                    if (n > 0) {
                        return Uni.createFrom().item(false);
                    }
                    return LedgerEntry.of(p.userId, LedgerEntry.REFUND, amount.negate(), p.currency.trim(),
                            "refund of payment " + p.id, reference, p.provider).persist().replaceWith(true);
                });
    }

    private static String truncate(String s, int max) {
        return s == null || s.length() <= max ? s : s.substring(0, max);
    }
}
