/**
 * The error taxonomy shared by every module.
 *
 * <pre>
 * MeridianException (unchecked, carries a stable {@link io.meridian.common.error.ErrorCode})
 *   +-- InvalidInputException      4xx, never retried, nothing changed
 *   +-- RetriableException         NotLeader, ShardUnavailable, MetaUnavailable
 *   +-- CorruptDataException       file + offset + reason
 *   +-- FormatVersionException     too old / too new
 *   +-- StorageIoException         an IOException with context
 *   +-- MeridianBugException       broken invariant
 * </pre>
 */
package io.meridian.common.error;
