package io.meridian.broker.write;

/** Where the broker sends validated writes ({@code broker.write.mode}). */
public enum WriteMode {
    /** Straight to the shard leaders ({@link ShardWriter}); for small setups and tests (ARCHITECTURE §3). */
    DIRECT,
    /** To the ingest topic as {@code pb1} records ({@link KafkaShardWriter}); the ingest job applies them. */
    KAFKA
}
