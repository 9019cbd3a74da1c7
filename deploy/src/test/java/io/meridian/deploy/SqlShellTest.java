package io.meridian.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class SqlShellTest {
    private static List<String> args(String... given) {
        return SqlShell.sqllineArguments(given, "init.sql"::equals, true);
    }

    private static String url(List<String> sqlline) {
        return sqlline.get(sqlline.indexOf("-u") + 1);
    }

    @Test
    void aDatabaseNamePicksItOnTheStandaloneBroker() {
        List<String> sqlline = args("metrics");
        assertThat(url(sqlline)).isEqualTo("jdbc:meridian://127.0.0.1:8080/metrics");
        assertThat(sqlline).doesNotContain("metrics");
    }

    @Test
    void withoutArgumentsItConnectsToTheStandaloneBroker() {
        assertThat(url(args())).isEqualTo(SqlShell.DEFAULT_URL);
    }

    @Test
    void anExplicitUrlWinsAndOtherArgumentsGoToSqlline() {
        List<String> sqlline = args("--url", "jdbc:meridian://broker-1:8080/web", "--showTime=false");
        assertThat(url(sqlline)).isEqualTo("jdbc:meridian://broker-1:8080/web");
        assertThat(sqlline).endsWith("--showTime=false");
        assertThat(url(args("--url=jdbc:meridian://b:1/x"))).isEqualTo("jdbc:meridian://b:1/x");
    }

    @Test
    void anExistingFileOrAnOptionStaysASqllineArgument() {
        List<String> script = args("init.sql");
        assertThat(url(script)).isEqualTo(SqlShell.DEFAULT_URL);
        assertThat(script).endsWith("init.sql");
        assertThat(url(args("--verbose=true"))).isEqualTo(SqlShell.DEFAULT_URL);
        assertThat(url(args("not/a name"))).as("not a database name").isEqualTo(SqlShell.DEFAULT_URL);
    }

    @Test
    void withoutATerminalTheWidthIsFixedUnlessGiven() {
        assertThat(SqlShell.sqllineArguments(new String[0], f -> false, false)).contains("--maxWidth=160");
        assertThat(SqlShell.sqllineArguments(new String[] {"--maxWidth=80"}, f -> false, false))
                .containsOnlyOnce("--maxWidth=80")
                .doesNotContain("--maxWidth=160");
    }
}
