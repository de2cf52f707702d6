package dev.ensemble.billing.payments;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ensemble.billing.Payment;
import dev.ensemble.billing.config.BillingConfig;
import dev.ensemble.events.EventEnvelope;
import dev.ensemble.events.consumer.ProcessedEvents;
import dev.ensemble.web.ApiException;
import dev.ensemble.web.ErrorCode;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.PermitAll;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.jboss.logging.Logger;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;

/**
 * Stripe's webhook callback (public: Stripe calls it, so it is authenticated by its signature, not
 * a token). Handles {@code payment_intent.succeeded}, {@code payment_intent.payment_failed} and
 * {@code charge.refunded}; each Stripe event is applied once (by its id), others are acknowledged.
 */
@Path("/api/v1/billing/webhooks/stripe")
public class StripeWebhookResource {

    static final String CONSUMER = "billing.stripe-webhook";
    private static final Logger LOG = Logger.getLogger(StripeWebhookResource.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    @Inject
    BillingConfig config;

    @Inject
    PaymentService payments;

    @Inject
    ProcessedEvents processed;

    @POST
    @PermitAll
    @Consumes(MediaType.WILDCARD)
    @Produces(MediaType.APPLICATION_JSON)
    public Uni<Map<String, Object>> receive(@HeaderParam("Stripe-Signature") String signature, byte[] body) {
        String secret = config.stripe().webhookSecret().filter(s -> !s.isBlank()).orElseThrow(() ->
                new ApiException(503, ErrorCode.SERVICE_UNAVAILABLE, "stripe webhooks are not configured"));
        String refusal = StripeSignature.verify(signature, body == null ? new byte[0] : body, secret,
                config.stripe().webhookToleranceSeconds(), Instant.now().getEpochSecond());
        if (refusal != null) {
            throw new ApiException(400, "INVALID_SIGNATURE", refusal);
        }
        JsonNode event;
        try {
            event = JSON.readTree(body);
        } catch (Exception e) {
            throw new ApiException(400, ErrorCode.MALFORMED_JSON, "the event is not valid JSON");
        }
        String id = event.path("id").asText("");
        String type = event.path("type").asText("");
        JsonNode object = event.path("data").path("object");
        if (id.isEmpty() || type.isEmpty() || !object.isObject()) {
            throw ApiException.badRequest("body", "not a Stripe event (id, type, data.object)");
        }
        EventEnvelope marker = new EventEnvelope(UUID.nameUUIDFromBytes(("stripe:" + id).getBytes(StandardCharsets.UTF_8)),
                type, Instant.now(), id, "stripe", 1, null, object);
        return processed.once(CONSUMER, marker, () -> handle(type, object))
                .map(first -> Map.<String, Object>of("received", true, "duplicate", !first));
    }

    private Uni<?> handle(String type, JsonNode object) {
        String intent = "charge.refunded".equals(type) ? object.path("payment_intent").asText(null) : object.path("id").asText(null);
        String paymentId = object.path("metadata").path("payment_id").asText(null);
        Uni<Payment> payment = findPayment(paymentId, intent);
        return switch (type) {
            case "payment_intent.succeeded" -> payment.chain(p -> p == null ? ignored(type, intent)
                    : payments.apply(p.id, PaymentProvider.Outcome.succeeded(intent)));
            case "payment_intent.payment_failed" -> payment.chain(p -> p == null ? ignored(type, intent)
                    : payments.apply(p.id, PaymentProvider.Outcome.failed(intent,
                    object.path("last_payment_error").path("code").asText("payment_failed"),
                    object.path("last_payment_error").path("message").asText("the payment failed"))));
            case "charge.refunded" -> payment.chain(p -> {
                if (p == null || !Payment.SUCCEEDED.equals(p.status)) {
                    return ignored(type, intent);
                }
                long refunded = object.path("amount_refunded").asLong(0);
                BigDecimal amount = BigDecimal.valueOf(refunded).movePointLeft(
                        dev.ensemble.billing.money.Money.minorDigits(p.currency.trim()));
                if (amount.signum() <= 0 || amount.compareTo(p.amount) > 0) {
                    return ignored(type, intent);
                }
                return payments.refund(p, amount, "refund:" + object.path("id").asText());
            });
            default -> Uni.createFrom().voidItem();
        };
    }

    private Uni<Payment> findPayment(String paymentId, String intent) {
        if (paymentId != null) {
            try {
                return Payment.<Payment>findById(UUID.fromString(paymentId)).chain(p -> p != null || intent == null
                        ? Uni.createFrom().item(p) : byIntent(intent));
            } catch (IllegalArgumentException e) {
                // not one of ours: look it up by the intent
            }
        }
        return intent == null ? Uni.createFrom().nullItem() : byIntent(intent);
    }

    private Uni<Payment> byIntent(String intent) {
        return Payment.<Payment>find("provider = ?1 and providerReference = ?2", StripeProvider.NAME, intent).firstResult();
    }

    private Uni<Void> ignored(String type, String intent) {
        LOG.infof("stripe %s for unknown or unsettled intent %s ignored", type, intent);
        return Uni.createFrom().voidItem();
    }

}
