package io.meridian.storage;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

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
@AnalyzeClasses(packages = "io.meridian.storage", importOptions = ImportOption.DoNotIncludeTests.class)
class StorageLayeringTest {

    @ArchTest
    static final ArchRule NO_PACKAGE_CYCLES = slices().matching("io.meridian.storage.(**)").should().beFreeOfCycles();

    @ArchTest
    static final ArchRule NEVER_CALLS_UP = noClasses().that().resideInAPackage("io.meridian.storage..")
            .should().dependOnClassesThat().resideInAnyPackage("io.meridian.broker..", "io.meridian.sql..",
                    "io.meridian.ingest..", "io.meridian.connector..")
            .as("storage never calls up into brokers, SQL, the ingest job or the connectors");

    @ArchTest
    static final ArchRule LAYERS = layeredArchitecture().consideringOnlyDependenciesInLayers()
            .layer("Base").definedBy("..storage.file..", "..storage.encoding..", "..storage.log..",
                    "..storage.index..")
            .layer("Shared").definedBy("..storage.shard..", "..storage.txn..")
            .layer("Files").definedBy("..storage.wal..", "..storage.part..")
            .layer("Concepts").definedBy("..storage.memtable..", "..storage.replication.log..",
                    "..storage.query..")
            .layer("Engine").definedBy("..storage.engine..")
            .layer("Node").definedBy("io.meridian.storage.replication", "..storage.server..", "..storage.node..")
            .whereLayer("Node").mayNotBeAccessedByAnyLayer()
            .whereLayer("Engine").mayOnlyBeAccessedByLayers("Node")
            .whereLayer("Concepts").mayOnlyBeAccessedByLayers("Concepts", "Engine", "Node")
            .whereLayer("Files").mayOnlyBeAccessedByLayers("Files", "Concepts", "Engine", "Node")
            .whereLayer("Shared").mayOnlyBeAccessedByLayers("Shared", "Files", "Concepts", "Engine", "Node");
}
