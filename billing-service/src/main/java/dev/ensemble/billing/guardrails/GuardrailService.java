package dev.ensemble.billing.guardrails;

import dev.ensemble.billing.Account;
import dev.ensemble.billing.LedgerEntry;
import dev.ensemble.billing.SpendingReservation;
import dev.ensemble.billing.SpendingWindow;
import dev.ensemble.billing.config.BillingConfig;
import dev.ensemble.billing.messaging.BillingEvents;
import dev.ensemble.billing.money.Money;
import dev.ensemble.events.Topics;
import dev.ensemble.events.outbox.Outbox;
import dev.ensemble.web.ApiException;
import dev.ensemble.web.ErrorCode;
import dev.ensemble.web.RequestIds;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.quarkus.hibernate.reactive.panache.common.WithTransaction;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.hibernate.reactive.mutiny.Mutiny;
import org.jboss.logging.Logger;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * Spending windows, check-and-record, and reserve-then-settle. Every operation that reads limits
 * and changes spend runs in one transaction that first locks the user's account row
 * ({@code SELECT ... FOR UPDATE}), so concurrent requests for one user are serialised on that row
 * and can never together overshoot a limit; different users never wait on each other.
 */
@ApplicationScoped
public class GuardrailService {

    private static final Logger LOG = Logger.getLogger(GuardrailService.class);
    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9_-]{0,63}");
    private static final Pattern PURPOSE = Pattern.compile("[A-Za-z0-9_.:-]{1,64}");

    @Inject
    BillingConfig config;

    @Inject
    Outbox outbox;

    @Inject
    dev.ensemble.billing.service.AccountService accounts;

    /** One violated window: {@code spent} is what the window would reach with the requested amount. */
    public record Violation(String window, BigDecimal spent, BigDecimal limit, BigDecimal current, BigDecimal requested) {
    }

    public record WindowView(String name, String kind, Long durationSeconds, BigDecimal limit, BigDecimal spent,
                             BigDecimal held, BigDecimal remaining, BigDecimal percentageUsed, String currency,
                             Instant periodStart, Instant periodEnd) {
    }

    public record SpendingView(BigDecimal windowSpent, BigDecimal windowLimit, String windowName,
                               BigDecimal percentageUsed, List<Violation> violations, String currency,
                               BigDecimal held, List<WindowView> windows) {
    }

    public record CheckResult(boolean allowed, BigDecimal spent, BigDecimal limit, BigDecimal remaining,
                              BigDecimal estimatedCost, String windowName, String currency) {
    }

    public record RecordResult(String message, BigDecimal newTotal, String windowName, String currency,
                               List<WindowView> windows) {
    }

    public record ReservationView(UUID reservationId, BigDecimal amount, BigDecimal heldAmount,
                                  BigDecimal settledAmount, String currency, String status, String purpose,
                                  String referenceId, Instant createdAt, Instant expiresAt, Instant closedAt) {
        static ReservationView of(SpendingReservation r) {
            return new ReservationView(r.id,
                    Money.display(SpendingReservation.SETTLED.equals(r.status) ? r.settledAmount : r.amount),
                    Money.display(r.amount), Money.display(r.settledAmount), r.currency, r.status, r.purpose,
                    r.referenceId, r.createdAt, r.expiresAt, r.closedAt);
        }
    }

    /** A reservation answer and whether it was created by this call (201) or found again (200). */
    public record Reserved(ReservationView reservation, boolean created) {
    }

    /** The user's state under its lock: account, windows in their current period, and active holds. */
    record Locked(Account account, List<SpendingWindow> windows, BigDecimal held, BigDecimal balance, Instant now) {
        String currency() {
            return account.currency.trim();
        }
    }

    // ---------------------------------------------------------------- reads

    @WithTransaction
    public Uni<SpendingView> view(UUID userId) {
        return lock(userId).map(this::view);
    }

    @WithSession
    public Uni<ReservationView> reservation(UUID userId, UUID id) {
        return SpendingReservation.<SpendingReservation>findById(id)
                .map(r -> {
                    if (r == null || !r.userId.equals(userId)) {
                        throw ApiException.notFound("reservation");
                    }
                    ReservationView view = ReservationView.of(r);
                    if (SpendingReservation.HELD.equals(r.status) && !r.expiresAt.isAfter(Instant.now())) {
                        // it stopped counting at expiry; the sweep records it soon
                        return new ReservationView(view.reservationId(), view.amount(), view.heldAmount(),
                                view.settledAmount(), view.currency(), SpendingReservation.EXPIRED, view.purpose(),
                                view.referenceId(), view.createdAt(), view.expiresAt(), view.expiresAt());
                    }
                    return view;
                });
    }

    // ---------------------------------------------------------------- check, record, reset

    @WithTransaction
    public Uni<CheckResult> check(UUID userId, BigDecimal estimatedCost) {
        BigDecimal amount = Money.nonNegative(estimatedCost, "estimated_cost", Money.SCALE, config);
        return lock(userId).map(l -> {
            refuseIfOver(l, amount, true);
            WindowView primary = primary(l);
            return new CheckResult(true, primary == null ? BigDecimal.ZERO.setScale(2) : primary.spent().add(primary.held()),
                    primary == null ? null : primary.limit(), primary == null ? null : primary.remaining(),
                    Money.display(amount), primary == null ? null : primary.name(), l.currency());
        });
    }

    /** Check-and-record, atomically: the amount is recorded only if every window stays within its limit. */
    @WithTransaction
    public Uni<RecordResult> record(UUID userId, BigDecimal requested, String currency) {
        BigDecimal amount = Money.positive(requested, "amount", Money.SCALE, config);
        return lock(userId).map(l -> {
            requireCurrency(l, currency);
            refuseIfOver(l, amount, true);
            l.windows().forEach(w -> w.spent = w.spent.add(amount));
            WindowView primary = primary(l);
            return new RecordResult("Spending recorded successfully",
                    primary == null ? Money.display(amount) : primary.spent(), primary == null ? null : primary.name(),
                    l.currency(), views(l));
        });
    }

    @WithTransaction
    public Uni<List<WindowView>> reset(UUID userId, String windowName) {
        return lock(userId).map(l -> {
            List<SpendingWindow> targets = l.windows().stream()
                    .filter(w -> windowName == null || w.name().equals(windowName)).toList();
            if (windowName != null && targets.isEmpty()) {
                throw ApiException.badRequest("window_name", "no spending window named '" + safe(windowName) + "'");
            }
            for (SpendingWindow w : targets) {
                w.spent = BigDecimal.ZERO;
                if (Windows.CUSTOM.equals(w.kind)) {
                    w.anchorAt = l.now();
                }
                w.periodStart = Windows.periodStart(w.kind, w.durationSeconds, w.anchorAt, l.now());
            }
            return views(l);
        });
    }

    /** Creates or changes a window's limit (and a custom window's duration). */
    @WithTransaction
    public Uni<WindowView> putWindow(UUID userId, String name, BigDecimal requestedLimit, Long durationSeconds) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw ApiException.badRequest("name", "must be 1-64 lower-case letters, digits, '-' or '_'");
        }
        BigDecimal limit = Money.nonNegative(requestedLimit, "limit", Money.SCALE, config);
        String kind = Windows.CALENDAR.contains(name) ? name : Windows.CUSTOM;
        if (Windows.CUSTOM.equals(kind)) {
            if (durationSeconds == null) {
                throw ApiException.badRequest("duration_seconds", "is required for a custom window");
            }
            if (durationSeconds < 1 || durationSeconds > 366L * 86_400) {
                throw ApiException.badRequest("duration_seconds", "must be between 1 and 31622400");
            }
        } else if (durationSeconds != null) {
            throw ApiException.badRequest("duration_seconds", "only custom windows have a duration; '" + name
                    + "' is a calendar window");
        }
        return lock(userId).chain(l -> {
            SpendingWindow w = l.windows().stream().filter(x -> x.name().equals(name)).findFirst().orElse(null);
            Uni<Void> saved;
            if (w == null) {
                if (l.windows().size() >= 20) {
                    throw ApiException.badRequest("name", "at most 20 spending windows per user");
                }
                w = new SpendingWindow();
                w.key = new SpendingWindow.Key(userId, name);
                w.kind = kind;
                w.spent = BigDecimal.ZERO;
                w.currency = l.currency();
                w.anchorAt = l.now();
                w.durationSeconds = durationSeconds;
                w.periodStart = Windows.periodStart(kind, durationSeconds, w.anchorAt, l.now());
                l.windows().add(w);
                saved = w.persist().replaceWithVoid();
            } else {
                if (Windows.CUSTOM.equals(kind) && !durationSeconds.equals(w.durationSeconds)) {
                    w.durationSeconds = durationSeconds;
                    w.anchorAt = l.now();
                    w.periodStart = l.now();
                }
                saved = Uni.createFrom().voidItem();
            }
            w.limitAmount = limit;
            SpendingWindow window = w;
            return saved.map(v -> view(l, window));
        });
    }

    @WithTransaction
    public Uni<Void> deleteWindow(UUID userId, String name) {
        return lock(userId).chain(l -> {
            SpendingWindow w = l.windows().stream().filter(x -> x.name().equals(name)).findFirst()
                    .orElseThrow(() -> ApiException.notFound("spending window"));
            return w.delete();
        });
    }

    // ---------------------------------------------------------------- reserve, settle, release

    @WithTransaction
    public Uni<Reserved> reserve(UUID userId, BigDecimal requested, String currency, String purpose,
                                 String referenceId, Long ttlSeconds) {
        BigDecimal amount = Money.positive(requested, "amount", Money.SCALE, config);
        String why = purpose == null ? "other" : purpose;
        if (!PURPOSE.matcher(why).matches()) {
            throw ApiException.badRequest("purpose", "must be 1-64 letters, digits, '_', '.', ':' or '-'");
        }
        if (referenceId != null && (referenceId.isBlank() || referenceId.length() > 200)) {
            throw ApiException.badRequest("reference_id", "must be 1-200 characters");
        }
        long ttl = ttlSeconds == null ? config.guardrails().defaultTtlSeconds() : ttlSeconds;
        if (ttl < 1 || ttl > config.guardrails().maxTtlSeconds()) {
            throw ApiException.badRequest("ttl_seconds", "must be between 1 and " + config.guardrails().maxTtlSeconds());
        }
        return lock(userId).chain(l -> {
            requireCurrency(l, currency);
            Uni<SpendingReservation> existing = referenceId == null ? Uni.createFrom().nullItem()
                    : SpendingReservation.<SpendingReservation>find(
                    "userId = ?1 and referenceId = ?2 and status in ('held', 'settled')", userId, referenceId)
                    .firstResult();
            return existing.chain(found -> {
                if (found != null && found.holding(l.now()) || found != null && SpendingReservation.SETTLED.equals(found.status)) {
                    return Uni.createFrom().item(new Reserved(ReservationView.of(found), false));
                }
                Uni<Void> expireOld = found == null ? Uni.createFrom().voidItem() : expire(found, l.now());
                return expireOld.chain(() -> {
                    refuseIfOver(l, amount, false);
                    SpendingReservation r = new SpendingReservation();
                    r.id = UUID.randomUUID();
                    r.userId = userId;
                    r.amount = amount;
                    r.currency = l.currency();
                    r.purpose = why;
                    r.referenceId = referenceId;
                    r.status = SpendingReservation.HELD;
                    r.createdAt = l.now();
                    r.expiresAt = l.now().plusSeconds(ttl);
                    return r.<SpendingReservation>persist().map(saved -> new Reserved(ReservationView.of(saved), true));
                });
            });
        });
    }

    private Uni<Void> expire(SpendingReservation r, Instant now) {
        r.status = SpendingReservation.EXPIRED;
        r.closedAt = now;
        return Panache.getSession().chain(Mutiny.Session::flush);
    }

    /** Charges the real cost of a reservation; settling one that is already settled changes nothing. */
    @WithTransaction
    public Uni<ReservationView> settle(UUID userId, UUID reservationId, BigDecimal requested) {
        BigDecimal amount = Money.nonNegative(requested, "amount", Money.SCALE, config);
        return lock(userId).chain(l -> owned(userId, reservationId).chain(r -> {
            if (SpendingReservation.SETTLED.equals(r.status)) {
                return Uni.createFrom().item(ReservationView.of(r));
            }
            if (SpendingReservation.RELEASED.equals(r.status)) {
                throw ApiException.conflict("the reservation was released; it cannot be settled");
            }
            return settleLocked(l, r, amount, null, null, "usage: " + r.purpose).map(v -> ReservationView.of(r));
        }));
    }

    /** Drops a hold without charging; releasing twice, or an expired hold, changes nothing. */
    @WithTransaction
    public Uni<ReservationView> release(UUID userId, UUID reservationId) {
        return lock(userId).chain(l -> owned(userId, reservationId).map(r -> {
            if (SpendingReservation.SETTLED.equals(r.status)) {
                throw ApiException.conflict("the reservation was settled; it cannot be released");
            }
            if (SpendingReservation.HELD.equals(r.status)) {
                r.status = r.expiresAt.isAfter(l.now()) ? SpendingReservation.RELEASED : SpendingReservation.EXPIRED;
                r.closedAt = l.now();
            }
            return ReservationView.of(r);
        }));
    }

    /**
     * Charges metered usage to the ledger and the windows (the work already happened, so no limit
     * refuses it). With a reservation id: settles that reservation with the priced amount, unless it
     * was already settled (then the usage was charged already and nothing more happens).
     *
     * @return whether the ledger was charged
     */
    public Uni<Boolean> chargeUsage(UUID userId, BigDecimal amount, String currency, String kind, String resource,
                                    UUID reservationId, UUID eventId, String description) {
        return lock(userId).chain(l -> {
            if (currency != null && !currency.equals(l.currency())) {
                throw new dev.ensemble.events.PoisonEventException("usage cost in " + currency
                        + " but the account is kept in " + l.currency());
            }
            Uni<SpendingReservation> reservation = reservationId == null ? Uni.createFrom().nullItem()
                    : SpendingReservation.<SpendingReservation>findById(reservationId)
                    .map(r -> r != null && r.userId.equals(userId) ? r : null);
            return reservation.chain(r -> {
                if (r != null && SpendingReservation.SETTLED.equals(r.status)) {
                    return Uni.createFrom().item(false);
                }
                if (r != null && !SpendingReservation.RELEASED.equals(r.status)) {
                    return settleLocked(l, r, amount, kind, eventId, description).replaceWith(true);
                }
                return charge(l, amount, kind, resource, null, eventId, description, "usage:" + eventId)
                        .replaceWith(true);
            });
        });
    }

    private Uni<Void> settleLocked(Locked l, SpendingReservation r, BigDecimal amount, String kind, UUID eventId,
                                   String description) {
        r.status = SpendingReservation.SETTLED;
        r.settledAmount = amount;
        r.closedAt = l.now();
        return charge(l, amount, kind == null ? r.purpose : kind, r.referenceId, r.id, eventId, description,
                "reservation:" + r.id);
    }

    private Uni<Void> charge(Locked l, BigDecimal amount, String kind, String resource, UUID reservationId,
                             UUID eventId, String description, String reference) {
        l.windows().forEach(w -> w.spent = w.spent.add(amount));
        if (amount.signum() == 0) {
            return Uni.createFrom().voidItem();
        }
        LedgerEntry entry = LedgerEntry.of(l.account().userId, LedgerEntry.USAGE, amount.negate(), l.currency(),
                description, reference, null);
        return entry.persist().chain(() -> outbox.publish(Topics.BILLING_EVENTS, BillingEvents.CHARGED,
                l.account().userId.toString(), BillingEvents.VERSION, RequestIds.current(),
                new BillingEvents.Charged(l.account().userId, entry.id, Money.display(amount), l.currency(), kind,
                        resource, reservationId, eventId, description))).replaceWithVoid();
    }

    private Uni<SpendingReservation> owned(UUID userId, UUID id) {
        return SpendingReservation.<SpendingReservation>findById(id).map(r -> {
            if (r == null || !r.userId.equals(userId)) {
                throw ApiException.notFound("reservation");
            }
            return r;
        });
    }

    /** Marks reservations past their expiry as expired; they stopped counting at expiry already. */
    @Scheduled(every = "${ensemble.billing.guardrails.sweep-interval:30s}", delayed = "5s",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP,
            skipExecutionIf = Scheduled.ApplicationNotRunning.class)
    Uni<Void> sweep() {
        return sweepNow().onFailure().invoke(e -> LOG.warnf("reservation sweep failed: %s", e.getMessage()))
                .onFailure().recoverWithNull().replaceWithVoid();
    }

    public Uni<Integer> sweepNow() {
        return Panache.withTransaction(() -> Panache.getSession().chain(s -> s
                .createNativeQuery("UPDATE spending_reservations SET status = 'expired', closed_at = expires_at "
                        + "WHERE status = 'held' AND expires_at <= now()")
                .executeUpdate()));
    }

    // ---------------------------------------------------------------- the lock and the arithmetic

    /** Opens the account if needed, locks it, and loads the windows (rolled to their current period) and holds. */
    Uni<Locked> lock(UUID userId) {
        Instant now = Instant.now();
        return Panache.getSession().chain(s -> lockAccount(s, userId)
                .chain(found -> found != null ? Uni.createFrom().item(found)
                        : accounts.ensure(userId).chain(() -> lockAccount(s, userId)))
                .chain(account -> windows(s, account, now)
                        .chain(windows -> s.createNativeQuery("SELECT COALESCE(SUM(amount), 0) FROM spending_reservations "
                                        + "WHERE user_id = :u AND status = 'held' AND expires_at > :t", BigDecimal.class)
                                .setParameter("u", userId).setParameter("t", now).getSingleResult()
                                .chain(held -> credits(s, userId)
                                        .map(balance -> new Locked(account, windows, held, balance, now))))));
    }

    private static Uni<Account> lockAccount(Mutiny.Session s, UUID userId) {
        return s.createNativeQuery("SELECT * FROM accounts WHERE user_id = :u FOR UPDATE", Account.class)
                .setParameter("u", userId).getSingleResultOrNull();
    }

    /** Credits are read (and enforced) only in prepaid mode. */
    private Uni<BigDecimal> credits(Mutiny.Session s, UUID userId) {
        if (!config.requireCredits()) {
            return Uni.createFrom().nullItem();
        }
        return s.createNativeQuery("SELECT COALESCE(SUM(amount), 0) FROM ledger_entries WHERE user_id = :u", BigDecimal.class)
                .setParameter("u", userId).getSingleResult();
    }

    private Uni<List<SpendingWindow>> windows(Mutiny.Session s, Account account, Instant now) {
        if (!account.guardrailsInitialized) {
            account.guardrailsInitialized = true;
            List<SpendingWindow> created = new ArrayList<>();
            addDefault(created, account, Windows.HOURLY, config.guardrails().hourlyLimit(), now);
            addDefault(created, account, Windows.DAILY, config.guardrails().dailyLimit(), now);
            addDefault(created, account, Windows.MONTHLY, config.guardrails().monthlyLimit(), now);
            return s.persistAll(created.toArray()).chain(s::flush).replaceWith(created);
        }
        return s.createNativeQuery("SELECT * FROM spending_windows WHERE user_id = :u", SpendingWindow.class)
                .setParameter("u", account.userId).getResultList()
                .map(list -> {
                    List<SpendingWindow> windows = new ArrayList<>(list);
                    for (SpendingWindow w : windows) {
                        Instant start = Windows.periodStart(w.kind, w.durationSeconds, w.anchorAt, now);
                        if (start.isAfter(w.periodStart)) {
                            w.spent = BigDecimal.ZERO;
                            w.periodStart = start;
                        }
                    }
                    return windows;
                });
    }

    private void addDefault(List<SpendingWindow> into, Account account, String kind, BigDecimal limit, Instant now) {
        if (limit == null || limit.signum() <= 0) {
            return;
        }
        SpendingWindow w = new SpendingWindow();
        w.key = new SpendingWindow.Key(account.userId, kind);
        w.kind = kind;
        w.limitAmount = limit;
        w.currency = account.currency.trim();
        w.spent = BigDecimal.ZERO;
        w.anchorAt = now;
        w.periodStart = Windows.periodStart(kind, null, now, now);
        into.add(w);
    }

    private void requireCurrency(Locked l, String currency) {
        String code = Money.currency(currency, "currency", l.currency(), config);
        if (!code.equals(l.currency())) {
            throw ApiException.badRequest("currency", "the account is kept in " + l.currency() + ", not " + code);
        }
    }

    /** Throws a 402 when {@code amount} on top of recorded spend and active holds would exceed a window or the credit. */
    private void refuseIfOver(Locked l, BigDecimal amount, boolean checkOnly) {
        List<Violation> violations = new ArrayList<>();
        for (SpendingWindow w : sorted(l.windows())) {
            BigDecimal current = w.spent.add(l.held());
            BigDecimal total = current.add(amount);
            if (total.compareTo(w.limitAmount) > 0) {
                violations.add(new Violation(w.name(), Money.display(total), Money.display(w.limitAmount),
                        Money.display(current), Money.display(amount)));
            }
        }
        if (!violations.isEmpty()) {
            WindowView primary = primary(l);
            Map<String, Object> members = new LinkedHashMap<>();
            members.put("allowed", false);
            members.put("violations", violations);
            members.put("spent", primary == null ? BigDecimal.ZERO : primary.spent().add(primary.held()));
            members.put("currency", l.currency());
            Violation first = violations.get(0);
            throw new GuardrailRefusal(ErrorCode.SPENDING_LIMIT, "spending limit of the " + first.window()
                    + " window would be exceeded (" + first.spent().toPlainString() + " > "
                    + first.limit().toPlainString() + " " + l.currency() + ")", members);
        }
        BigDecimal balance = l.balance();
        if (balance != null) {
            BigDecimal available = balance.subtract(l.held());
            if (amount.compareTo(available) > 0) {
                Map<String, Object> members = new LinkedHashMap<>();
                members.put("allowed", false);
                members.put("balance", Money.display(balance));
                members.put("held", Money.display(l.held()));
                members.put("available", Money.display(available.max(BigDecimal.ZERO)));
                members.put("required", Money.display(amount));
                members.put("currency", l.currency());
                throw new GuardrailRefusal(ErrorCode.INSUFFICIENT_CREDITS, "not enough credits: "
                        + Money.display(available.max(BigDecimal.ZERO)).toPlainString() + " " + l.currency()
                        + " available, " + Money.display(amount).toPlainString() + " required", members);
            }
        }
    }

    private static List<SpendingWindow> sorted(List<SpendingWindow> windows) {
        return windows.stream().sorted(Comparator.comparingLong((SpendingWindow w) -> Windows.order(w.kind, w.durationSeconds))
                .thenComparing(SpendingWindow::name)).toList();
    }

    private SpendingView view(Locked l) {
        List<WindowView> windows = views(l);
        WindowView primary = primary(l);
        List<Violation> violations = new ArrayList<>();
        for (WindowView w : windows) {
            BigDecimal current = w.spent().add(w.held());
            if (current.compareTo(w.limit()) > 0) {
                violations.add(new Violation(w.name(), Money.display(current), w.limit(), Money.display(current), null));
            }
        }
        return new SpendingView(primary == null ? BigDecimal.ZERO.setScale(2) : primary.spent(),
                primary == null ? null : primary.limit(), primary == null ? null : primary.name(),
                primary == null ? BigDecimal.ZERO.setScale(2) : primary.percentageUsed(), violations, l.currency(),
                Money.display(l.held()), windows);
    }

    private List<WindowView> views(Locked l) {
        return sorted(l.windows()).stream().map(w -> view(l, w)).toList();
    }

    private WindowView view(Locked l, SpendingWindow w) {
        BigDecimal used = w.spent.add(l.held());
        BigDecimal percentage = w.limitAmount.signum() == 0
                ? (used.signum() == 0 ? BigDecimal.ZERO : BigDecimal.valueOf(100))
                : used.multiply(BigDecimal.valueOf(100)).divide(w.limitAmount, 2, RoundingMode.HALF_UP);
        return new WindowView(w.name(), w.kind, w.durationSeconds, Money.display(w.limitAmount), Money.display(w.spent),
                Money.display(l.held()), Money.display(w.limitAmount.subtract(used).max(BigDecimal.ZERO)),
                percentage.setScale(2, RoundingMode.HALF_UP), w.currency.trim(), w.periodStart,
                Windows.periodEnd(w.kind, w.durationSeconds, w.periodStart));
    }

    /** The window the seed's single-window fields describe: the most used, the longest on a tie. */
    private WindowView primary(Locked l) {
        return views(l).stream().max(Comparator.comparing(WindowView::percentageUsed)
                .thenComparingLong(w -> Windows.order(w.kind(), w.durationSeconds()))).orElse(null);
    }

    private static String safe(String s) {
        String t = s.length() > 64 ? s.substring(0, 64) : s;
        return t.replaceAll("[^A-Za-z0-9_ .:-]", "?");
    }
}
