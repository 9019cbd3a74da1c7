package io.meridian.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meridian.common.config.ConfigOption;
import io.meridian.common.config.ConfigTree;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The ingest job's configuration: defaults, the shipped example, the reference docs, and bad keys or values
 * refused with an error that names the key and the file.
 */
class IngestJobConfigTest {
    private static IngestJobConfig parse(String yaml) {
        return IngestJobConfig.from(ConfigTree.parse("ingest.yaml", yaml));
    }

    @Test
    void onlyTheKafkaBrokersAreRequired() {
        IngestJobConfig c = parse("ingest.kafka.bootstrap-servers: k1:9092,k2:9092\n");
        assertThat(c.bootstrapServers()).containsExactly("k1:9092", "k2:9092");
        assertThat(c.topic()).isEqualTo("meridian.ingest");
        assertThat(c.dlqTopic()).isEqualTo("meridian.ingest.dlq");
        assertThat(c.checkpointInterval()).isEqualTo(Duration.ofSeconds(1));
        assertThat(c.etcdEndpoints()).containsExactly("http://127.0.0.1:2379");
        assertThat(c.idc()).isEqualTo("default");
        assertThat(c.preAggregateOptions().maxDelay())
                .as("pre-aggregation delay: twice the checkpoint interval")
                .isEqualTo(Duration.ofSeconds(2));
        assertThat(parse("ingest.kafka.bootstrap-servers: k1:9092\ningest.preaggregate.max-delay: 300ms\n")
                        .preAggregateOptions()
                        .maxDelay())
                .isEqualTo(Duration.ofMillis(300));
        assertThatThrownBy(() -> parse("node.idc: x\n"))
                .hasMessageContaining(
                        "missing configuration key [key=ingest.kafka.bootstrap-servers, file=ingest.yaml]");
    }

    @Test
    void badKeysAndValuesNameTheKeyAndTheFile() {
        String base = "ingest.kafka.bootstrap-servers: k1:9092\n";
        assertThatThrownBy(() -> parse(base + "ingest.kafka.topik: x\n"))
                .hasMessageContaining("unknown configuration key [key=ingest.kafka.topik, file=ingest.yaml]")
                .hasMessageContaining("ingest.kafka.topic");
        assertThatThrownBy(() -> parse(base + "ingest.kafka.topic: 'a b'\n"))
                .hasMessageContaining("key=ingest.kafka.topic")
                .hasMessageContaining("Kafka topic name");
        assertThatThrownBy(() -> parse(base + "ingest.kafka.dlq-topic: meridian.ingest\n"))
                .hasMessageContaining("key=ingest.kafka.dlq-topic")
                .hasMessageContaining("must differ");
        assertThatThrownBy(() -> parse(base + "ingest.parallelism: 0\n"))
                .hasMessageContaining("key=ingest.parallelism");
        assertThatThrownBy(() -> parse(base + "ingest.checkpoint.interval: soon\n"))
                .hasMessageContaining("key=ingest.checkpoint.interval");
        assertThatThrownBy(() -> parse(base + "ingest.kafka.starting-offsets: middle\n"))
                .hasMessageContaining("key=ingest.kafka.starting-offsets");
        assertThatThrownBy(() -> parse(base + "ingest.sink.id: 'a b'\n")).hasMessageContaining("key=ingest.sink.id");
        assertThatThrownBy(() -> parse(base + "meta.root: nope\n")).hasMessageContaining("meta.root");
    }

    @Test
    void otherRolesKeysInTheSameFileAreLeftToThem() {
        IngestJobConfig c = parse("ingest.kafka.bootstrap-servers: k1:9092\nbroker.http.port: 8080\nnode.id: b1\n");
        assertThat(c.bootstrapServers()).isEqualTo(List.of("k1:9092"));
    }

    @Test
    void shippedExampleLoadsAndDocsListEveryKeyWithItsDefault() throws IOException {
        Path root = Path.of("..").toAbsolutePath().normalize();
        IngestJobConfig example = IngestJobConfig.load(root.resolve("conf/ingest.yaml"));
        assertThat(example)
                .isEqualTo(parse("ingest.kafka.bootstrap-servers: 127.0.0.1:9092\n"))
                .as("the example sets every key to its default");
        String docs = Files.readString(root.resolve("docs/configuration.md"));
        for (ConfigOption<?> o : IngestConfigKeys.DEF.options()) {
            assertThat(docs)
                    .as("docs/configuration.md row of " + o.key())
                    .contains("| `" + o.key() + "` | " + o.type().name() + " | `" + o.formattedDefault() + "` |");
        }
    }
}
