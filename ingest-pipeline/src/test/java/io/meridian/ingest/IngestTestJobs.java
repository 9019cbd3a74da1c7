package io.meridian.ingest;

import io.meridian.common.config.ConfigTree;
import io.meridian.connector.kafka.embedded.EmbeddedKafka;
import io.meridian.storage.testing.LocalStorageCluster;
import java.time.Duration;

/** The ingest job as the tests run it: bounded, two subtasks, against a test cluster and an embedded Kafka. */
final class IngestTestJobs {
    private IngestTestJobs() {}

    /**
     * A bounded job reading {@code topic} (dead letters to {@code topic.dlq}) from {@code kafka} into {@code c}.
     */
    static IngestJobConfig config(
            LocalStorageCluster c, EmbeddedKafka kafka, String topic, Duration checkpoint, int batchPoints) {
        return IngestJobConfig.from(ConfigTree.parse("test", """
                node.idc: idc1
                meta: {etcd.endpoints: %s, root: %s}
                ingest: {kafka: {bootstrap-servers: %s, topic: %s, dlq-topic: %s.dlq, bounded: true},
                         parallelism: 2, checkpoint.interval: %dms, sink.max-batch-points: %d}
                """.formatted(
                        c.etcdEndpoint(),
                        c.root(),
                        kafka.bootstrapServers(),
                        topic,
                        topic,
                        checkpoint.toMillis(),
                        batchPoints)));
    }
}
