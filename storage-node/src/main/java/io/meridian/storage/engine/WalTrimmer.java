package io.meridian.storage.engine;

import io.meridian.common.error.StorageIoException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deletes WAL segments that the MANIFEST's checkpoint says are already in parts, before the WAL is
 * replayed (a crash between the MANIFEST edit and the WAL deletion leaves such segments behind).
 */
final class WalTrimmer {
    private static final Logger LOG = LoggerFactory.getLogger(WalTrimmer.class);
    private final Path walDir;

    WalTrimmer(Path walDir) {
        this.walDir = walDir;
    }

    void deleteBefore(long checkpoint) {
        if (checkpoint <= 0 || !Files.isDirectory(walDir)) {
            return;
        }
        try (Stream<Path> s = Files.list(walDir)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                String n = p.getFileName().toString();
                if (n.endsWith(".wal") && Long.parseLong(n.substring(0, n.length() - 4)) < checkpoint) {
                    LOG.info("deleting WAL segment already covered by parts [file={}, checkpoint={}]", p, checkpoint);
                    Files.delete(p);
                }
            }
        } catch (IOException e) {
            throw new StorageIoException("cannot trim WAL [dir=" + walDir + "]", e);
        }
    }
}
