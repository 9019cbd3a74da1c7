/**
 * The columnar part format: {@link io.meridian.storage.block.SlotColumns} (per-slot partial aggregates of
 * one series' field), {@link io.meridian.storage.block.BlockCodec}, part writer/reader and the decoded
 * block cache. Format: FORMAT.md in this package.
 *
 * <pre>
 * memtable points --(Flusher)--> SlotColumns per (series, field, segment, interval) --BlockCodec--> part
 * part --PartReader.readBlock--> SlotColumns --(BlockCache)--> LeafAggregator
 * </pre>
 */
package io.meridian.storage.block;
