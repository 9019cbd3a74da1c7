package io.meridian.storage;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.EvaluationResult;
import io.meridian.storage.engine.Shard;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The storage node's package layering, checked on the compiled classes. Bottom to top:
 *
 * <pre>
 * file, encoding, log, index           I/O seam, column codecs, record files, dictionary and postings
 * shard, txn                           what the engine's parts share (options, file names, metrics, the write unit);
 *                                      writer sequences and staged transactions
 * wal, part                            the WAL and its op records; the part format, part store, MANIFEST, compaction
 * memtable, replication.log, query     memtables and their flush into parts; the replica log; leaf aggregation
 * engine                               Shard, the facade, and the steps that span the concepts below it
 * replication, server, node            replica roles, the gRPC service, the storage process
 * </pre>
 */
class StorageLayeringTest {
    private static JavaClasses classes;

    @BeforeAll
    static void importMainClasses() {
        classes = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("io.meridian.storage");
        assertThat(classes.contain(Shard.class))
                .as("the storage node's classes were imported")
                .isTrue();
    }

    private static void assertHolds(ArchRule rule) {
        EvaluationResult result = rule.evaluate(classes);
        assertThat(result.hasViolation())
                .as(result.getFailureReport().toString())
                .isFalse();
    }

    @Test
    void hasNoPackageCycles() {
        assertHolds(slices().matching("io.meridian.storage.(**)").should().beFreeOfCycles());
    }

    @Test
    void neverCallsUp() {
        assertHolds(noClasses()
                .that()
                .resideInAPackage("io.meridian.storage..")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage(
                        "io.meridian.broker..", "io.meridian.sql..", "io.meridian.ingest..", "io.meridian.connector..")
                .as("storage never calls up into brokers, SQL, the ingest job or the connectors"));
    }

    @Test
    void keepsItsLayers() {
        assertHolds(layeredArchitecture()
                .consideringOnlyDependenciesInLayers()
                .layer("Base")
                .definedBy("..storage.file..", "..storage.encoding..", "..storage.log..", "..storage.index..")
                .layer("Shared")
                .definedBy("..storage.shard..", "..storage.txn..")
                .layer("Files")
                .definedBy("..storage.wal..", "..storage.part..")
                .layer("Concepts")
                .definedBy("..storage.memtable..", "..storage.replication.log..", "..storage.query..")
                .layer("Engine")
                .definedBy("..storage.engine..")
                .layer("Node")
                .definedBy("io.meridian.storage.replication", "..storage.server..", "..storage.node..")
                .whereLayer("Node")
                .mayNotBeAccessedByAnyLayer()
                .whereLayer("Engine")
                .mayOnlyBeAccessedByLayers("Node")
                .whereLayer("Concepts")
                .mayOnlyBeAccessedByLayers("Concepts", "Engine", "Node")
                .whereLayer("Files")
                .mayOnlyBeAccessedByLayers("Files", "Concepts", "Engine", "Node")
                .whereLayer("Shared")
                .mayOnlyBeAccessedByLayers("Shared", "Files", "Concepts", "Engine", "Node"));
    }
}
