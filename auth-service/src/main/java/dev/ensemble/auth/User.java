package dev.ensemble.auth;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import io.smallrye.mutiny.Uni;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import java.time.Instant;
import java.util.UUID;

/** An account. Email and username are unique regardless of case. */
@Entity
@Table(name = "users")
public class User extends PanacheEntityBase {
    @Id
    public UUID id;
    public String email;
    public String username;
    public String name;
    @Column(name = "password_hash")
    public String passwordHash;
    @Column(name = "is_active")
    public boolean active = true;
    @Column(name = "is_admin")
    public boolean admin;
    @Column(name = "created_at")
    public Instant createdAt;
    @Column(name = "last_login")
    public Instant lastLogin;
    /** The rate-limit plan (free, pro, enterprise), carried in tokens as {@code plan}. */
    public String plan;

    public static Uni<User> findByEmail(String email) {
        return find("lower(email) = ?1", email.toLowerCase()).firstResult();
    }

    public static Uni<User> findByUsername(String username) {
        return find("lower(username) = ?1", username.toLowerCase()).firstResult();
    }
}
