package io.meridian.connector;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.EvaluationResult;
import io.meridian.connector.flink.MeridianSink;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The connectors (the Flink sink and the Kafka topic format on its classpath) use only Meridian's public contracts:
 * the data model, errors, the write-batch rules and the wire contracts of {@code common}, and the metadata client
 * side of {@code meta} (the cache and routing, the shard-leader client, the model, the etcd store). Never a
 * storage node's, a broker's, the SQL layer's or the ingest job's classes, nor the master's internals: a user's
 * Flink job links this jar, and a node's internals may change in any release.
 */
class ConnectorContractTest {
    private static JavaClasses classes;

    @BeforeAll
    static void importMainClasses() {
        classes = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("io.meridian.connector");
        assertThat(classes.contain(MeridianSink.class))
                .as("the connectors' classes were imported")
                .isTrue();
    }

    private static void assertHolds(ArchRule rule) {
        EvaluationResult result = rule.evaluate(classes);
        assertThat(result.hasViolation())
                .as(result.getFailureReport().toString())
                .isFalse();
    }

    @Test
    void useOnlyThePublicContracts() {
        assertHolds(noClasses()
                .that()
                .resideInAPackage("io.meridian.connector..")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage(
                        "io.meridian.storage..",
                        "io.meridian.broker..",
                        "io.meridian.sql..",
                        "io.meridian.ingest..",
                        "io.meridian.deploy..",
                        "io.meridian.bench..",
                        "io.meridian.meta.master..",
                        "io.meridian.meta.planner..",
                        "io.meridian.meta.registry..",
                        "io.meridian.meta.etcd..")
                .as("connectors use only common and meta's client side (cache, client, model, store)"));
    }

    @Test
    void haveNoPackageCycles() {
        assertHolds(slices().matching("io.meridian.connector.(**)").should().beFreeOfCycles());
    }
}
