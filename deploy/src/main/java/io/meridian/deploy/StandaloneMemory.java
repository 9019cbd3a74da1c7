package io.meridian.deploy;

import io.meridian.broker.node.BrokerNodeConfig;
import io.meridian.common.config.MemoryBudget;
import io.meridian.connector.kafka.embedded.EmbeddedKafka;
import io.meridian.ingest.IngestJobConfig;
import io.meridian.storage.node.StorageNodeConfig;
import java.util.ArrayList;
import java.util.List;

/**
 * Standalone's one memory budget: every role shares one heap, so their shares are summed and checked together
 * ({@link MemoryBudget}) before the storage node starts. The storage node's and the broker's shares default to
 * fractions of the heap already; the parts standalone owns are sized here from the heap too: the embedded Kafka
 * broker's request queue, the ingest job's Kafka fetches and its pre-aggregation cells. docs/configuration.md
 * ("Memory") lists each with its size at the default heap.
 *
 * @param heapBytes               the process's heap ({@code Runtime.maxMemory()})
 * @param kafkaQueuedRequestBytes the embedded Kafka broker's {@code queued.max.request.bytes}: a thirty-second of the
 *                                heap, at least {@link EmbeddedKafka#MIN_QUEUED_REQUEST_BYTES}
 * @param ingestFetchMaxBytes     {@code ingest.kafka.fetch-max-bytes}: a sixty-fourth of the heap, at least 1 MiB
 *                                (the source holds two fetches)
 * @param preAggregateMaxCells    {@code ingest.preaggregate.max-cells}: cells that fit a thirty-second of the heap,
 *                                between 10,000 and the job's default of 200,000
 */
record StandaloneMemory(
        long heapBytes, long kafkaQueuedRequestBytes, long ingestFetchMaxBytes, long preAggregateMaxCells) {
    static final String JAVA_OPTS_HINT = "MERIDIAN_STANDALONE_JAVA_OPTS=-Xmx...";

    static StandaloneMemory of(long heapBytes) {
        return new StandaloneMemory(
                heapBytes,
                Math.max(EmbeddedKafka.MIN_QUEUED_REQUEST_BYTES, heapBytes / 32),
                Math.max(1L << 20, heapBytes / 64),
                Math.max(10_000, Math.min(200_000, IngestJobConfig.preAggregateCellsIn(heapBytes / 32))));
    }

    /**
     * Every role's shares; {@code ingest} is null in direct mode (no Kafka, no Flink).
     *
     * @throws io.meridian.common.config.ConfigException naming each share when they do not fit the heap
     */
    void check(StorageNodeConfig storage, BrokerNodeConfig broker, IngestJobConfig ingest) {
        MemoryBudget.check("standalone", heapBytes, shares(storage, broker, ingest), JAVA_OPTS_HINT);
    }

    List<MemoryBudget.Share> shares(StorageNodeConfig storage, BrokerNodeConfig broker, IngestJobConfig ingest) {
        List<MemoryBudget.Share> shares = new ArrayList<>(storage.memoryShares());
        shares.addAll(broker.memoryShares());
        if (ingest != null) {
            shares.add(new MemoryBudget.Share(
                    "queued.max.request.bytes",
                    "requests the embedded Kafka broker holds for its handlers",
                    kafkaQueuedRequestBytes));
            shares.add(new MemoryBudget.Share(
                    "log.cleaner.dedupe.buffer.size",
                    "the embedded Kafka broker's log cleaner offset map",
                    EmbeddedKafka.LOG_CLEANER_DEDUPE_BYTES));
            shares.addAll(ingest.memoryShares());
        }
        return shares;
    }
}
