package dev.ensemble.infra;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;

/** Where a PostgreSQL server is, and how to create the per-service databases on it. */
public record Database(String host, int port, String user, String password) {

    public String jdbcUrl(String database) {
        return "jdbc:postgresql://" + host + ":" + port + "/" + database;
    }

    public String reactiveUrl(String database) {
        return "postgresql://" + host + ":" + port + "/" + database;
    }

    /** Creates the database when it does not exist yet; existing data is kept. */
    public void ensureDatabase(String name) {
        if (!name.matches("[a-z_][a-z0-9_]{0,62}")) {
            throw new IllegalArgumentException("invalid database name: " + name);
        }
        try (Connection c = DriverManager.getConnection(jdbcUrl("postgres"), user, password);
             Statement s = c.createStatement()) {
            var rs = s.executeQuery("SELECT 1 FROM pg_database WHERE datname = '" + name + "'");
            if (!rs.next()) {
                s.execute("CREATE DATABASE " + name);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create database " + name + " on " + host + ":" + port
                    + ": " + e.getMessage(), e);
        }
    }

    /** Drops a database, ignoring one that is already gone. */
    public void dropDatabase(String name) {
        try (Connection c = DriverManager.getConnection(jdbcUrl("postgres"), user, password);
             Statement s = c.createStatement()) {
            s.execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
        } catch (SQLException e) {
            throw new IllegalStateException("cannot drop database " + name + ": " + e.getMessage(), e);
        }
    }

    /** True when a connection can be made within a few seconds. */
    public boolean reachable() {
        DriverManager.setLoginTimeout(3);
        try (Connection c = DriverManager.getConnection(jdbcUrl("postgres"), user, password)) {
            return c.isValid(3);
        } catch (SQLException e) {
            return false;
        }
    }
}
