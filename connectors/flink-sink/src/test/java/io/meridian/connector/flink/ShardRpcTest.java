package io.meridian.connector.flink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meridian.common.error.ErrorCode;
import io.meridian.common.error.InvalidInputException;
import io.meridian.common.rpc.StorageRpc;
import org.junit.jupiter.api.Test;

class ShardRpcTest {
    @Test
    void partialsGoOnlyToNodesOfTheRevisionThatTakesThem() {
        assertThatCode(() -> ShardRpc.requirePartialWrites("m", 1, "127.0.0.1:9301", StorageRpc.PROTOCOL_REVISION))
                .doesNotThrowAnyException();
        assertThatThrownBy(() ->
                        ShardRpc.requirePartialWrites("m", 1, "127.0.0.1:9301", StorageRpc.PARTIAL_WRITES_REVISION - 1))
                .isInstanceOfSatisfying(
                        InvalidInputException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.FORMAT_VERSION))
                .hasMessageContaining("[db=m, shard=1, node=127.0.0.1:9301, revision=5]")
                .hasMessageContaining("want storage protocol revision >= 6")
                .hasMessageContaining("ingest.preaggregate.enabled: false");
    }
}
