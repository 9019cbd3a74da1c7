package io.meridian.deploy;

import io.meridian.common.model.Names;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * {@code bin/meridian sql [DATABASE | --url jdbc:meridian://host:port/db] [sqlline options]}: an interactive SQL
 * shell. It is sqlline (history, completion, tabular output) over the Meridian JDBC driver; the URL defaults to the
 * standalone broker, {@code jdbc:meridian://127.0.0.1:8080/}, and a first argument that is a database name (not an
 * option, not an existing file: sqlline takes those as scripts) picks that database on it.
 */
public final class SqlShell {
    static final String DEFAULT_URL = "jdbc:meridian://127.0.0.1:8080/";

    private SqlShell() {}

    public static void main(String[] args) throws IOException {
        sqlline.SqlLine.main(sqllineArguments(args, p -> Files.exists(Path.of(p)), System.console() != null)
                .toArray(String[]::new));
    }

    /**
     * The arguments for sqlline.
     *
     * @param isFile whether an argument names an existing file (a sqlline script)
     * @param terminal whether there is a terminal to measure the output width on
     */
    static List<String> sqllineArguments(String[] args, Predicate<String> isFile, boolean terminal) {
        List<String> out = new ArrayList<>();
        String url = null;
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--url") && i + 1 < args.length) {
                url = args[++i];
            } else if (args[i].startsWith("--url=")) {
                url = args[i].substring("--url=".length());
            } else if (i == 0 && !args[i].startsWith("-") && !isFile.test(args[i]) && Names.isValid(args[i])) {
                url = DEFAULT_URL + args[i];
            } else {
                out.add(args[i]);
            }
        }
        List<String> shell = new ArrayList<>(List.of(
                "-u",
                url == null ? DEFAULT_URL : url,
                "-n",
                "",
                "-p",
                "",
                "-d",
                "io.meridian.jdbc.MeridianDriver",
                "--isolation=TRANSACTION_NONE"));
        if (!terminal && out.stream().noneMatch(a -> a.startsWith("--maxWidth"))) {
            shell.add("--maxWidth=160"); // no terminal to measure: sqlline would print zero-width columns
        }
        shell.addAll(out);
        return shell;
    }
}
