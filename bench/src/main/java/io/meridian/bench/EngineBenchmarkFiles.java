package io.meridian.bench;

import io.meridian.common.io.FileTrees;
import java.io.IOException;
import java.nio.file.Path;

/** Removes a benchmark's temporary data directory. */
public final class EngineBenchmarkFiles {
    private EngineBenchmarkFiles() {}

    public static void delete(Path dir) throws IOException {
        FileTrees.delete(dir);
    }
}
