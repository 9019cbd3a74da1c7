package io.meridian.it.harness;

import io.meridian.meta.etcd.EtcdProcess;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.AfterTestExecutionCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * One {@link MeridianCluster} per test, injected as a parameter, under
 * {@code target/it-clusters/<TestClass>/<test>/} (kept after the run for inspection). Skips the test when the
 * etcd binary is missing. When the test fails, every node's log is printed to stdout (the failsafe report)
 * before the cluster is closed.
 *
 * <pre>
 *   &#64;ExtendWith(ClusterExtension.class)
 *   class FailoverIT {
 *       &#64;Test void leaderMoves(MeridianCluster cluster) { cluster.startEtcd(); ... }
 *   }
 * </pre>
 */
public final class ClusterExtension
        implements BeforeEachCallback, AfterTestExecutionCallback, AfterEachCallback, ParameterResolver {
    private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(ClusterExtension.class);

    @Override
    public void beforeEach(ExtensionContext context) {
        Assumptions.assumeTrue(
                EtcdProcess.isInstalled(),
                "etcd is not installed (apt-get install -y etcd-server, or set ETCD_BINARY)");
        Path dir = Path.of(
                        "target",
                        "it-clusters",
                        context.getRequiredTestClass().getSimpleName(),
                        context.getRequiredTestMethod().getName())
                .toAbsolutePath();
        try {
            if (Files.exists(dir)) {
                try (var files = Files.walk(dir)) {
                    for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                        Files.delete(p);
                    }
                }
            }
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare the cluster directory [dir=" + dir + "]", e);
        }
        context.getStore(NS).put(MeridianCluster.class, new MeridianCluster(dir));
    }

    @Override
    public void afterTestExecution(ExtensionContext context) {
        MeridianCluster cluster = context.getStore(NS).get(MeridianCluster.class, MeridianCluster.class);
        if (cluster != null && context.getExecutionException().isPresent()) {
            cluster.printLogs(System.out);
        }
    }

    @Override
    public void afterEach(ExtensionContext context) {
        MeridianCluster cluster = context.getStore(NS).remove(MeridianCluster.class, MeridianCluster.class);
        if (cluster != null) {
            cluster.close();
        }
    }

    @Override
    public boolean supportsParameter(ParameterContext pc, ExtensionContext ec) {
        return pc.getParameter().getType() == MeridianCluster.class;
    }

    @Override
    public Object resolveParameter(ParameterContext pc, ExtensionContext ec) {
        return ec.getStore(NS).get(MeridianCluster.class, MeridianCluster.class);
    }
}
