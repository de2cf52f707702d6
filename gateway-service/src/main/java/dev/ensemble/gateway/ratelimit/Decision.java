package dev.ensemble.gateway.ratelimit;

/**
 * The limiter's answer and what the X-RateLimit headers say: the window's limit, what is left,
 * when the window resets (epoch seconds) and, when refused, the seconds to wait.
 */
public record Decision(boolean allowed, long limit, long remaining, long resetEpochSeconds, long retryAfterSeconds) {

    /** The limiter could not decide (Redis unreachable): the request goes on, without headers. */
    public static final Decision UNKNOWN = new Decision(true, -1, -1, 0, 0);

    public boolean known() {
        return limit >= 0;
    }
}
