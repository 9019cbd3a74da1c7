package io.meridian.connector.flink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.junit.jupiter.api.Test;

/**
 * The sink's checkpointed formats are pinned by golden bytes (a checkpoint written by this version must restore
 * in later ones), and its builder refuses bad settings naming the setting.
 */
class SinkFormatsTest {
    @Test
    void committableVersion1IsPinned() throws Exception {
        ShardCommittable c = new ShardCommittable("web", 3, "s-r-0", 42, 1000);
        byte[] bytes = new ShardCommittableSerializer().serialize(c);
        assertThat(HexFormat.of().formatHex(bytes))
                .isEqualTo("0003776562" + "00000003" + "0005732d722d30" + "000000000000002a" + "00000000000003e8");
        assertThat(new ShardCommittableSerializer().deserialize(1, bytes)).isEqualTo(c);
        assertThatThrownBy(() -> new ShardCommittableSerializer().deserialize(2, bytes))
                .hasMessageContaining("unknown committable version [version=2]");
    }

    @Test
    void writerStateVersion1IsPinned() throws Exception {
        byte[] bytes = new WriterState.Serializer().serialize(new WriterState("run"));
        assertThat(HexFormat.of().formatHex(bytes)).isEqualTo("000372756e");
        assertThat(new WriterState.Serializer().deserialize(1, bytes)).isEqualTo(new WriterState("run"));
    }

    private static MeridianSinkBuilder<String> builder() {
        return MeridianSink.forPoints("web", (String s) -> new MeridianPoint("m", Map.of(), 0, Map.of("v", 1.0)))
                .setEtcdEndpoints("http://127.0.0.1:2379");
    }

    @Test
    void badSettingsAreRefusedNamingTheSetting() {
        assertThatThrownBy(
                        () -> MeridianSink.forPoints("web", (String s) -> null).build())
                .hasMessageContaining("[etcdEndpoints=[]]");
        assertThatThrownBy(() -> builder().setEtcdEndpoints("127.0.0.1:2379").build())
                .hasMessageContaining("etcdEndpoints=[127.0.0.1:2379]");
        assertThatThrownBy(() -> builder().setMetaRoot("meridian/").build()).hasMessageContaining("metaRoot=meridian/");
        assertThatThrownBy(() -> builder().setSinkId("a b").build()).hasMessageContaining("sinkId=a b");
        assertThatThrownBy(() ->
                        builder().setDeliveryGuarantee(DeliveryGuarantee.NONE).build())
                .hasMessageContaining("deliveryGuarantee=NONE");
        assertThatThrownBy(() -> builder().setMaxBatchPoints(0).build()).hasMessageContaining("maxBatchPoints=0");
        assertThatThrownBy(
                        () -> builder().setRequestTimeout(Duration.ofMillis(5)).build())
                .hasMessageContaining("requestTimeout=PT0.005S");
        assertThatThrownBy(() -> MeridianSink.forPoints("bad db", (String s) -> null))
                .hasMessageContaining("bad db");
        assertThat(builder().build().deliveryGuarantee())
                .as("left to the job's checkpointing")
                .isNull();
    }
}
