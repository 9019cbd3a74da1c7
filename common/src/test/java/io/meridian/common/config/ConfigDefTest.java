package io.meridian.common.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meridian.common.model.Durations;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ConfigDefTest {
    enum Mode {
        ALWAYS,
        NEVER
    }

    static final ConfigOption<String> ID = ConfigOption.required("node.id", ConfigTypes.STRING, "node id");
    static final ConfigOption<Long> SIZE =
            ConfigOption.of("storage.memtable.size", ConfigTypes.sizeAtLeast(1), 256L << 20, "memtable");
    static final ConfigOption<Duration> TTL = ConfigOption.of(
            "meta.lease-ttl", ConfigTypes.durationAtLeast(Duration.ofSeconds(1)), Duration.ofSeconds(10), "lease");
    static final ConfigOption<Integer> PORT =
            ConfigOption.of("storage.server.port", ConfigTypes.intIn(0, 65535), 8620, "port");
    static final ConfigOption<Mode> MODE =
            ConfigOption.of("storage.wal.fsync", ConfigTypes.enumOf(Mode.class), Mode.ALWAYS, "fsync");
    static final ConfigOption<List<String>> ENDPOINTS =
            ConfigOption.of("meta.etcd.endpoints", ConfigTypes.STRING_LIST, List.of("http://127.0.0.1:2379"), "etcd");
    static final ConfigOption<Boolean> FLAG = ConfigOption.of("node.flag", ConfigTypes.BOOLEAN, false, "flag");

    static final ConfigDef DEF = new ConfigDef(List.of(ID, SIZE, TTL, PORT, MODE, ENDPOINTS, FLAG), Set.of("broker."));

    private static Config parse(String yaml) {
        return DEF.parse(ConfigTree.parse("test.yaml", yaml));
    }

    @Test
    void defaultsFillEveryUnsetKey() {
        Config c = parse("node.id: s1\n");
        assertThat(c.get(ID)).isEqualTo("s1");
        assertThat(c.get(SIZE)).isEqualTo(256L << 20);
        assertThat(c.get(TTL)).isEqualTo(Duration.ofSeconds(10));
        assertThat(c.get(PORT)).isEqualTo(8620);
        assertThat(c.get(MODE)).isEqualTo(Mode.ALWAYS);
        assertThat(c.get(ENDPOINTS)).containsExactly("http://127.0.0.1:2379");
        assertThat(c.get(FLAG)).isFalse();
    }

    @Test
    void nestedAndDottedKeysMeanTheSame() {
        Config c = parse("""
                node: {id: s1, flag: true}
                storage:
                  memtable: {size: 64MiB}
                  wal.fsync: never
                meta.etcd.endpoints: [http://a:1, http://b:2]
                meta.lease-ttl: 2s
                broker.http.port: 8080   # another role's key: left alone
                """);
        assertThat(c.get(SIZE)).isEqualTo(64L << 20);
        assertThat(c.get(MODE)).isEqualTo(Mode.NEVER);
        assertThat(c.get(ENDPOINTS)).containsExactly("http://a:1", "http://b:2");
        assertThat(c.get(TTL)).isEqualTo(Duration.ofSeconds(2));
        assertThat(c.get(FLAG)).isTrue();
    }

    @Test
    void unknownKeyIsNamedInFullWithTheFileAndAHint() {
        assertThatThrownBy(() -> parse("node.id: s1\nstorage:\n  memtable:\n    sise: 1MiB\n"))
                .isInstanceOf(ConfigException.class)
                .hasMessage("unknown configuration key [key=storage.memtable.sise, file=test.yaml]: did you mean"
                        + " storage.memtable.size?");
    }

    @Test
    void missingRequiredKeyIsNamed() {
        assertThatThrownBy(() -> parse("storage.server.port: 1\n"))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("missing configuration key [key=node.id, file=test.yaml]");
    }

    @Test
    void badValuesNameTheKeyAndTheReason() {
        assertBad("storage.memtable.size: big", "storage.memtable.size", "want a size like");
        assertBad("storage.memtable.size: 0", "storage.memtable.size", "want at least 1B");
        assertBad("storage.memtable.size: 64MB", "storage.memtable.size", "want a size like");
        assertBad("meta.lease-ttl: 10", "meta.lease-ttl", "want a duration with a unit");
        assertBad("meta.lease-ttl: 500ms", "meta.lease-ttl", "got 500ms; want at least 1s");
        assertBad("meta.lease-ttl: 10 years", "meta.lease-ttl", "want a duration");
        assertBad("storage.server.port: 70000", "storage.server.port", "got 70000; want 0..65535");
        assertBad("storage.server.port: eighty", "storage.server.port", "want an integer");
        assertBad("storage.wal.fsync: sometimes", "storage.wal.fsync", "want one of always, never");
        assertBad("meta.etcd.endpoints: []", "meta.etcd.endpoints", "want a non-empty list");
        assertBad("node.flag: yes-please", "node.flag", "want true or false");
        assertBad("node.id: [a, b]", "node.id", "want a single value");
    }

    private static void assertBad(String line, String key, String reason) {
        assertThatThrownBy(() -> parse(line.startsWith("node.id") ? line : "node.id: s1\n" + line))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("invalid configuration value [key=" + key + ", file=test.yaml]: ")
                .hasMessageContaining(reason);
    }

    @Test
    void brokenYamlAndDuplicateKeysNameTheFile() {
        assertThatThrownBy(() -> parse("node.id: [unclosed\n"))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("cannot parse configuration file [file=test.yaml, line=");
        assertThatThrownBy(() -> parse("node.id: s1\nnode:\n  id: s2\n"))
                .isInstanceOf(ConfigException.class)
                .hasMessage("configuration key set twice [key=node.id, file=test.yaml]");
        assertThatThrownBy(() -> parse("- a\n- b\n"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("want a map of keys to values");
    }

    @Test
    void missingFileIsNamed() {
        assertThatThrownBy(() -> ConfigTree.load(Path.of("/nonexistent/storage.yaml")))
                .isInstanceOf(ConfigException.class)
                .hasMessage("configuration file does not exist [file=/nonexistent/storage.yaml]");
    }

    @Test
    void sizesAndDurationsRoundTrip() {
        assertThat(DataSize.parseBytes("512KiB")).isEqualTo(512L << 10);
        assertThat(DataSize.parseBytes("1GiB")).isEqualTo(1L << 30);
        assertThat(DataSize.parseBytes("100")).isEqualTo(100);
        assertThat(DataSize.format(256L << 20)).isEqualTo("256MiB");
        assertThat(DataSize.format(1000)).isEqualTo("1000B");
        assertThatThrownBy(() -> DataSize.parseBytes("99999999999TiB")).hasMessageContaining("too large");
        assertThat(Durations.parseAllowingZero("500ms")).isEqualTo(Duration.ofMillis(500));
        assertThat(Durations.format(Duration.ofMinutes(90))).isEqualTo("90m");
        assertThat(Durations.format(Duration.ofDays(1))).isEqualTo("1d");
    }

    @Test
    void markdownTableListsEveryKeyWithItsDefault() {
        assertThat(DEF.markdownTable())
                .contains("| `node.id` | string | `(required)` | node id |")
                .contains("| `storage.memtable.size` | size | `256MiB` | memtable |")
                .contains("| `storage.wal.fsync` | one of always, never | `always` | fsync |");
    }
}
