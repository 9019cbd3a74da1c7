package io.meridian.ingest;

import static io.meridian.ingest.IngestConfigKeys.*;

import io.meridian.common.config.Config;
import io.meridian.common.config.ConfigException;
import io.meridian.common.config.ConfigTree;
import io.meridian.common.config.DataSize;
import io.meridian.common.config.MemoryBudget;
import io.meridian.connector.flink.PreAggregateOptions;
import io.meridian.meta.store.MetaConfigKeys;
import io.meridian.meta.store.MetaStoreOptions;
import java.io.Serializable;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * The ingest job's configuration, typed and validated (keys in {@link IngestConfigKeys}). Serializable: the
 * decode step and the sink carry it to the task managers.
 */
public record IngestJobConfig(
        String idc,
        List<String> etcdEndpoints,
        String metaRoot,
        List<String> bootstrapServers,
        String topic,
        String dlqTopic,
        String groupId,
        StartingOffsets startingOffsets,
        boolean bounded,
        long fetchMaxBytes,
        int parallelism,
        Duration checkpointInterval,
        String checkpointDir,
        String sinkId,
        int sinkBatchPoints,
        Duration sinkTimeout,
        Duration futureTolerance,
        boolean preAggregate,
        PreAggregateOptions preAggregateOptions)
        implements Serializable {
    private static final Pattern KAFKA_TOPIC_NAME = Pattern.compile("[a-zA-Z0-9._-]{1,249}");

    public IngestJobConfig {
        etcdEndpoints = List.copyOf(etcdEndpoints);
        bootstrapServers = List.copyOf(bootstrapServers);
        Objects.requireNonNull(idc, "idc");
        Objects.requireNonNull(metaRoot, "metaRoot");
        Objects.requireNonNull(topic, "topic");
        Objects.requireNonNull(dlqTopic, "dlqTopic");
        Objects.requireNonNull(checkpointInterval, "checkpointInterval");
        Objects.requireNonNull(futureTolerance, "futureTolerance");
    }

    /** @throws ConfigException naming the file and the key of the first problem */
    public static IngestJobConfig load(Path file) {
        return from(ConfigTree.load(file));
    }

    public static IngestJobConfig from(ConfigTree tree) {
        Config c = DEF.parse(tree);
        c.requireName(NODE_IDC, "idc");
        MetaStoreOptions meta = MetaConfigKeys.storeOptions(c);
        for (var topicKey : List.of(TOPIC, DLQ_TOPIC)) {
            String t = c.get(topicKey);
            if (!KAFKA_TOPIC_NAME.matcher(t).matches() || t.equals(".") || t.equals("..")) {
                throw c.invalid(
                        topicKey, "want a Kafka topic name: 1..249 of [a-zA-Z0-9._-], not . or ..; got '" + t + "'");
            }
        }
        if (c.get(TOPIC).equals(c.get(DLQ_TOPIC))) {
            throw c.invalid(DLQ_TOPIC, "must differ from " + TOPIC.key() + " (dead letters would be read again)");
        }
        if (c.get(BOOTSTRAP).isEmpty()) {
            throw c.invalid(BOOTSTRAP, "want host:port of at least one Kafka broker");
        }
        if (!c.get(SINK_ID).matches("[A-Za-z0-9_.:-]{1,128}")) {
            throw c.invalid(SINK_ID, "want 1-128 of A-Z a-z 0-9 _ . : -; got '" + c.get(SINK_ID) + "'");
        }
        return new IngestJobConfig(
                c.get(NODE_IDC),
                meta.endpoints(),
                meta.root(),
                c.get(BOOTSTRAP),
                c.get(TOPIC),
                c.get(DLQ_TOPIC),
                c.get(GROUP_ID),
                c.get(STARTING_OFFSETS),
                c.get(BOUNDED),
                c.get(FETCH_MAX_BYTES),
                c.get(PARALLELISM),
                c.get(CHECKPOINT_INTERVAL),
                c.get(CHECKPOINT_DIR),
                c.get(SINK_ID),
                c.get(SINK_BATCH_POINTS),
                c.get(SINK_TIMEOUT),
                c.get(FUTURE_TOLERANCE),
                c.get(PREAGGREGATE),
                PreAggregateOptions.defaults()
                        .withMaxCells(c.get(PREAGGREGATE_MAX_CELLS))
                        .withMinFoldRatio(c.get(PREAGGREGATE_MIN_FOLD_RATIO))
                        // exactly once empties the operator at every checkpoint; by default the delay bound only
                        // matters if checkpoints stall
                        .withMaxDelay(
                                c.get(PREAGGREGATE_MAX_DELAY).isZero()
                                        ? c.get(CHECKPOINT_INTERVAL).multipliedBy(2)
                                        : c.get(PREAGGREGATE_MAX_DELAY)));
    }

    /** How many open pre-aggregation cells fit {@code bytes} of heap (for {@code ingest.preaggregate.max-cells}). */
    public static long preAggregateCellsIn(long bytes) {
        return bytes / PreAggregateOptions.CELL_BYTES;
    }

    /**
     * The heap this job's bounded buffers may take together, per {@code MemoryBudget} share: the Kafka source's
     * fetched records (up to two fetches per subtask, Flink's default element queue) and, when on, the
     * pre-aggregation's open cells. The sink's per-shard batches ({@code ingest.sink.max-batch-points}) are small
     * next to them and depend on the shard count, which is not known at start-up.
     */
    public List<MemoryBudget.Share> memoryShares() {
        List<MemoryBudget.Share> shares = new ArrayList<>();
        shares.add(new MemoryBudget.Share(
                FETCH_MAX_BYTES.key(),
                "records the Kafka source fetched, 2 x " + DataSize.format(fetchMaxBytes) + " x " + parallelism
                        + " subtasks",
                2 * fetchMaxBytes * parallelism));
        if (preAggregate) {
            shares.add(new MemoryBudget.Share(
                    PREAGGREGATE_MAX_CELLS.key(),
                    "open pre-aggregation cells, " + preAggregateOptions.maxCells() + " x "
                            + PreAggregateOptions.CELL_BYTES + " B x " + parallelism + " subtasks",
                    preAggregateOptions.maxCells() * PreAggregateOptions.CELL_BYTES * parallelism));
        }
        return shares;
    }
}
