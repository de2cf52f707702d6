package dev.ensemble.gpu.instances;

import dev.ensemble.events.Topics;
import dev.ensemble.events.outbox.Outbox;
import dev.ensemble.events.usage.UsageRecorded;
import dev.ensemble.gpu.config.GpuBrokerConfig;
import dev.ensemble.gpu.offers.OfferService;
import dev.ensemble.gpu.provider.GpuOffer;
import dev.ensemble.gpu.provider.GpuProvider;
import dev.ensemble.gpu.provider.OfferGoneException;
import dev.ensemble.gpu.provider.ProvisionSpec;
import dev.ensemble.gpu.provider.Providers;
import dev.ensemble.web.ApiException;
import dev.ensemble.web.ErrorCode;
import dev.ensemble.web.RequestIds;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * Renting and returning GPU instances. Each rental is a {@link GpuContract} written before the
 * provider is asked (so a create that fails half-way is still known to reconciliation), the
 * estimated cost held with billing's guardrails first, and every state change written with its
 * {@code gpu.events} event (and GPU time on {@code usage.events}) in one transaction.
 */
@ApplicationScoped
public class ContractService {

    private static final Logger LOG = Logger.getLogger(ContractService.class);

    @Inject
    Providers providers;

    @Inject
    OfferService offers;

    @Inject
    CostGuard guard;

    @Inject
    Outbox outbox;

    @Inject
    GpuBrokerConfig config;

    /** Rents one offer for the user. Fails with the provider's, the guard's or the offer's error. */
    public Uni<GpuContract> create(UUID userId, String token, String providerName, String offerId, int hours,
                                   boolean autoRenew) {
        GpuProvider provider = providers.require(providerName);
        return findOffer(provider, offerId).chain(offer -> create(userId, token, provider, offer, hours, autoRenew));
    }

    Uni<GpuOffer> findOffer(GpuProvider provider, String offerId) {
        return offers.search(provider.name(), OfferService.Filter.ANY).chain(r -> {
            var hit = r.offers().stream().filter(o -> o.id().equals(offerId)).findFirst();
            if (hit.isPresent()) {
                return Uni.createFrom().item(hit.get());
            }
            offers.invalidate(provider.name());
            return offers.search(provider.name(), OfferService.Filter.ANY).map(again -> again.offers().stream()
                    .filter(o -> o.id().equals(offerId)).findFirst()
                    .orElseThrow(() -> new ApiException(404, ErrorCode.NOT_FOUND,
                            "offer " + abbreviate(offerId) + " not found at " + provider.name())));
        });
    }

    /** Rents {@code offer}: hold the cost, record the contract, ask the provider, record the answer. */
    public Uni<GpuContract> create(UUID userId, String token, GpuProvider provider, GpuOffer offer, int hours,
                                   boolean autoRenew) {
        UUID id = UUID.randomUUID();
        BigDecimal estimate = offer.pricePerHour().multiply(BigDecimal.valueOf(hours)).setScale(4, RoundingMode.HALF_UP);
        String requestId = RequestIds.current();
        return guard.reserve(token, estimate, config.currency(), id.toString(), holdFor(hours))
                .chain(reservation -> Panache.withTransaction(() -> {
                    GpuContract c = new GpuContract();
                    Instant now = Instant.now();
                    c.id = id;
                    c.userId = userId;
                    c.provider = provider.name();
                    c.offerId = offer.id();
                    c.label = GpuContract.labelFor(id);
                    c.status = GpuContract.PROVISIONING;
                    c.gpuModel = offer.gpuModel();
                    c.vendor = offer.vendor();
                    c.gpuCount = offer.gpuCount();
                    c.vramGb = offer.vramGb();
                    c.pricePerHour = offer.pricePerHour();
                    c.currency = config.currency();
                    c.location = offer.location();
                    c.durationHours = hours;
                    c.autoRenew = autoRenew;
                    c.reservationId = reservation;
                    c.createdAt = now;
                    c.updatedAt = now;
                    return c.<GpuContract>persist().chain(saved -> event(saved, null, null, requestId).replaceWith(saved));
                }).chain(contract -> provider.create(new ProvisionSpec(offer, contract.label, hours))
                        .onFailure().call(e -> {
                            if (e instanceof OfferGoneException) {
                                offers.invalidate(provider.name());
                            }
                            return markFailed(id, e.getMessage(), requestId)
                                    .chain(() -> guard.release(token, reservation));
                        })
                        .chain(provisioned -> Panache.withTransaction(() -> GpuContract.<GpuContract>findById(id)
                                .chain(c -> {
                                    Instant now = Instant.now();
                                    String previous = c.status;
                                    c.providerInstanceId = provisioned.providerInstanceId();
                                    c.status = GpuContract.RUNNING.equals(provisioned.status())
                                            ? GpuContract.RUNNING : GpuContract.PROVISIONING;
                                    c.startedAt = now;
                                    c.billedUntil = now;
                                    c.expiresAt = now.plus(Duration.ofHours(hours));
                                    c.updatedAt = now;
                                    offers.invalidate(provider.name());
                                    return event(c, previous, null, requestId).replaceWith(c);
                                })))));
    }

