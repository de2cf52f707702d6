package dev.ensemble.inference.ai;

import dev.ensemble.web.RequestIds;

/** Small helpers shared by the Ai-semble vision and NLP endpoints. */
final class AiRequests {

    private AiRequests() {
    }

    /** The request's id as the gateway sent it (or a fresh one), for the seed's {@code request_id}. */
    static String id(String header) {
        return RequestIds.resolve(header);
    }

    static String shorten(String s) {
        return s.length() > 40 ? s.substring(0, 40) + "..." : s;
    }
}
