package io.meridian.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import picocli.CommandLine;

/** {@code --help} on every subcommand prints its usage and exits 0, as a newcomer types it. */
class CommandHelpTest {
    @ParameterizedTest
    @CsvSource({
        "cluster, up, Usage: cluster up",
        "cluster, down, Usage: cluster down",
        "admin, databases, Usage: admin databases",
        "admin, databases create, Usage: admin databases create",
        "admin, nodes, Usage: admin nodes",
    })
    void everySubcommandTakesHelp(String command, String subcommand, String usage) {
        CommandLine cli = new CommandLine(command.equals("cluster") ? new ClusterMain() : new AdminMain());
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        String[] args = (subcommand + " --help").split(" ");

        int exit = cli.execute(args);

        assertThat(exit).isZero();
        assertThat(err.toString()).isEmpty();
        assertThat(out.toString()).startsWith(usage).contains("--help", "Show this help message and exit.");
    }
}
