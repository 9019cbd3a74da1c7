/**
 * Configuration files shared by every role (API.md: one file format for all roles): a YAML file is read
 * into a flat map of dotted keys, and each component declares the keys it understands as typed
 * {@link io.meridian.common.config.ConfigOption}s with defaults and docs (Kafka {@code ConfigDef}, Flink
 * {@code ConfigOptions}). Unknown keys and bad values fail at start-up, naming the key and the file.
 *
 * <pre>
 *   conf/storage.yaml --ConfigFile.load--> ConfigTree {"storage.memtable.size" -> "256MiB", ...}
 *                     --ConfigDef.parse--> Config   (typed values; defaults filled; unknown keys rejected)
 *                     --role code-------> typed records (e.g. StorageNodeConfig)
 * </pre>
 *
 * <p>Nested maps and dotted keys mean the same: {@code storage: {memtable: {size: 64MiB}}} and
 * {@code storage.memtable.size: 64MiB} both set {@code storage.memtable.size}. Sizes are written
 * {@code 512KiB}, {@code 64MiB}, {@code 1GiB} (or a plain number of bytes); durations {@code 500ms},
 * {@code 10s}, {@code 5m}, {@code 1h}, {@code 1d}.
 */
package io.meridian.common.config;
