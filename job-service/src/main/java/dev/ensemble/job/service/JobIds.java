package dev.ensemble.job.service;

import dev.ensemble.web.ApiException;

import java.util.UUID;

/** Job ids as the seeds show them ({@code job_<uuid>}); the bare UUID is accepted too. */
public final class JobIds {

    private JobIds() {
    }

    public static String format(UUID id) {
        return "job_" + id;
    }

    /** The UUID of {@code value}; an id that cannot exist is answered like an unknown job (404). */
    public static UUID parse(String value) {
        String v = value.startsWith("job_") ? value.substring(4) : value;
        try {
            if (v.length() != 36) {
                throw new IllegalArgumentException();
            }
            return UUID.fromString(v);
        } catch (IllegalArgumentException e) {
            throw ApiException.notFound("job");
        }
    }
}
