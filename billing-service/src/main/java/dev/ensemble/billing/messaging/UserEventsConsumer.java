package dev.ensemble.billing.messaging;

import dev.ensemble.billing.service.AccountService;
import dev.ensemble.events.EventEnvelope;
import dev.ensemble.events.Events;
import dev.ensemble.events.consumer.ProcessedEvents;
import dev.ensemble.events.user.UserRegistered;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

/**
 * Opens a billing account for each {@code user.registered}. Idempotent by event id; an event that
 * is not a valid envelope or whose data breaks its contract goes to {@code user.events.dlq}.
 */
@ApplicationScoped
public class UserEventsConsumer {

    static final String CONSUMER = "billing.user-events";
    private static final Logger LOG = Logger.getLogger(UserEventsConsumer.class);

    @Inject
    ProcessedEvents processed;

    @Inject
    AccountService accounts;

    @Incoming("user-events")
    public Uni<Void> onUserEvent(String payload) {
        EventEnvelope event = Events.read(payload);
        if (!UserRegistered.TYPE.equals(event.type())) {
            return Uni.createFrom().voidItem();
        }
        UserRegistered user = Events.data(event, UserRegistered.class);
        if (user.userId() == null) {
            throw new dev.ensemble.events.PoisonEventException("user.registered without user_id");
        }
        return processed.once(CONSUMER, event, () -> accounts.open(user))
                .invoke(first -> LOG.debugf("user %s: account %s", user.userId(), first ? "opened" : "already open"))
                .replaceWithVoid();
    }
}
