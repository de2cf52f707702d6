package dev.ensemble.billing.client;

import dev.ensemble.web.ApiException;

import java.util.List;
import java.util.Map;

/**
 * Billing refused a reservation: 402 with {@code SPENDING_LIMIT} (a spending window would be
 * exceeded; {@link #violations()} names them) or {@code INSUFFICIENT_CREDITS}. It is an
 * {@link ApiException}, so a service that lets it propagate answers its caller the same 402 and code.
 */
public class SpendingRefused extends ApiException {

    private final transient List<Map<String, Object>> violations;

    public SpendingRefused(String code, String message, List<Map<String, Object>> violations) {
        super(402, code, message);
        this.violations = violations == null ? List.of() : List.copyOf(violations);
    }

    /** The violated windows as billing reported them: {@code window}, {@code spent}, {@code limit}. */
    public List<Map<String, Object>> violations() {
        return violations;
    }
}
