package io.meridian.ingest;

/** A record the job cannot write, with the reason: what goes to the dead-letter topic. A Flink POJO. */
public class DeadLetter {
    public KafkaIngestRecord record;
    public String reason;

    public DeadLetter() {}

    DeadLetter(KafkaIngestRecord record, String reason) {
        this.record = record;
        this.reason = reason;
    }
}
