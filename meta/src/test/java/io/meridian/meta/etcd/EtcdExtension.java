package io.meridian.meta.etcd;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * One real etcd child process per test class ({@link EtcdProcess} on free loopback ports, temp data dir),
 * injected as an {@link EtcdProcess} parameter. Tests may stop, restart and wipe it; the extension destroys
 * it (process, data dir, log) after the class. A missing binary fails the class with the install hint.
 */
public final class EtcdExtension implements BeforeAllCallback, AfterAllCallback, ParameterResolver {
    private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(EtcdExtension.class);

    @Override
    public void beforeAll(ExtensionContext context) {
        context.getStore(NS).put(EtcdProcess.class, EtcdProcess.start(EtcdProcessOptions.temporary()));
    }

    @Override
    public void afterAll(ExtensionContext context) {
        EtcdProcess etcd = context.getStore(NS).remove(EtcdProcess.class, EtcdProcess.class);
        if (etcd != null) {
            etcd.destroy();
        }
    }

    @Override
    public boolean supportsParameter(ParameterContext pc, ExtensionContext ec) {
        return pc.getParameter().getType() == EtcdProcess.class;
    }

    @Override
    public Object resolveParameter(ParameterContext pc, ExtensionContext ec) {
        return ec.getStore(NS).get(EtcdProcess.class, EtcdProcess.class); // stores look up parent contexts
    }
}