    /** The hold lasts the rental plus an hour, within billing's 24-hour maximum; GPU time settles it. */
    static Duration holdFor(int hours) {
        return Duration.ofHours(Math.min(24, hours + 1L));
    }

    Uni<Void> markFailed(UUID id, String reason, String requestId) {
        return Panache.withTransaction(() -> GpuContract.<GpuContract>findById(id).chain(c -> {
            String previous = c.status;
            c.status = GpuContract.FAILED;
            c.error = abbreviate(reason);
            c.endedAt = Instant.now();
            c.updatedAt = c.endedAt;
            return event(c, previous, reason, requestId);
        })).onFailure().invoke(e -> LOG.warnf(e, "could not mark contract %s failed", id)).replaceWithVoid();
    }

    /** The user's active contract at {@code provider} named by contract id, offer id or provider instance id. */
    public Uni<GpuContract> findActive(UUID userId, String provider, String instanceId) {
        UUID asId = parseUuid(instanceId);
        return Panache.withSession(() -> GpuContract.<GpuContract>find(
                        "userId = ?1 and provider = ?2 and status in ?3 and (id = ?4 or offerId = ?5 or providerInstanceId = ?5)"
                                + " order by createdAt desc",
                        userId, provider, List.of(GpuContract.PROVISIONING, GpuContract.RUNNING),
                        asId == null ? new UUID(0, 0) : asId, instanceId).firstResult())
                .onItem().ifNull().failWith(() -> ApiException.notFound("instance " + abbreviate(instanceId)));
    }

    /** Destroys the user's instance at the provider, then records it and bills its GPU time. */
    public Uni<GpuContract> destroy(UUID userId, String providerName, String instanceId) {
        GpuProvider provider = providers.require(providerName);
        String requestId = RequestIds.current();
        return findActive(userId, providerName, instanceId).chain(found -> {
            Uni<Void> remote = found.providerInstanceId == null ? Uni.createFrom().voidItem()
                    : provider.destroy(found.providerInstanceId);
            // Reconciliation may have touched the row meanwhile (optimistic lock): read it again and retry.
            return remote.chain(() -> Panache.withTransaction(() -> GpuContract.<GpuContract>findById(found.id)
                    .chain(c -> !c.active() ? Uni.createFrom().item(c)
                            : end(c, GpuContract.DESTROYED, Instant.now(), "destroyed by its owner", requestId)
                            .replaceWith(c)))
                    .onFailure(ContractService::stale).retry().atMost(3));
        });
    }

    /** Ends a contract in the current transaction: bill its remaining time, record the state, emit. */
    Uni<Void> end(GpuContract c, String status, Instant at, String reason, String requestId) {
        String previous = c.status;
        Instant until = c.expiresAt != null && c.expiresAt.isBefore(at) ? c.expiresAt : at;
        return bill(c, until, requestId).chain(() -> {
            c.status = status;
            c.endedAt = at;
            c.updatedAt = at;
            return event(c, previous, reason, requestId);
        });
    }

