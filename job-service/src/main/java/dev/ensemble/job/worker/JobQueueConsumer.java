package dev.ensemble.job.worker;

import dev.ensemble.events.EventEnvelope;
import dev.ensemble.events.Events;
import dev.ensemble.events.PoisonEventException;
import dev.ensemble.events.Topics;
import dev.ensemble.events.job.JobControl;
import dev.ensemble.events.job.JobDispatch;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.eclipse.microprofile.reactive.messaging.Metadata;
import org.jboss.logging.Logger;

import java.nio.charset.StandardCharsets;
import java.util.UUID;

/**
 * Consumes the worker's queues ({@code jobs.<queue>}) and {@code job.control}. A dispatch wakes the
 * worker, which claims from the database; a record that is no dispatch, or names no job, is a poison
 * message and goes to {@code <topic>.dlq} with the reason in its headers. Cancel commands stop the run
 * on this worker within one batch.
 */
@ApplicationScoped
public class JobQueueConsumer {

    private static final Logger LOG = Logger.getLogger(JobQueueConsumer.class);

    @Inject
    JobWorker worker;

    @Inject
    JobStore store;

    @Inject
    @Channel("job-dlq")
    MutinyEmitter<String> deadLetters;

    @Incoming("job-queues")
    public Uni<Void> onDispatch(ConsumerRecord<String, String> record) {
        JobDispatch dispatch;
        try {
            EventEnvelope event = Events.read(record.value());
            if (!JobDispatch.TYPE.equals(event.type())) {
                throw new PoisonEventException("unexpected event type " + event.type() + " on a job queue");
            }
            dispatch = Events.data(event, JobDispatch.class);
            if (dispatch.jobId() == null) {
                throw new PoisonEventException("job.dispatched without job_id");
            }
        } catch (PoisonEventException e) {
            return deadLetter(record, e.getMessage());
        }
        UUID jobId = dispatch.jobId();
        return store.exists(jobId).chain(exists -> {
            if (!exists) {
                return deadLetter(record, "no job " + jobId);
            }
            worker.wake();
            return Uni.createFrom().voidItem();
        });
    }

    @Incoming("job-control")
    public Uni<Void> onControl(String payload) {
        EventEnvelope event = Events.read(payload);
        if (!JobControl.TYPE.equals(event.type())) {
            return Uni.createFrom().voidItem();
        }
        JobControl control = Events.data(event, JobControl.class);
        if (control.jobId() == null) {
            throw new PoisonEventException("job.control without job_id");
        }
        if (JobControl.CANCEL.equals(control.action())) {
            worker.stopJob(control.jobId(), "cancelled by its owner");
        }
        return Uni.createFrom().voidItem();
    }

    private Uni<Void> deadLetter(ConsumerRecord<String, String> record, String reason) {
        LOG.warnf("poison record on %s (offset %d): %s", record.topic(), record.offset(), reason);
        RecordHeaders headers = new RecordHeaders();
        headers.add("dead-letter-reason", reason.getBytes(StandardCharsets.UTF_8));
        headers.add("dead-letter-topic", record.topic().getBytes(StandardCharsets.UTF_8));
        headers.add("dead-letter-partition", Integer.toString(record.partition()).getBytes(StandardCharsets.UTF_8));
        headers.add("dead-letter-offset", Long.toString(record.offset()).getBytes(StandardCharsets.UTF_8));
        OutgoingKafkaRecordMetadata<String> meta = OutgoingKafkaRecordMetadata.<String>builder()
                .withTopic(Topics.dlq(record.topic())).withKey(record.key()).withHeaders(headers).build();
        return deadLetters.sendMessage(Message.of(record.value() == null ? "" : record.value(), Metadata.of(meta)));
    }
}
