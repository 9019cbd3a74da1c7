package io.meridian.meta.etcd;

import java.nio.file.Path;

/** The etcd executable is not installed where we looked. The message says how to install it. */
public final class EtcdBinaryMissingException extends IllegalStateException {
    public EtcdBinaryMissingException(Path binary) {
        super("etcd binary not found or not executable [binary=" + binary + "]: install it with"
                + " 'apt-get install -y etcd-server', or point -D" + EtcdProcessOptions.BINARY_PROPERTY
                + " or $" + EtcdProcessOptions.BINARY_ENV + " at an etcd 3.4+ executable");
    }
}
