package dev.ensemble.billing.metering;

import dev.ensemble.billing.guardrails.GuardrailService;
import dev.ensemble.billing.money.Money;
import dev.ensemble.events.EventEnvelope;
import dev.ensemble.events.Events;
import dev.ensemble.events.PoisonEventException;
import dev.ensemble.events.consumer.ProcessedEvents;
import dev.ensemble.events.usage.UsageRecorded;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

import java.math.BigDecimal;
import java.util.Locale;

/**
 * Meters {@code usage.recorded}: prices each event, charges the ledger and the spending windows
 * (or settles the reservation it names), once per event id. An event that cannot be priced (an
 * unknown kind, no price, a negative quantity, a foreign currency) goes to {@code usage.events.dlq}
 * with the reason, never silently dropped.
 */
@ApplicationScoped
public class UsageEventsConsumer {

    static final String CONSUMER = "billing.usage-events";
    private static final Logger LOG = Logger.getLogger(UsageEventsConsumer.class);

    @Inject
    ProcessedEvents processed;

    @Inject
    GuardrailService guardrails;

    @Inject
    PriceList prices;

    @Incoming("usage-events")
    public Uni<Void> onUsage(String payload) {
        EventEnvelope event = Events.read(payload);
        if (!UsageRecorded.TYPE.equals(event.type())) {
            return Uni.createFrom().voidItem();
        }
        UsageRecorded usage = Events.data(event, UsageRecorded.class);
        if (usage.userId() == null) {
            throw new PoisonEventException("usage.recorded without user_id");
        }
        if (usage.kind() == null) {
            throw new PoisonEventException("usage.recorded without kind");
        }
        BigDecimal quantity = quantity(usage);
        BigDecimal cost;
        String currency = null;
        if (usage.cost() != null) {
            if (usage.cost().signum() < 0) {
                throw new PoisonEventException("usage.recorded with a negative cost");
            }
            cost = Money.round(usage.cost());
            currency = usage.currency() == null ? null : usage.currency().toUpperCase(Locale.ROOT);
        } else {
            cost = prices.price(usage.kind(), usage.resource(), quantity).orElseThrow(() -> new PoisonEventException(
                    "usage.recorded cannot be priced: no price for kind '" + usage.kind() + "'"
                            + (usage.resource() == null ? "" : " and resource '" + usage.resource() + "'")));
        }
        String description = describe(usage, quantity);
        String chargeCurrency = currency;
        return processed.once(CONSUMER, event, () -> guardrails.chargeUsage(usage.userId(), cost, chargeCurrency,
                        usage.kind(), usage.resource(), usage.reservationId(), event.id(), description))
                .invoke(first -> LOG.debugf("usage %s for %s: %s", event.id(), usage.userId(),
                        first ? "charged " + cost.toPlainString() : "duplicate"))
                .replaceWithVoid();
    }

    private static BigDecimal quantity(UsageRecorded usage) {
        BigDecimal quantity = usage.quantity();
        if (UsageRecorded.TOKENS.equals(usage.kind()) && (usage.promptTokens() != null || usage.completionTokens() != null)) {
            long tokens = (usage.promptTokens() == null ? 0 : usage.promptTokens())
                    + (usage.completionTokens() == null ? 0 : usage.completionTokens());
            quantity = BigDecimal.valueOf(tokens);
        }
        if (quantity == null && usage.cost() == null) {
            throw new PoisonEventException("usage.recorded without quantity");
        }
        if (quantity != null && (quantity.signum() < 0 || quantity.compareTo(BigDecimal.valueOf(1_000_000_000_000_000L)) > 0)) {
            throw new PoisonEventException("usage.recorded with a quantity out of range: " + quantity.toPlainString());
        }
        return quantity == null ? BigDecimal.ZERO : quantity;
    }

    private static String describe(UsageRecorded usage, BigDecimal quantity) {
        String what = usage.resource() == null ? usage.kind() : usage.kind() + " " + usage.resource();
        return "usage: " + what + " x " + quantity.stripTrailingZeros().toPlainString()
                + (usage.referenceId() == null ? "" : " (" + usage.referenceId() + ")");
    }
}
