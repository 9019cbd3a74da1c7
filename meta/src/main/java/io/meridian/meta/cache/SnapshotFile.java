package io.meridian.meta.cache;

import io.meridian.common.error.StorageIoException;
import io.meridian.meta.model.ModelCodec;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Optional;

/**
 * The on-disk copy of a {@link MetaSnapshot}: one JSON document (ModelCodec, with its {@code "v"} version),
 * written to a temp file, fsynced and renamed over the old one, so a crash leaves either the old or the new
 * snapshot, never a torn one.
 */
public final class SnapshotFile {
    /** File name inside a node's metadata directory. */
    public static final String FILE_NAME = "meta-snapshot.json";

    private static final String TEMP_SUFFIX = ".tmp";

    private final Path file;

    public SnapshotFile(Path dir) {
        this.file = dir.resolve(FILE_NAME);
    }

    public Path path() {
        return file;
    }

    public void write(MetaSnapshot snapshot) {
        Path tmp = file.resolveSibling(FILE_NAME + TEMP_SUFFIX);
        try {
            Files.createDirectories(file.getParent());
            try (var ch = FileChannel.open(
                    tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                ch.write(ByteBuffer.wrap(ModelCodec.encode(snapshot)));
                ch.force(true);
            }
            try {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            throw new StorageIoException(
                    "cannot write meta snapshot [file=" + file + ", revision=" + snapshot.revision() + "]", e);
        }
    }

    /** The last written snapshot, or empty if there is none. */
    public Optional<MetaSnapshot> read() {
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        try {
            return Optional.of(ModelCodec.decode(Files.readAllBytes(file), MetaSnapshot.class, file.toString()));
        } catch (IOException e) {
            throw new StorageIoException("cannot read meta snapshot [file=" + file + "]", e);
        }
    }
}
