package io.meridian.storage.node;

import io.meridian.storage.file.DiskSpace;
import io.meridian.storage.memtable.NodeMemory;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;

/**
 * The node-wide meters of a storage node (the shards' own are {@code ShardMetrics}, replication's
 * {@code ReplicationMetrics}): the data directory's free space against its watermark and the writes refused there,
 * the memtable bytes of all shards against their bound, and (in a process of its own) the JVM's.
 */
final class NodeMeters {
    private NodeMeters() {}

    static void bindDisk(MeterRegistry registry, DiskSpace disk) {
        Gauge.builder("meridian.storage.disk.free.bytes", disk, DiskSpace::freeBytes)
                .baseUnit("bytes")
                .description("free bytes of the data directory's file system")
                .strongReference(true)
                .register(registry);
        Gauge.builder("meridian.storage.disk.watermark.bytes", disk, DiskSpace::watermarkBytes)
                .baseUnit("bytes")
                .description("free space below which writes are refused (storage.disk.min-free-percent / floor)")
                .strongReference(true)
                .register(registry);
        FunctionCounter.builder("meridian.storage.disk.refused.writes", disk, DiskSpace::refusedWrites)
                .description("writes refused with 507 because the data directory was at its free-space watermark")
                .register(registry);
    }

    static void bindMemory(MeterRegistry registry, NodeMemory memory) {
        Gauge.builder("meridian.storage.memtable.node.bytes", memory, NodeMemory::memtableBytes)
                .baseUnit("bytes")
                .description("memtable bytes of all shards of the node")
                .strongReference(true)
                .register(registry);
        Gauge.builder("meridian.storage.staged.node.bytes", memory, NodeMemory::stagedBytes)
                .baseUnit("bytes")
                .description(
                        "bytes of points exactly-once writers staged and have not committed, all shards of the node")
                .strongReference(true)
                .register(registry);
        Gauge.builder("meridian.storage.memtable.node.limit.bytes", memory, NodeMemory::memtableLimit)
                .baseUnit("bytes")
                .description("bound of the memtable and staged bytes of all shards (storage.memtable.node-limit)")
                .strongReference(true)
                .register(registry);
    }

    /** The JVM's meters; returns what must be closed with the node (the GC listener). */
    static AutoCloseable bindJvm(MeterRegistry registry) {
        new ClassLoaderMetrics().bindTo(registry);
        new JvmMemoryMetrics().bindTo(registry);
        JvmGcMetrics gc = new JvmGcMetrics();
        gc.bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        return gc;
    }
}
