package io.meridian.connector.flink.table;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meridian.common.model.AggState;
import io.meridian.common.model.IntervalSpec;
import io.meridian.meta.etcd.EtcdExtension;
import io.meridian.meta.etcd.EtcdProcess;
import io.meridian.meta.model.DatabaseConfig;
import io.meridian.meta.model.WriteConcern;
import io.meridian.storage.testing.LocalStorageCluster;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.table.api.bridge.java.StreamTableEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Flink SQL into Meridian: {@code CREATE TABLE ... WITH ('connector' = 'meridian')} and {@code INSERT INTO} through
 * the planner on a MiniCluster, against etcd, the master and a storage node; and schemas the connector cannot map
 * refused at planning with the table and the column named.
 */
@ExtendWith(EtcdExtension.class)
class MeridianTableIT {
    private static final long HOUR = 3_600_000L;
    private static final long T0 = (System.currentTimeMillis() / HOUR - 1) * HOUR;

    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1)
            .setNumberSlotsPerTaskManager(2)
            .build());

    @TempDir
    Path dir;

    private static String ts(long ms) {
        return DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSS")
                .withZone(ZoneOffset.UTC)
                .format(Instant.ofEpochMilli(ms));
    }

    private static StreamTableEnvironment tables() {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(1);
        env.enableCheckpointing(200);
        StreamTableEnvironment t = StreamTableEnvironment.create(env);
        t.getConfig().set("table.local-time-zone", "UTC");
        return t;
    }

    private static String with(LocalStorageCluster c) {
        return "'connector' = 'meridian', 'etcd.endpoints' = '" + c.etcdEndpoint() + "', 'meta.root' = '" + c.root()
                + "', 'idc' = 'idc1', 'database' = 'web'";
    }

    @Test
    void insertIntoAMeridianTableWritesEveryRowExactlyOnce(EtcdProcess etcd) throws Exception {
        try (LocalStorageCluster c = new LocalStorageCluster(
                etcd,
                dir,
                "/table-sql",
                1,
                new DatabaseConfig(
                        "web", 2, 1, WriteConcern.LEADER, List.of(IntervalSpec.parse("10s", "30d")), List.of("c1")))) {
            StreamTableEnvironment t = tables();
            t.executeSql("CREATE TABLE http (ts TIMESTAMP(3), host STRING, dc STRING, latency DOUBLE, requests BIGINT)"
                    + " WITH (" + with(c) + ")");
            StringBuilder rows = new StringBuilder();
            for (int i = 0; i < 200; i++) {
                rows.append(i == 0 ? "" : ", ")
                        .append("(TIMESTAMP '")
                        .append(ts(T0 + i * 1000L))
                        .append("', 'h")
                        .append(i % 4)
                        .append("', ")
                        .append(i % 3 == 0 ? "CAST(NULL AS STRING)" : "'eu'")
                        .append(", ")
                        .append(i * 0.5)
                        .append(", ")
                        .append(i % 7 == 0 ? "CAST(NULL AS BIGINT)" : Integer.toString(i))
                        .append(')');
            }
            t.executeSql("INSERT INTO http VALUES " + rows).await();

            AggState latency = c.total("web", 2, "http", "latency", T0, T0 + HOUR);
            AggState requests = c.total("web", 2, "http", "requests", T0, T0 + HOUR);
            assertThat(latency.count()).isEqualTo(200);
            assertThat(latency.sum()).isEqualTo(0.5 * 199 * 200 / 2);
            long n = 0;
            long sum = 0;
            for (int i = 0; i < 200; i++) {
                if (i % 7 != 0) {
                    n++;
                    sum += i;
                }
            }
            assertThat(requests.count()).as("NULL fields are left out").isEqualTo(n);
            assertThat(requests.sum()).isEqualTo((double) sum);
        }
    }

    @Test
    void schemasTheConnectorCannotMapAreRefusedNamingTheColumn(EtcdProcess etcd) {
        try (LocalStorageCluster c = new LocalStorageCluster(
                etcd,
                dir,
                "/table-bad",
                1,
                new DatabaseConfig(
                        "web", 1, 1, WriteConcern.LEADER, List.of(IntervalSpec.parse("10s", "30d")), List.of("c1")))) {
            StreamTableEnvironment t = tables();
            t.executeSql("CREATE TABLE notime (host STRING, v DOUBLE) WITH (" + with(c) + ")");
            assertThatThrownBy(() -> t.executeSql("INSERT INTO notime VALUES ('a', 1.0)"))
                    .hasStackTraceContaining("meridian table notime: no time column");
            t.executeSql("CREATE TABLE nofield (ts TIMESTAMP(3), host STRING) WITH (" + with(c) + ")");
            assertThatThrownBy(() -> t.executeSql("INSERT INTO nofield VALUES (TIMESTAMP '" + ts(T0) + "', 'a')"))
                    .hasStackTraceContaining("meridian table nofield: no field column");
            t.executeSql("CREATE TABLE oddcol (ts TIMESTAMP(3), ok BOOLEAN, v DOUBLE) WITH (" + with(c) + ")");
            assertThatThrownBy(() -> t.executeSql("INSERT INTO oddcol VALUES (TIMESTAMP '" + ts(T0) + "', TRUE, 1.0)"))
                    .hasStackTraceContaining("column ok is BOOLEAN");
            t.executeSql("CREATE TABLE nodb (ts TIMESTAMP(3), v DOUBLE) WITH ('connector' = 'meridian', "
                    + "'etcd.endpoints' = 'http://127.0.0.1:1')");
            assertThatThrownBy(() -> t.executeSql("INSERT INTO nodb VALUES (TIMESTAMP '" + ts(T0) + "', 1.0)"))
                    .hasStackTraceContaining("database");
        }
    }
}
