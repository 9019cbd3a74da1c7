package io.meridian.meta.store;

import java.util.Objects;

/** One write of a {@link MetaTxn}. */
public sealed interface TxnOp {
    String key();

    /** Put {@code value}; bound to {@code lease} unless it is 0. */
    record Put(String key, byte[] value, long lease) implements TxnOp {
        public Put {
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(value, "value");
        }
    }

    /** Delete one key. */
    record Delete(String key) implements TxnOp {
        public Delete {
            Objects.requireNonNull(key, "key");
        }
    }

    /** Delete every key under a prefix. */
    record DeletePrefix(String key) implements TxnOp {
        public DeletePrefix {
            Objects.requireNonNull(key, "key");
        }
    }

    static TxnOp put(String key, byte[] value) {
        return new Put(key, value, 0);
    }

    static TxnOp delete(String key) {
        return new Delete(key);
    }
}
