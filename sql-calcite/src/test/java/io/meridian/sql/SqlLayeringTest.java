package io.meridian.sql;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.EvaluationResult;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The SQL layer plans against the domain model only: it sees the query contract ({@code common.query}), the data
 * model and the errors, never a wire format (the storage protobufs, which the broker maps the plan to), and never a
 * node (storage, broker, meta).
 */
class SqlLayeringTest {
    private static JavaClasses classes;

    @BeforeAll
    static void importMainClasses() {
        classes = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("io.meridian.sql");
        assertThat(classes.contain(SqlEngine.class))
                .as("the SQL layer's classes were imported")
                .isTrue();
    }

    private static void assertHolds(ArchRule rule) {
        EvaluationResult result = rule.evaluate(classes);
        assertThat(result.hasViolation())
                .as(result.getFailureReport().toString())
                .isFalse();
    }

    @Test
    void seesNoWireFormat() {
        assertHolds(noClasses()
                .that()
                .resideInAPackage("io.meridian.sql..")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage("io.meridian.common.rpc..", "com.google.protobuf..")
                .as("sql-calcite never sees a wire format (storage protobufs): it hands the broker a domain plan"));
    }

    @Test
    void knowsNoNode() {
        assertHolds(noClasses()
                .that()
                .resideInAPackage("io.meridian.sql..")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage("io.meridian.storage..", "io.meridian.broker..", "io.meridian.meta..")
                .as("sql-calcite knows no node: storage, broker and meta build on it, not the other way"));
    }

    @Test
    void hasNoPackageCycles() {
        assertHolds(slices().matching("io.meridian.sql.(**)").should().beFreeOfCycles());
    }
}
