package io.meridian.connector.kafka;

/**
 * Names and constants of the ingest topic format (FORMAT.md next to this module's pom): topics, header names,
 * the key layout.
 */
public final class IngestTopic {
    /** The default ingest topic. */
    public static final String DEFAULT_TOPIC = "meridian.ingest";
    /** The default dead-letter topic: records a consumer could not decode, with the reason. */
    public static final String DEFAULT_DLQ_TOPIC = "meridian.ingest.dlq";
    /** The ingest job's default consumer group: where it commits its offsets on each checkpoint. */
    public static final String DEFAULT_GROUP = "meridian-ingest";

    /** Header: the database, UTF-8. Required. */
    public static final String HEADER_DB = "db";
    /** Header: the payload format and its version ({@link IngestFormat#header()}); absent means {@code lp}. */
    public static final String HEADER_FORMAT = "format";
    /** Header of {@code lp} records: the timestamp unit (ns, us, ms, s); absent means ns. */
    public static final String HEADER_PRECISION = "precision";
    /** Header a consumer adds to a dead-lettered record: why it was refused (UTF-8). */
    public static final String HEADER_DLQ_REASON = "meridian.dlq.reason";

    /** Length of the key of a {@code pb1} record and of a keyed {@code pa1} record: the shard, a big-endian int32. */
    public static final int SHARD_KEY_BYTES = Integer.BYTES;

    private IngestTopic() {}

    /**
     * The partition of a shard's records: {@code shard mod partitions}, so that with at least as many
     * partitions as shards every partition carries one shard (ARCHITECTURE §3, partitions aligned with shards).
     *
     * @throws IllegalArgumentException when {@code shard < 0} or {@code partitions < 1}
     */
    public static int partitionOf(int shard, int partitions) {
        if (shard < 0) {
            throw new IllegalArgumentException("invalid shard [shard=" + shard + "]: want >= 0");
        }
        if (partitions < 1) {
            throw new IllegalArgumentException("invalid partition count [partitions=" + partitions + "]: want >= 1");
        }
        return shard % partitions;
    }
}
