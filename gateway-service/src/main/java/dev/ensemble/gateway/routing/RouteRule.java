package dev.ensemble.gateway.routing;

/**
 * One line of the route table: requests whose path is {@code prefix} or starts with
 * {@code prefix + "/"} go to {@code service}. Upload routes accept large bodies.
 */
public record RouteRule(String prefix, String service, boolean upload) {

    public static RouteRule to(String prefix, String service) {
        return new RouteRule(prefix, service, false);
    }

    public static RouteRule upload(String prefix, String service) {
        return new RouteRule(prefix, service, true);
    }
}
