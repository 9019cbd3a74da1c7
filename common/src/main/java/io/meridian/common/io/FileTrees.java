package io.meridian.common.io;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/** Whole directory trees on the local file system. */
public final class FileTrees {
    private FileTrees() {}

    /**
     * Deletes {@code dir} and everything below it, deepest first; nothing happens when it does not exist.
     *
     * @throws IOException naming the first path that could not be deleted
     */
    public static void delete(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        List<Path> paths;
        try (Stream<Path> s = Files.walk(dir)) {
            paths = s.sorted(Comparator.reverseOrder()).toList();
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
        for (Path p : paths) {
            Files.deleteIfExists(p);
        }
    }

    /** Bytes of the regular files in {@code dir} and below it (0 when it does not exist). */
    public static long size(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return 0;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            long total = 0;
            for (Path p : (Iterable<Path>) s::iterator) {
                if (Files.isRegularFile(p)) {
                    total += Files.size(p);
                }
            }
            return total;
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }
}
