package io.meridian.storage.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/** Golden record files under {@code golden/records/v1/}: read, or created once with {@code -Dmeridian.golden.create}. */
final class GoldenRecords {
    private GoldenRecords() {}

    /** The golden bytes of {@code name}; when it does not exist yet and creation is asked for, {@code file} becomes it. */
    static byte[] read(String name, Path file) throws IOException {
        try (InputStream in = GoldenRecords.class.getResourceAsStream("/golden/records/v1/" + name)) {
            if (in != null) {
                return in.readAllBytes();
            }
        }
        String create = System.getProperty("meridian.golden.create");
        assertThat(create)
                .as("golden " + name + " missing; create it once with -Dmeridian.golden.create")
                .isNotNull();
        Files.copy(file, Path.of(create, "records", "v1", name));
        return Files.readAllBytes(file);
    }
}
