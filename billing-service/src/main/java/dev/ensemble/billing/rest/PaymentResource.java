package dev.ensemble.billing.rest;

import dev.ensemble.billing.config.BillingConfig;
import dev.ensemble.billing.money.Money;
import dev.ensemble.billing.payments.PaymentService;
import dev.ensemble.web.ApiException;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.jwt.JsonWebToken;

import java.math.BigDecimal;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * {@code POST /api/v1/billing/payment} (the seed's body and its {@code X-Preferred-Payment} and
 * {@code X-Billing} headers, plus {@code Idempotency-Key}) and the admin credit grant.
 */
@Path("/api/v1/billing")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class PaymentResource {

    private static final Pattern TOKEN = Pattern.compile("[A-Za-z0-9_-]{1,32}");
    private static final Pattern KEY = Pattern.compile("[\\x21-\\x7E]{1,255}");
    private static final Pattern CARD = Pattern.compile("[A-Za-z0-9_]{1,255}");

    @Inject
    PaymentService payments;

    @Inject
    BillingConfig config;

    @Inject
    JsonWebToken jwt;

    public record PaymentPreference(String type, String cardToken, String paymentMethod) {
    }

    public record PaymentRequest(BigDecimal amount, String currency, String provider,
                                 PaymentPreference paymentPreference) {
    }

    public record CreditGrant(UUID userId, BigDecimal amount, String currency, String description) {
    }

    @POST
    @Path("/payment")
    @RolesAllowed({"user", "admin"})
    public Uni<Response> pay(PaymentRequest body,
                             @HeaderParam("Idempotency-Key") String idempotencyKey,
                             @HeaderParam("X-Billing") String billingHeader,
                             @HeaderParam("X-Preferred-Payment") String preferredHeader) {
        if (body == null) {
            throw ApiException.badRequest("body", "a JSON body is required");
        }
        String key = idempotencyKey == null ? "auto-" + UUID.randomUUID() : idempotencyKey;
        if (!KEY.matcher(key).matches()) {
            throw ApiException.badRequest("Idempotency-Key", "must be 1-255 visible ASCII characters");
        }
        String provider = choose(body.provider(), "provider", billingHeader, "X-Billing");
        if (provider == null) {
            throw ApiException.badRequest("provider", "is required (in the body or the X-Billing header)");
        }
        PaymentPreference pref = body.paymentPreference();
        String method = choose(pref == null ? null : pref.type(), "payment_preference.type", preferredHeader,
                "X-Preferred-Payment");
        String cardToken = pref == null ? null : pref.cardToken();
        String paymentMethod = pref == null ? null : pref.paymentMethod();
        if (cardToken != null && !CARD.matcher(cardToken).matches()) {
            throw ApiException.badRequest("payment_preference.card_token", "must be a provider token such as tok_visa");
        }
        if (paymentMethod != null && !CARD.matcher(paymentMethod).matches()) {
            throw ApiException.badRequest("payment_preference.payment_method", "must be a provider id such as pm_card_visa");
        }
        String currency = Money.currency(body.currency(), "currency", config.defaultCurrency(), config);
        BigDecimal amount = Money.positive(body.amount(), "amount", Money.minorDigits(currency), config);
        boolean admin = jwt.getGroups().contains("admin");
        return payments.pay(user(), key, new PaymentService.Request(amount, currency, provider, method, cardToken,
                        paymentMethod), admin)
                .map(tx -> Response.status(201).entity(Map.of("transaction", tx)).build());
    }

    /** Admin: grants credits to any user through the internal credits provider. */
    @POST
    @Path("/credits")
    @RolesAllowed("admin")
    public Uni<Response> grant(CreditGrant body, @HeaderParam("Idempotency-Key") String idempotencyKey) {
        if (body == null) {
            throw ApiException.badRequest("body", "a JSON body is required");
        }
        if (body.userId() == null) {
            throw ApiException.badRequest("user_id", "is required");
        }
        String key = idempotencyKey == null ? "auto-" + UUID.randomUUID() : idempotencyKey;
        if (!KEY.matcher(key).matches()) {
            throw ApiException.badRequest("Idempotency-Key", "must be 1-255 visible ASCII characters");
        }
        String currency = Money.currency(body.currency(), "currency", config.defaultCurrency(), config);
        BigDecimal amount = Money.positive(body.amount(), "amount", Money.minorDigits(currency), config);
        return payments.pay(body.userId(), "grant:" + user() + ":" + key,
                        new PaymentService.Request(amount, currency, "credits", "grant", null, null), true)
                .map(tx -> Response.status(201).entity(Map.of("transaction", tx)).build());
    }

    /** The body's value, else the header's; both given and different is a 400 naming the header. */
    private static String choose(String bodyValue, String bodyField, String header, String headerName) {
        if (header != null && !TOKEN.matcher(header.trim()).matches()) {
            throw ApiException.badRequest(headerName, "must be a short name such as 'stripe' or 'card'");
        }
        if (bodyValue != null && !TOKEN.matcher(bodyValue).matches()) {
            throw ApiException.badRequest(bodyField, "must be a short name such as 'stripe' or 'card'");
        }
        String h = header == null ? null : header.trim().toLowerCase(Locale.ROOT);
        String b = bodyValue == null ? null : bodyValue.toLowerCase(Locale.ROOT);
        if (h != null && b != null && !h.equals(b)) {
            throw ApiException.badRequest(headerName, "says '" + h + "' but " + bodyField + " says '" + b + "'");
        }
        return b != null ? b : h;
    }

    private UUID user() {
        return UUID.fromString(jwt.getSubject());
    }
}
