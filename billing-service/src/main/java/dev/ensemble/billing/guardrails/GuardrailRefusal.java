package dev.ensemble.billing.guardrails;

import dev.ensemble.web.ApiException;

import java.util.Map;

/**
 * A 402 refusal: {@code SPENDING_LIMIT} (with the violated windows) or {@code INSUFFICIENT_CREDITS}.
 * Rendered by {@link GuardrailProblemMapper} as problem+json with the seed's members
 * ({@code allowed}, {@code violations}, {@code spent}) beside the problem's.
 */
public class GuardrailRefusal extends ApiException {

    private final transient Map<String, Object> members;

    public GuardrailRefusal(String code, String message, Map<String, Object> members) {
        super(402, code, message);
        this.members = members;
    }

    public Map<String, Object> members() {
        return members;
    }
}
