package io.meridian.storage.server;

import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/** A fresh {@link StorageServerFixture} (server, registry, client stub) in a temp directory for every test. */
abstract class ServerTestBase {
    @TempDir
    Path dir;

    StorageServerFixture fx;

    @BeforeEach
    void startServer() {
        fx = new StorageServerFixture(dir);
    }

    @AfterEach
    void stopServer() throws InterruptedException {
        fx.close();
    }
}
