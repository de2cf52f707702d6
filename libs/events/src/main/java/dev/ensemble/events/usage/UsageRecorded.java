package dev.ensemble.events.usage;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.math.BigDecimal;
import java.util.UUID;

/**
 * {@code usage.recorded} on {@code usage.events}, data version 1: something billable happened.
 * The envelope id de-duplicates; the subject is the user id. Billing prices it from its price list
 * by {@code kind} (and {@code resource}, e.g. the model name or GPU model) and charges the ledger.
 *
 * <ul>
 *   <li>{@code kind}: one of {@link #TOKENS}, {@link #PREDICTION}, {@link #GPU_TIME},
 *   {@link #STORAGE}, {@link #TRAINING}.</li>
 *   <li>{@code quantity}: predictions, GPU seconds, byte-hours or training seconds for that kind;
 *   for tokens the sum of {@code promptTokens} and {@code completionTokens}.</li>
 *   <li>{@code reservationId}: set when the work reserved its estimated cost with billing's
 *   guardrails first; billing settles that reservation with the priced amount.</li>
 *   <li>{@code cost}/{@code currency}: optional, a cost the producer already knows (a GPU provider's
 *   own price); billing uses its price list when absent.</li>
 * </ul>
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record UsageRecorded(
        UUID userId,
        String kind,
        String resource,
        BigDecimal quantity,
        Long promptTokens,
        Long completionTokens,
        String referenceId,
        UUID reservationId,
        BigDecimal cost,
        String currency) {

    public static final String TYPE = "usage.recorded";
    public static final int VERSION = 1;

    public static final String TOKENS = "tokens";
    public static final String PREDICTION = "prediction";
    public static final String GPU_TIME = "gpu_time";
    public static final String STORAGE = "storage";
    public static final String TRAINING = "training";
}
