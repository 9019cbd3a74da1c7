/**
 * Parts, the immutable files a flush writes, and the set of them a shard serves. The format:
 * {@link io.meridian.storage.part.SlotColumns} (per-slot partial aggregates of one series' field),
 * {@link io.meridian.storage.part.BlockCodec}, part writer/reader and the decoded block cache (FORMAT.md in this
 * package). The set: {@link io.meridian.storage.part.PartStore} publishes {@link io.meridian.storage.part.PartSet}s,
 * records every change in the {@link io.meridian.storage.part.Manifest} (with the WAL checkpoint and the writers
 * table), merges small parts ({@link io.meridian.storage.part.Compactor}), drops expired segments, quarantines files
 * it cannot explain and pins files for snapshots ({@link io.meridian.storage.part.PinnedSnapshot}).
 *
 * <pre>
 * memtable points --(Flusher)--> SlotColumns per (series, field, segment, interval) --BlockCodec--> part
 * part --PartReader.readBlock--> SlotColumns --(BlockCache)--> LeafAggregator
 * </pre>
 */
package io.meridian.storage.part;
