package io.meridian.ingest;

import static io.meridian.common.config.ConfigTypes.BOOLEAN;
import static io.meridian.common.config.ConfigTypes.STRING;
import static io.meridian.common.config.ConfigTypes.STRING_LIST;
import static io.meridian.common.config.ConfigTypes.doubleIn;
import static io.meridian.common.config.ConfigTypes.durationAtLeast;
import static io.meridian.common.config.ConfigTypes.enumOf;
import static io.meridian.common.config.ConfigTypes.intIn;
import static io.meridian.common.config.ConfigTypes.longIn;
import static io.meridian.common.config.ConfigTypes.sizeAtLeast;

import io.meridian.common.config.ConfigDef;
import io.meridian.common.config.ConfigOption;
import io.meridian.common.config.NodeConfigKeys;
import io.meridian.connector.kafka.IngestTopic;
import io.meridian.meta.store.MetaConfigKeys;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Every configuration key of the ingest job ({@code bin/meridian ingest-job --config FILE}), with its type,
 * default and doc; {@code docs/configuration.md} lists the same keys. {@code node.idc} and {@code meta.*} mean
 * what they mean for the other roles, so one file can serve a broker and the job.
 */
public final class IngestConfigKeys {
    /** Where a job that has no committed offsets starts reading. */
    public enum StartingOffsets {
        EARLIEST,
        LATEST
    }

    public static final ConfigOption<String> NODE_IDC =
            NodeConfigKeys.idc("The data centre (IDC) whose storage cluster receives the job's writes.");
    public static final ConfigOption<List<String>> BOOTSTRAP = ConfigOption.required(
            "ingest.kafka.bootstrap-servers", STRING_LIST, "Kafka brokers (host:port, a list or comma-separated).");
    public static final ConfigOption<String> TOPIC = ConfigOption.of(
            "ingest.kafka.topic", STRING, IngestTopic.DEFAULT_TOPIC, "The ingest topic (connectors/kafka/FORMAT.md).");
    public static final ConfigOption<String> DLQ_TOPIC = ConfigOption.of(
            "ingest.kafka.dlq-topic",
            STRING,
            IngestTopic.DEFAULT_DLQ_TOPIC,
            "Where records that cannot be written go, with the reason.");
    public static final ConfigOption<String> GROUP_ID = ConfigOption.of(
            "ingest.kafka.group-id",
            STRING,
            IngestTopic.DEFAULT_GROUP,
            "Consumer group; the job commits its offsets there on each checkpoint (for monitoring).");
    public static final ConfigOption<StartingOffsets> STARTING_OFFSETS = ConfigOption.of(
            "ingest.kafka.starting-offsets",
            enumOf(StartingOffsets.class),
            StartingOffsets.EARLIEST,
            "Where to start when the group has no committed offset: `earliest` or `latest`.");
    public static final ConfigOption<Boolean> BOUNDED = ConfigOption.of(
            "ingest.kafka.bounded",
            BOOLEAN,
            false,
            "Stop at the offsets that are the latest when the job starts (a backfill), instead of running forever.");
    public static final ConfigOption<Long> FETCH_MAX_BYTES = ConfigOption.of(
            "ingest.kafka.fetch-max-bytes",
            sizeAtLeast(1L << 20),
            50L << 20,
            "Most bytes one fetch of the Kafka source returns (Kafka's `fetch.max.bytes`); the source holds up to"
                    + " two fetches per subtask, so this bounds its heap.");
    public static final ConfigOption<Integer> PARALLELISM = ConfigOption.of(
            "ingest.parallelism",
            intIn(1, 1024),
            1,
            "Parallel instances of the job (at most the topic's partitions are busy).");
    public static final ConfigOption<Duration> CHECKPOINT_INTERVAL = ConfigOption.of(
            "ingest.checkpoint.interval",
            durationAtLeast(Duration.ofMillis(10)),
            Duration.ofSeconds(1),
            "Checkpoint interval: points become visible when their checkpoint completes (exactly once).");
    public static final ConfigOption<String> CHECKPOINT_DIR = ConfigOption.of(
            "ingest.checkpoint.dir",
            STRING,
            "",
            "Directory (or URI) of durable checkpoints, so a restarted job resumes where it stopped; empty keeps"
                    + " them in the job manager's memory (they survive task failures, not a job restart).");
    public static final ConfigOption<String> SINK_ID = ConfigOption.of(
            "ingest.sink.id",
            STRING,
            "meridian-ingest",
            "Names the job's writers on the storage nodes; two jobs running at once need different ids.");
    public static final ConfigOption<Integer> SINK_BATCH_POINTS = ConfigOption.of(
            "ingest.sink.max-batch-points",
            intIn(1, 10_000_000),
            20_000,
            "Points buffered per shard before they are staged on its leader.");
    public static final ConfigOption<Duration> SINK_TIMEOUT = ConfigOption.of(
            "ingest.sink.request-timeout",
            durationAtLeast(Duration.ofMillis(100)),
            Duration.ofSeconds(60),
            "How long one call to a shard may take, retries across a leader change included; then the job restarts.");
    public static final ConfigOption<Duration> FUTURE_TOLERANCE = ConfigOption.of(
            "ingest.write.future-tolerance",
            durationAtLeast(Duration.ZERO),
            Duration.ofHours(1),
            "How far ahead of now a point may be; later ones are dead-lettered. Keep it equal to the storage"
                    + " nodes' `storage.write.future-tolerance`.");