    /** Reports GPU time from {@code billedUntil} to {@code until} on usage.events (at most once per span). */
    Uni<Void> bill(GpuContract c, Instant until, String requestId) {
        if (c.billedUntil == null || !until.isAfter(c.billedUntil)) {
            return Uni.createFrom().voidItem();
        }
        long seconds = Duration.between(c.billedUntil, until).toSeconds();
        if (seconds <= 0) {
            return Uni.createFrom().voidItem();
        }
        BigDecimal gpuSeconds = BigDecimal.valueOf(seconds).multiply(BigDecimal.valueOf(c.gpuCount));
        BigDecimal cost = c.pricePerHour.multiply(BigDecimal.valueOf(seconds))
                .divide(BigDecimal.valueOf(3600), 6, RoundingMode.HALF_UP);
        UsageRecorded usage = new UsageRecorded(c.userId, UsageRecorded.GPU_TIME, c.provider + ":" + c.gpuModel,
                gpuSeconds, null, null, c.id.toString(), c.reservationId, cost, c.currency);
        c.billedUntil = until;
        return outbox.publish(Topics.USAGE_EVENTS, UsageRecorded.TYPE, c.userId.toString(), UsageRecorded.VERSION,
                requestId, usage).replaceWithVoid();
    }

    Uni<Void> event(GpuContract c, String previous, String reason, String requestId) {
        return eventAs(c, c.status, previous, reason, requestId);
    }

    Uni<Void> eventAs(GpuContract c, String type, String previous, String reason, String requestId) {
        GpuInstanceChanged data = new GpuInstanceChanged(c.id, c.userId, c.provider, c.offerId, c.providerInstanceId,
                c.status, previous, c.gpuModel, c.gpuCount, c.pricePerHour, c.currency, c.expiresAt,
                reason == null ? null : abbreviate(reason));
        return outbox.publish(Topics.GPU_EVENTS, GpuInstanceChanged.type(type), c.id.toString(), GpuInstanceChanged.VERSION,
                requestId, data).replaceWithVoid();
    }

    /** The user's contracts, newest first. */
    public Uni<List<GpuContract>> list(UUID userId, String status, int limit, int offset) {
        return Panache.withSession(() -> (status == null
                ? GpuContract.<GpuContract>find("userId = ?1 order by createdAt desc", userId)
                : GpuContract.<GpuContract>find("userId = ?1 and status = ?2 order by createdAt desc", userId, status))
                .range(offset, offset + limit - 1).list());
    }

    public Uni<Long> count(UUID userId, String status) {
        return Panache.withSession(() -> status == null ? GpuContract.count("userId", userId)
                : GpuContract.count("userId = ?1 and status = ?2", userId, status));
    }

    /** One of the user's contracts; another user's is 404. */
    public Uni<GpuContract> get(UUID userId, String contractId) {
        UUID id = parseUuid(contractId);
        if (id == null) {
            return Uni.createFrom().failure(ApiException.notFound("contract " + abbreviate(contractId)));
        }
        return Panache.withSession(() -> GpuContract.<GpuContract>find("id = ?1 and userId = ?2", id, userId).firstResult())
                .onItem().ifNull().failWith(() -> ApiException.notFound("contract " + contractId));
    }

    public Uni<List<GpuContract>> running(UUID userId) {
        return Panache.withSession(() -> GpuContract.<GpuContract>find(
                "userId = ?1 and status = ?2 order by createdAt", userId, GpuContract.RUNNING).list());
    }

    /** A concurrent change won the optimistic lock ({@code @Version}). */
    static boolean stale(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            String name = t.getClass().getSimpleName();
            if (name.contains("StaleObjectState") || name.contains("OptimisticLock")) {
                return true;
            }
        }
        return false;
    }

    static UUID parseUuid(String s) {
        try {
            return s == null ? null : UUID.fromString(s);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    static String abbreviate(String s) {
        return s == null ? null : s.length() > 300 ? s.substring(0, 300) : s;
    }
}
