package io.meridian.deploy;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code bin/meridian admin}: databases, storage clusters, nodes and shards through a broker's HTTP API (any
 * broker: DDL is forwarded to the master). Prints tables; an error prints the broker's message and exits 1.
 */
@Command(
        name = "admin",
        mixinStandardHelpOptions = true,
        scope = CommandLine.ScopeType.INHERIT, // --help and --version on every subcommand too
        description = "Administer a Meridian cluster through a broker.",
        subcommands = {
            AdminMain.Databases.class,
            AdminMain.Clusters.class,
            AdminMain.Nodes.class,
            AdminMain.Shards.class
        })
public final class AdminMain implements Runnable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @Option(
            names = "--broker",
            defaultValue = "http://127.0.0.1:8080",
            paramLabel = "URL",
            description = "a broker's HTTP address (default: ${DEFAULT-VALUE})",
            scope = CommandLine.ScopeType.INHERIT)
    String broker;

    public static void main(String[] args) {
        System.exit(new CommandLine(new AdminMain()).execute(args));
    }

    @Override
    public void run() {
        CommandLine.usage(this, System.out);
    }

    /** A failed call: the broker's error message. */
    static final class AdminException extends RuntimeException {
        AdminException(String message) {
            super(message);
        }
    }

    JsonNode call(String method, String path, String body) {
        return call(method, path, body, Duration.ofSeconds(30));
    }

    JsonNode call(String method, String path, String body, Duration timeout) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(broker + path))
                .timeout(timeout)
                .method(
                        method,
                        body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        HttpResponse<String> r;
        try {
            r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new AdminException("cannot reach the broker [url=" + broker + "]: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AdminException("interrupted");
        }
        try {
            JsonNode node = r.body() == null || r.body().isEmpty() ? JSON.createObjectNode() : JSON.readTree(r.body());
            if (r.statusCode() >= 400) {
                throw new AdminException(
                        "HTTP " + r.statusCode() + ": " + node.path("error").asText(r.body()));
            }
            return node;
        } catch (JsonProcessingException e) {
            throw new AdminException("HTTP " + r.statusCode() + ": " + r.body());
        }
    }

    /** Prints rows as an aligned table. */
    static void table(PrintStream out, List<String> header, List<List<String>> rows) {
        int[] w = new int[header.size()];
        for (int i = 0; i < w.length; i++) {
            w[i] = header.get(i).length();
            for (List<String> r : rows) {
                w[i] = Math.max(w[i], r.get(i).length());
            }
        }
        StringBuilder fmt = new StringBuilder();
        for (int x : w) {
            fmt.append("%-").append(x).append("s  ");
        }
        String f = fmt.toString();
        out.println(String.format(f, header.toArray()).stripTrailing());
        for (List<String> r : rows) {
            out.println(String.format(f, r.toArray()).stripTrailing());
        }
    }

    /** A command: runs against the root's broker; a failed call prints the broker's message and exits 1. */
    abstract static class Sub implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        AdminMain admin;

        @Override
        public Integer call() {
            admin = (AdminMain) spec.root().userObject();
            try {
                run(System.out);
                return 0;
            } catch (AdminException e) {
                System.err.println("meridian admin: " + e.getMessage());
                return 1;
            }
        }

        abstract void run(PrintStream out);
    }

    @Command(
            name = "databases",
            description = "list, show, create, drop or flush databases",
            subcommands = {Databases.Create.class, Databases.Drop.class, Databases.Show.class, Databases.Flush.class})
    static final class Databases extends Sub {
        @Override
        void run(PrintStream out) {
            List<List<String>> rows = new ArrayList<>();
            for (JsonNode d : admin.call("GET", "/api/v1/databases", null).path("databases")) {
                List<String> intervals = new ArrayList<>();
                d.path("intervals")
                        .forEach(i -> intervals.add(i.path("interval").asText() + ":"
                                + i.path("retention").asText()));
                rows.add(List.of(
                        d.path("name").asText(),
                        d.path("shards").asText(),
                        d.path("replicas").asText(),
                        d.path("writeConcern").asText(),
                        String.join(",", intervals),
                        d.path("clusters").toString()));
            }
            table(out, List.of("NAME", "SHARDS", "REPLICAS", "WRITE_CONCERN", "INTERVALS", "CLUSTERS"), rows);
        }

        @Command(name = "create", description = "create a database")
        static final class Create extends Sub {
            @Parameters(paramLabel = "NAME")
            String name;

            @Option(names = "--shards", defaultValue = "2")
            int shards;

            @Option(names = "--replicas", defaultValue = "1")
            int replicas;

            @Option(
                    names = "--interval",
                    defaultValue = "10s:30d",
                    split = ",",
                    description =
                            "interval:retention, the base first (default: ${DEFAULT-VALUE}), e.g. 10s:30d,5m:180d")
            List<String> intervals;

            @Option(names = "--write-concern")
            String writeConcern;

            @Option(names = "--cluster", split = ",")
            List<String> clusters;

            @Override
            void run(PrintStream out) {
                ObjectNode body = JSON.createObjectNode()
                        .put("name", name)
                        .put("shards", shards)
                        .put("replicas", replicas);
                ArrayNode iv = body.putArray("intervals");
                for (String i : intervals) {
                    String[] p = i.split(":", 2);
                    if (p.length != 2) {
                        throw new AdminException(
                                "bad --interval [value=" + i + "]: want interval:retention, e.g. 10s:30d");
                    }
                    iv.addObject().put("interval", p[0]).put("retention", p[1]);
                }
                if (writeConcern != null) {
                    body.put("writeConcern", writeConcern);
                }
                if (clusters != null) {
                    clusters.forEach(body.putArray("clusters")::add);
                }
                admin.call("POST", "/api/v1/databases", body.toString());
                out.println("created database " + name);
            }
        }

        @Command(name = "drop", description = "drop a database and its data")
        static final class Drop extends Sub {
            @Parameters(paramLabel = "NAME")
            String name;

            @Override
            void run(PrintStream out) {
                admin.call("DELETE", "/api/v1/databases/" + name, null);
                out.println("dropped database " + name);
            }
        }

        @Command(
                name = "flush",
                description = "write every replica's memtable as parts now (before a backup, or to measure the data at"
                        + " rest)")
        static final class Flush extends Sub {
            @Parameters(paramLabel = "NAME")
            String name;

            @Override
            void run(PrintStream out) {
                // each replica may take minutes (the broker allows 5 a replica), one after the other
                JsonNode r = admin.call("POST", "/api/v1/databases/" + name + "/flush", null, Duration.ofHours(1));
                out.println("flushed database " + name + ": " + r.path("points").asLong() + " points from "
                        + r.path("replicas").size() + " replicas");
            }
        }

        @Command(name = "show", description = "a database's configuration and shards")
        static final class Show extends Sub {
            @Parameters(paramLabel = "NAME")
            String name;

            @Override
            void run(PrintStream out) {
                out.println(admin.call("GET", "/api/v1/databases/" + name, null).toPrettyString());
            }
        }
    }

    @Command(
            name = "clusters",
            description = "list storage clusters, or create one: clusters create NAME --idc IDC",
            subcommands = {Clusters.Create.class})
    static final class Clusters extends Sub {
        @Override
        void run(PrintStream out) {
            List<List<String>> rows = new ArrayList<>();
            admin.call("GET", "/api/v1/clusters", null)
                    .path("clusters")
                    .forEach(c -> rows.add(
                            List.of(c.path("name").asText(), c.path("idc").asText())));
            table(out, List.of("NAME", "IDC"), rows);
        }

        @Command(name = "create", description = "create a storage cluster in an IDC")
        static final class Create extends Sub {
            @Parameters(paramLabel = "NAME")
            String name;

            @Option(names = "--idc", required = true)
            String idc;

            @Override
            void run(PrintStream out) {
                admin.call(
                        "POST",
                        "/api/v1/clusters",
                        JSON.createObjectNode()
                                .put("name", name)
                                .put("idc", idc)
                                .toString());
                out.println("created cluster " + name + " in " + idc);
            }
        }
    }

    @Command(name = "nodes", description = "the live nodes and the master")
    static final class Nodes extends Sub {
        @Override
        void run(PrintStream out) {
            JsonNode c = admin.call("GET", "/api/v1/cluster", null);
            String master = c.path("master").path("nodeId").asText("");
            List<List<String>> rows = new ArrayList<>();
            c.path("nodes")
                    .forEach(n -> rows.add(List.of(
                            n.path("id").asText(),
                            n.path("role").asText() + (n.path("id").asText().equals(master) ? " (master)" : ""),
                            n.path("idc").asText(),
                            n.path("cluster").asText(),
                            n.path("address").asText())));
            table(out, List.of("ID", "ROLE", "IDC", "CLUSTER", "GRPC"), rows);
        }
    }

    @Command(name = "shards", description = "a database's shards: replicas, leader, epoch, lag")
    static final class Shards extends Sub {
        @Parameters(paramLabel = "DATABASE")
        String database;

        @Override
        void run(PrintStream out) {
            List<List<String>> rows = new ArrayList<>();
            for (JsonNode s :
                    admin.call("GET", "/api/v1/databases/" + database, null).path("shards")) {
                List<String> replicas = new ArrayList<>();
                s.path("replicas")
                        .forEach(r -> replicas.add(
                                r.path("node").asText() + (r.path("inSync").asBoolean() ? "" : "!") + "(lag "
                                        + r.path("lag").asText() + ")"));
                rows.add(List.of(
                        s.path("cluster").asText(),
                        s.path("shard").asText(),
                        s.path("leader").asText("-"),
                        s.path("epoch").asText(),
                        String.join(" ", replicas)));
            }
            rows.sort((a, b) -> a.get(0).equals(b.get(0))
                    ? Integer.compare(Integer.parseInt(a.get(1)), Integer.parseInt(b.get(1)))
                    : a.get(0).compareTo(b.get(0)));
            table(out, List.of("CLUSTER", "SHARD", "LEADER", "EPOCH", "REPLICAS (! = not in sync)"), rows);
        }
    }
}
