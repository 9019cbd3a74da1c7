package io.meridian.storage.server;

import io.meridian.common.error.InvalidInputException;
import io.meridian.common.rpc.storage.v1.ShardRef;

/** {@link ShardRef} to and from {@link ShardKey} (+ epoch). */
public final class ShardRefCodec {
    private ShardRefCodec() {}

    /**
     * @param present whether the request has the field set ({@code hasShard()})
     * @throws InvalidInputException when it is missing or names an invalid database or shard number
     */
    public static ShardKey decode(boolean present, ShardRef ref) {
        if (!present) {
            throw new InvalidInputException("missing shard [field=shard]: every request names its database and shard");
        }
        if (ref.getShard() < 0) {
            throw new InvalidInputException("invalid shard number [database=" + ref.getDatabase() + ", shard="
                    + Integer.toUnsignedString(ref.getShard()) + "]");
        }
        return new ShardKey(ref.getDatabase(), ref.getShard());
    }

    public static ShardRef encode(ShardKey key, long epoch) {
        return ShardRef.newBuilder()
                .setDatabase(key.database())
                .setShard(key.shard())
                .setEpoch(epoch)
                .build();
    }
}
