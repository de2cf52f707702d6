package dev.ensemble.job;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import java.time.Instant;
import java.util.UUID;

/** One line of a job's log. */
@Entity
@Table(name = "job_logs")
public class JobLog extends PanacheEntityBase {
    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;
    @Column(name = "job_id")
    public UUID jobId;
    public Instant ts;
    public String level;
    public String message;

    public static JobLog of(UUID jobId, String level, String message) {
        JobLog log = new JobLog();
        log.jobId = jobId;
        log.ts = Instant.now();
        log.level = level;
        log.message = message.length() > 4000 ? message.substring(0, 4000) : message;
        return log;
    }
}
