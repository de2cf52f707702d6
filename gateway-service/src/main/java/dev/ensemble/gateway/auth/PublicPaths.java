package dev.ensemble.gateway.auth;

import dev.ensemble.gateway.config.GatewayConfig;
import jakarta.annotation.PostConstruct;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import java.util.List;

/**
 * The canonical path prefixes anyone may call, from {@code ensemble.gateway.auth.public-paths}
 * (matched on segment boundaries, after the seed rewrite, so a seed's login path is public
 * because the canonical login is).
 */
@Singleton
public class PublicPaths {

    @Inject
    GatewayConfig config;

    private String[] prefixes;

    @PostConstruct
    void init() {
        prefixes = config.auth().publicPaths().stream().map(String::trim).filter(p -> !p.isEmpty())
                .map(p -> p.length() > 1 && p.endsWith("/") ? p.substring(0, p.length() - 1) : p)
                .toArray(String[]::new);
    }

    public boolean isPublic(String path) {
        for (String p : prefixes) {
            if (path.startsWith(p) && (path.length() == p.length() || path.charAt(p.length()) == '/')) {
                return true;
            }
        }
        return false;
    }

    public List<String> prefixes() {
        return List.of(prefixes);
    }
}