    public static final ConfigOption<Boolean> PREAGGREGATE = ConfigOption.of(
            "ingest.preaggregate.enabled",
            BOOLEAN,
            true,
            "Fold points into exact per-slot partial aggregates before the sink (stream down-sampling): storage"
                    + " receives, logs and replicates one cell per (series, field, base slot) instead of every point."
                    + " Answers are unchanged; a shard whose points do not fold (one per slot) is passed through.");
    public static final ConfigOption<Long> PREAGGREGATE_MAX_CELLS = ConfigOption.of(
            "ingest.preaggregate.max-cells",
            longIn(1, 1L << 32),
            200_000L,
            "Open cells per subtask past which the pre-aggregation emits everything (about 150 bytes each).");
    public static final ConfigOption<Duration> PREAGGREGATE_MAX_DELAY = ConfigOption.of(
            "ingest.preaggregate.max-delay",
            durationAtLeast(Duration.ZERO),
            Duration.ZERO,
            "Longest a point waits in the pre-aggregation when no checkpoint comes (0s: twice"
                    + " `ingest.checkpoint.interval`). Every checkpoint empties it anyway, and points are visible only"
                    + " when their checkpoint completes, so a shorter bound makes nothing visible sooner: it only cuts"
                    + " slots into more cells.");
    public static final ConfigOption<Double> PREAGGREGATE_MIN_FOLD_RATIO = ConfigOption.of(
            "ingest.preaggregate.min-fold-ratio",
            doubleIn(0, 1_000_000),
            1.5,
            "Points per emitted cell below which a shard's batches pass through untouched for 30 checkpoints"
                    + " (0: never).");

    public static final ConfigDef DEF;

    static {
        List<ConfigOption<?>> all = new ArrayList<>(List.of(NODE_IDC));
        all.addAll(MetaConfigKeys.ALL);
        all.addAll(List.of(
                BOOTSTRAP,
                TOPIC,
                DLQ_TOPIC,
                GROUP_ID,
                STARTING_OFFSETS,
                BOUNDED,
                FETCH_MAX_BYTES,
                PARALLELISM,
                CHECKPOINT_INTERVAL,
                CHECKPOINT_DIR,
                SINK_ID,
                SINK_BATCH_POINTS,
                SINK_TIMEOUT,
                FUTURE_TOLERANCE,
                PREAGGREGATE,
                PREAGGREGATE_MAX_CELLS,
                PREAGGREGATE_MAX_DELAY,
                PREAGGREGATE_MIN_FOLD_RATIO));
        DEF = new ConfigDef(all, Set.of("node.", "broker.", "storage.", "master."));
    }

    private IngestConfigKeys() {}
}
