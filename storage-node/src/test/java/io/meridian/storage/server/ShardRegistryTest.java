package io.meridian.storage.server;

import static io.meridian.storage.server.StorageServerFixture.T0;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meridian.common.error.ErrorCode;
import io.meridian.common.error.InvalidInputException;
import io.meridian.common.error.NotLeaderException;
import io.meridian.common.error.ShardUnavailableException;
import io.meridian.common.model.SeriesKey;
import io.meridian.storage.engine.Shard;
import io.meridian.storage.engine.ShardMaintenance;
import io.meridian.storage.file.FileIo;
import io.meridian.storage.index.TagPredicate;
import io.meridian.storage.query.LeafQuery;
import io.meridian.storage.shard.WriteBatch;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Opening, closing and re-opening replicas as a meta watcher will, and epochs that only move forward. */
class ShardRegistryTest {
    @TempDir
    Path dir;

    final ShardMaintenance maintenance = new ShardMaintenance(Duration.ofHours(1), Duration.ofHours(1));
    final ShardKey key = new ShardKey("db", 1);

    @AfterEach
    void stop() {
        maintenance.close();
    }

    @Test
    void replicasLiveUnderDatabaseAndShardAndSurviveCloseAndReopen() {
        try (ShardRegistry registry = new ShardRegistry(dir, maintenance)) {
            ShardReplica r = registry.open(key, StorageServerFixture.options(), 1);
            assertThat(r.shard().directory()).isEqualTo(dir.resolve("db").resolve("shard-1"));
            assertThat(registry.open(key, StorageServerFixture.options(), 1).shard())
                    .as("idempotent")
                    .isSameAs(r.shard());
            r.shard()
                    .write(WriteBatch.builder()
                            .point(SeriesKey.of("cpu", "host", "a"), T0, "usage", 1)
                            .build());

            assertThat(registry.close(key)).isTrue();
            assertThat(registry.close(key)).as("idempotent").isFalse();
            assertThat(r.shard().isClosed()).isTrue();
            assertThatThrownBy(() -> r.shard()
                            .query(new LeafQuery(
                                    "cpu", TagPredicate.all(), T0, T0 + 1, 0, List.of(), List.of("usage"))))
                    .isInstanceOf(ShardUnavailableException.class);
            assertThatThrownBy(() -> registry.replica(key))
                    .isInstanceOfSatisfying(
                            NotLeaderException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.NOT_LEADER));

            Shard reopened =
                    registry.open(key, StorageServerFixture.options(), 2).shard();
            assertThat(reopened.metrics()).as("recovered from the WAL").containsExactly("cpu");
        }
        assertThat(Files.isDirectory(dir.resolve("db/shard-1"))).isTrue();
    }

    @Test
    void epochsOnlyMoveForward() {
        try (ShardRegistry registry = new ShardRegistry(dir, maintenance)) {
            registry.open(key, StorageServerFixture.options(), 4);
            assertThat(registry.open(key, StorageServerFixture.options(), 6).epoch())
                    .isEqualTo(6);
            assertThat(registry.open(key, StorageServerFixture.options(), 5).epoch())
                    .as("lower epoch ignored")
                    .isEqualTo(6);
            assertThat(registry.setEpoch(key, 9).epoch()).isEqualTo(9);
            assertThatThrownBy(() -> registry.setEpoch(key, 8))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("[database=db, shard=1]");
            assertThat(registry.replica(key).epoch()).isEqualTo(9);
        }
    }

    @Test
    void optionsMustFitTheKey() {
        try (ShardRegistry registry = new ShardRegistry(dir, maintenance)) {
            assertThatThrownBy(() -> registry.open(new ShardKey("other", 0), StorageServerFixture.options(), 1))
                    .isInstanceOf(InvalidInputException.class)
                    .hasMessageContaining("another database");
            assertThatThrownBy(() -> registry.open(new ShardKey("db", 2), StorageServerFixture.options(), 1))
                    .isInstanceOf(InvalidInputException.class)
                    .hasMessageContaining("out of range")
                    .hasMessageContaining("want 0..1");
            assertThat(registry.replicas()).isEmpty();
        }
    }

    @Test
    void aDatabaseCreatedAgainUnderTheSameNameStartsEmpty() {
        FileIo io = FileIo.NIO;
        try (ShardRegistry registry = new ShardRegistry(dir, maintenance)) {
            assertThat(registry.claim("db", 0, io))
                    .as("generation 0 claims nothing")
                    .isFalse();
            assertThat(registry.claim("db", 100, io)).as("a fresh directory").isFalse();
            registry.open(key, StorageServerFixture.options(), 1)
                    .shard()
                    .write(WriteBatch.builder()
                            .point(SeriesKey.of("cpu", "host", "a"), T0, "usage", 1)
                            .build());
            assertThat(registry.claim("db", 100, io))
                    .as("the same incarnation keeps its data")
                    .isFalse();
            assertThat(registry.replica(key).shard().metrics()).containsExactly("cpu");

            // dropped, then created again: the node sees the new incarnation while the old replica is still open
            assertThat(registry.claim("db", 200, io)).isTrue();
            assertThat(registry.replicas())
                    .as("the old incarnation's replicas are closed")
                    .isEmpty();
            Shard fresh = registry.open(key, StorageServerFixture.options(), 1).shard();
            assertThat(fresh.metrics()).as("empty").isEmpty();
            fresh.write(WriteBatch.builder()
                    .point(SeriesKey.of("mem", "host", "a"), T0, "used", 1)
                    .build());
            assertThat(fresh.metrics()).containsExactly("mem");
        }
    }

    @Test
    void shardDirectoriesFromBeforeGenerationsBelongToAnEarlierIncarnation() {
        try (ShardRegistry registry = new ShardRegistry(dir, maintenance)) {
            registry.open(key, StorageServerFixture.options(), 1)
                    .shard()
                    .write(WriteBatch.builder()
                            .point(SeriesKey.of("cpu", "host", "a"), T0, "usage", 1)
                            .build());
            registry.close(key);
            assertThat(registry.claim("db", 300, FileIo.NIO)).isTrue();
            assertThat(registry.open(key, StorageServerFixture.options(), 1)
                            .shard()
                            .metrics())
                    .isEmpty();
        }
    }

    @Test
    void aDroppedDatabasesFilesGoOnlyWhenTheyAreThatIncarnationsAndNothingHasThemOpen() throws Exception {
        try (ShardRegistry registry = new ShardRegistry(dir, maintenance)) {
            assertThat(registry.retire("db", 100)).as("nothing there").isFalse();
            registry.claim("db", 100, FileIo.NIO);
            registry.open(key, StorageServerFixture.options(), 1)
                    .shard()
                    .write(WriteBatch.builder()
                            .point(SeriesKey.of("cpu", "host", "a"), T0, "usage", 1)
                            .build());
            assertThat(registry.retire("db", 100)).as("a replica is still open").isFalse();
            registry.close(key);
            assertThat(registry.retire("db", 0)).as("an unknown incarnation").isFalse();
            assertThat(registry.retire("db", 99)).as("another incarnation").isFalse();
            assertThat(Files.isDirectory(dir.resolve("db/shard-1"))).isTrue();

            assertThat(registry.retire("db", 100)).isTrue();
            assertThat(dir.resolve("db")).doesNotExist();
            try (var left = Files.list(dir)) {
                assertThat(left.map(p -> p.getFileName().toString()))
                        .noneMatch(n -> n.startsWith("db") || n.startsWith(ShardRegistry.DROPPED_PREFIX));
            }
        }
    }

    @Test
    void aDeletionThatACrashInterruptedIsFinishedAtTheNextStart() throws Exception {
        Path halfDone = dir.resolve(ShardRegistry.DROPPED_PREFIX + "db.100").resolve("shard-0");
        Files.createDirectories(halfDone);
        Files.writeString(halfDone.resolve("MANIFEST"), "x");
        Files.createDirectories(dir.resolve("other/shard-0"));
        try (ShardRegistry registry = new ShardRegistry(dir, maintenance)) {
            assertThat(dir.resolve(ShardRegistry.DROPPED_PREFIX + "db.100")).doesNotExist();
            assertThat(dir.resolve("other/shard-0"))
                    .as("live databases are left alone")
                    .isDirectory();
        }
    }
}
