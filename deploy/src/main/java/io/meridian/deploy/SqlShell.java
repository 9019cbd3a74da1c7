package io.meridian.deploy;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code bin/meridian sql [--url jdbc:meridian://host:port/db] [sqlline options]}: an interactive SQL shell. It is
 * sqlline (history, completion, tabular output) over the Meridian JDBC driver; the URL defaults to the standalone
 * broker, {@code jdbc:meridian://127.0.0.1:8080/}.
 */
public final class SqlShell {
    static final String DEFAULT_URL = "jdbc:meridian://127.0.0.1:8080/";

    private SqlShell() {}

    public static void main(String[] args) throws IOException {
        List<String> out = new ArrayList<>();
        String url = DEFAULT_URL;
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--url") && i + 1 < args.length) {
                url = args[++i];
            } else if (args[i].startsWith("--url=")) {
                url = args[i].substring("--url=".length());
            } else {
                out.add(args[i]);
            }
        }
        List<String> shell = new ArrayList<>(List.of(
                "-u",
                url,
                "-n",
                "",
                "-p",
                "",
                "-d",
                "io.meridian.jdbc.MeridianDriver",
                "--isolation=TRANSACTION_NONE"));
        if (System.console() == null && out.stream().noneMatch(a -> a.startsWith("--maxWidth"))) {
            shell.add("--maxWidth=160"); // no terminal to measure: sqlline would print zero-width columns
        }
        shell.addAll(out);
        sqlline.SqlLine.main(shell.toArray(String[]::new));
    }
}
