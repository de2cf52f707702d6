package dev.ensemble.events.job;

import java.util.UUID;

/**
 * A command to the workers on {@code job.control}, data version 1; the subject is the job id.
 * {@link #CANCEL}: the owner cancelled the job; the worker running it stops within one epoch or batch.
 */
public record JobControl(UUID jobId, UUID ownerId, String action) {

    public static final String TYPE = "job.control";
    public static final int VERSION = 1;

    public static final String CANCEL = "cancel";
}
