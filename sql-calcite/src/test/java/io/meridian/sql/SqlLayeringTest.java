package io.meridian.sql;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/**
 * The SQL layer plans against the domain model only: it sees the query contract ({@code common.query}), the data
 * model and the errors, never a wire format (the storage protobufs, which the broker maps the plan to), and never a
 * node (storage, broker, meta).
 */
@AnalyzeClasses(packages = "io.meridian.sql", importOptions = ImportOption.DoNotIncludeTests.class)
class SqlLayeringTest {

    @ArchTest
    static final ArchRule NO_WIRE_FORMATS = noClasses().that().resideInAPackage("io.meridian.sql..")
            .should().dependOnClassesThat().resideInAnyPackage("io.meridian.common.rpc..", "com.google.protobuf..")
            .as("sql-calcite never sees a wire format (storage protobufs): it hands the broker a domain plan");

    @ArchTest
    static final ArchRule NO_NODES = noClasses().that().resideInAPackage("io.meridian.sql..")
            .should().dependOnClassesThat().resideInAnyPackage("io.meridian.storage..", "io.meridian.broker..",
                    "io.meridian.meta..")
            .as("sql-calcite knows no node: storage, broker and meta build on it, not the other way");

    @ArchTest
    static final ArchRule NO_PACKAGE_CYCLES = slices().matching("io.meridian.sql.(**)").should().beFreeOfCycles();
}
