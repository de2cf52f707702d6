package dev.ensemble.events.user;

import java.util.UUID;

/** {@code user.registered} on {@code user.events}, data version 1: a new account exists. */
public record UserRegistered(UUID userId, String email, String name, String username) {
    public static final String TYPE = "user.registered";
    public static final int VERSION = 1;
}
