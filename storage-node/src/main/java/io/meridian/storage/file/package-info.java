/**
 * The file I/O seam of the storage engine ({@link io.meridian.storage.file.FileIo}): every write, fsync, rename and
 * delete of a shard's files goes through it, so that tests inject disk faults at any call.
 */
package io.meridian.storage.file;
