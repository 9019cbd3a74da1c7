package io.meridian.storage.file;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.OpenOption;
import java.nio.file.Path;

/**
 * The seam through which the storage engine changes files: every write, fsync, rename, delete and directory
 * creation of a shard (WAL segments, parts, MANIFEST, series dictionary, field schema, received snapshots) goes
 * through one of these calls, so that tests can make any of them fail ({@code FaultyFileIo} in the tests) the way
 * a full or failing disk does. Production uses {@link #NIO}. Reads of immutable files (parts) do not go through
 * it.
 *
 * <p>The durable variants ({@link #moveDurably}, {@link #createDirectoriesDurably}, {@link #deleteDurably}) fsync
 * the directories whose entries changed: on Linux a rename, a create or an unlink is lost on power failure until
 * its directory is fsynced, however well the file's own bytes were.
 */
public interface FileIo {
    /** Plain NIO: what production runs. */
    FileIo NIO = new NioFileIo();

    /** Opens a file channel; writes, fsyncs and truncates through the channel are part of the seam. */
    FileChannel open(Path file, OpenOption... options) throws IOException;

    /** Creates a directory and its missing parents (no fsync; see {@link #createDirectoriesDurably}). */
    void createDirectories(Path dir) throws IOException;

    /** Renames atomically, replacing the target (no fsync; see {@link #moveDurably}). */
    void move(Path from, Path to) throws IOException;

    /** Deletes a file or an empty directory when it exists (no fsync; see {@link #deleteDurably}). */
    void delete(Path path) throws IOException;

    /** Fsyncs a directory, making the creates, renames and deletes of its entries durable. */
    void syncDirectory(Path dir) throws IOException;

    /** Creates {@code dir} and its missing parents, fsyncing the parent of every directory it created. */
    default void createDirectoriesDurably(Path dir) throws IOException {
        Path existing = dir.toAbsolutePath();
        while (existing != null && !Files.isDirectory(existing)) {
            existing = existing.getParent();
        }
        createDirectories(dir);
        Path created = dir.toAbsolutePath();
        while (created != null && existing != null && !created.equals(existing)) {
            syncDirectory(created.getParent());
            created = created.getParent();
        }
    }

    /** Renames atomically and fsyncs the target's directory (and the source's when it differs). */
    default void moveDurably(Path from, Path to) throws IOException {
        move(from, to);
        Path toDir = to.toAbsolutePath().getParent();
        syncDirectory(toDir);
        Path fromDir = from.toAbsolutePath().getParent();
        if (!fromDir.equals(toDir)) {
            syncDirectory(fromDir);
        }
    }

    /** Deletes when it exists and fsyncs the parent directory. */
    default void deleteDurably(Path path) throws IOException {
        delete(path);
        syncDirectory(path.toAbsolutePath().getParent());
    }
}
