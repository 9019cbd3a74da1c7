package io.meridian.meta.planner;

import static io.meridian.meta.planner.Views.db;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meridian.common.error.ErrorCode;
import io.meridian.common.error.InvalidInputException;
import io.meridian.common.model.IntervalSpec;
import io.meridian.meta.model.DatabaseConfig;
import io.meridian.meta.model.StorageCluster;
import io.meridian.meta.model.WriteConcern;
import java.time.Duration;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class DdlPlannerTest {
    private final DdlPlanner ddl = new DdlPlanner(new ShardPlanner(new PlannerOptions(Duration.ZERO)));

    /** A cluster c1 with two live nodes and an existing database "taken". */
    private ClusterView base() {
        ClusterView v = Views.withNodes("n1", "n2");
        return v.apply(ddl.createDatabase(v, db("taken", 2, 2, "c1")));
    }

    static DatabaseConfig config(String name, int shards, int replicas, String interval, String retention) {
        return new DatabaseConfig(
                name,
                shards,
                replicas,
                WriteConcern.LEADER,
                List.of(IntervalSpec.parse(interval, retention)),
                List.of("c1"));
    }

    static Stream<Arguments> badDdl() {
        return Stream.<Arguments>of(
                Arguments.of(
                        "invalid name",
                        (Function<DdlPlanner, Function<ClusterView, ?>>)
                                d -> v -> d.createDatabase(v, config("9lives", 1, 1, "10s", "1d")),
                        ErrorCode.INVALID_NAME,
                        "invalid database name [database=9lives]"),
                Arguments.of(
                        "zero shards",
                        (Function<DdlPlanner, Function<ClusterView, ?>>)
                                d -> v -> d.createDatabase(v, config("m", 0, 1, "10s", "1d")),
                        ErrorCode.INVALID_INPUT,
                        "invalid shard count [database=m]: got 0; want > 0"),
                Arguments.of(
                        "replicas above live nodes",
                        (Function<DdlPlanner, Function<ClusterView, ?>>)
                                d -> v -> d.createDatabase(v, config("m", 1, 3, "10s", "1d")),
                        ErrorCode.INVALID_INPUT,
                        "not enough live storage nodes [database=m, cluster=c1]: got 2; want at least 3"),
                Arguments.of(
                        "bad interval string",
                        (Function<DdlPlanner, Function<ClusterView, ?>>)
                                d -> v -> d.createDatabase(v, config("m", 1, 1, "10 sec", "1d")),
                        ErrorCode.INVALID_INPUT,
                        "invalid interval [interval=10 sec]"),
                Arguments.of(
                        "sub-second interval",
                        (Function<DdlPlanner, Function<ClusterView, ?>>)
                                d -> v -> d.createDatabase(v, config("m", 1, 1, "500ms", "1d")),
                        ErrorCode.INVALID_INPUT,
                        "invalid interval [interval=500ms]: want whole seconds"),
                Arguments.of(
                        "retention shorter than interval",
                        (Function<DdlPlanner, Function<ClusterView, ?>>)
                                d -> v -> d.createDatabase(v, config("m", 1, 1, "1h", "30m")),
                        ErrorCode.INVALID_INPUT,
                        "retention is shorter than the interval"),
                Arguments.of(
                        "existing name",
                        (Function<DdlPlanner, Function<ClusterView, ?>>)
                                d -> v -> d.createDatabase(v, config("taken", 1, 1, "10s", "1d")),
                        ErrorCode.ALREADY_EXISTS,
                        "database already exists [database=taken]"),
                Arguments.of(
                        "unknown cluster",
                        (Function<DdlPlanner, Function<ClusterView, ?>>) d -> v -> d.createDatabase(
                                v,
                                new DatabaseConfig(
                                        "m",
                                        1,
                                        1,
                                        WriteConcern.ALL,
                                        List.of(IntervalSpec.parse("10s", "1d")),
                                        List.of("nowhere"))),
                        ErrorCode.NOT_FOUND,
                        "cluster does not exist [cluster=nowhere]"),
                Arguments.of(
                        "shard count change",
                        (Function<DdlPlanner, Function<ClusterView, ?>>)
                                d -> v -> d.alterDatabase(v, config("taken", 4, 2, "10s", "1d")),
                        ErrorCode.INVALID_INPUT,
                        "cannot change the shard count [database=taken]: got 4; want 2"),
                Arguments.of(
                        "rollup not a multiple",
                        (Function<DdlPlanner, Function<ClusterView, ?>>) d -> v -> d.createDatabase(
                                v,
                                new DatabaseConfig(
                                        "m",
                                        1,
                                        1,
                                        WriteConcern.ALL,
                                        List.of(IntervalSpec.parse("10s", "1d"), IntervalSpec.parse("15s", "2d")),
                                        List.of("c1"))),
                        ErrorCode.INVALID_INPUT,
                        "invalid rollup interval"),
                Arguments.of(
                        "rollup kept shorter than the base (storage could never serve it)",
                        (Function<DdlPlanner, Function<ClusterView, ?>>) d -> v -> d.createDatabase(
                                v,
                                new DatabaseConfig(
                                        "m",
                                        1,
                                        1,
                                        WriteConcern.ALL,
                                        List.of(IntervalSpec.parse("10s", "30d"), IntervalSpec.parse("5m", "2w")),
                                        List.of("c1"))),
                        ErrorCode.INVALID_INPUT,
                        "invalid rollup retention [database=m, interval=5m:14d, previous=10s:30d]"),
                Arguments.of(
                        "drop missing database",
                        (Function<DdlPlanner, Function<ClusterView, ?>>) d -> v -> d.dropDatabase(v, "ghost"),
                        ErrorCode.NOT_FOUND,
                        "database does not exist"),
                Arguments.of(
                        "drop cluster in use",
                        (Function<DdlPlanner, Function<ClusterView, ?>>) d -> v -> d.dropCluster(v, "c1"),
                        ErrorCode.INVALID_INPUT,
                        "databases still use it"),
                Arguments.of(
                        "create existing cluster",
                        (Function<DdlPlanner, Function<ClusterView, ?>>)
                                d -> v -> d.createCluster(v, new StorageCluster("c1", "idc1")),
                        ErrorCode.ALREADY_EXISTS,
                        "cluster already exists"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badDdl")
    void badDdlIsRejectedWithAClearError(
            String name, Function<DdlPlanner, Function<ClusterView, ?>> statement, ErrorCode code, String message) {
        ClusterView before = base();
        assertThatThrownBy(() -> statement.apply(ddl).apply(before))
                .isInstanceOfSatisfying(
                        InvalidInputException.class, e -> assertThat(e.code()).isEqualTo(code))
                .hasMessageContaining(message);
        assertThat(base()).as("a pure planner leaves its input alone").isEqualTo(before);
    }

    @Test
    void createReturnsConfigAndPlacementTogether() {
        ClusterView v = base();
        List<MetaChange> changes = ddl.createDatabase(v, config("fresh", 3, 1, "10s", "7d"));
        assertThat(changes.get(0))
                .as("a new incarnation: the view's clock")
                .isEqualTo(new MetaChange.PutDatabase(config("fresh", 3, 1, "10s", "7d")
                        .withGeneration(v.now().toEpochMilli())));
        assertThat(changes).hasSize(4);
        assertThat(changes.subList(1, 4)).allMatch(c -> c instanceof MetaChange.PutShard);
    }

    @Test
    void alterKeepsTheIncarnationAndDropThenCreateMakesANewOne() {
        ClusterView v = base();
        v = v.apply(ddl.createDatabase(v, config("fresh", 3, 1, "10s", "7d")));
        long first = v.databases().get("fresh").generation();
        assertThat(first).isPositive();
        v = v.apply(ddl.alterDatabase(v, config("fresh", 3, 1, "10s", "30d")));
        assertThat(v.databases().get("fresh").generation()).isEqualTo(first);
        v = v.apply(ddl.dropDatabase(v, "fresh")).withNow(v.now().plusSeconds(1));
        v = v.apply(ddl.createDatabase(v, config("fresh", 3, 1, "10s", "7d")));
        assertThat(v.databases().get("fresh").generation()).isGreaterThan(first);
    }
}
