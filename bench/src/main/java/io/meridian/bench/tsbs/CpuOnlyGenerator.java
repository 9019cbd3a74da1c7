package io.meridian.bench.tsbs;

import io.meridian.common.model.SeriesKey;
import java.util.List;
import java.util.Random;

/**
 * A TSBS-style {@code cpu-only} data set: measurement {@code cpu}, ten tags per host and ten fields
 * {@code usage_user ... usage_guest_nice}, one row per host every 10 s. Each field is a random walk with
 * normally distributed steps (sigma 1) clamped to [0, 100], as in TSBS. Deterministic for a seed.
 *
 * <p>Value modes: {@link ValueMode#INT} rounds to integers (as TSBS emits them); {@link ValueMode#FLOAT}
 * rounds to two decimals (closer to real gauges).
 */
public final class CpuOnlyGenerator {
    public static final String MEASUREMENT = "cpu";
    public static final long ROW_INTERVAL_MS = 10_000;
    public static final List<String> FIELDS = List.of(
            "usage_user",
            "usage_system",
            "usage_idle",
            "usage_nice",
            "usage_iowait",
            "usage_irq",
            "usage_softirq",
            "usage_steal",
            "usage_guest",
            "usage_guest_nice");
    private static final String[] REGIONS = {
        "us-east-1",
        "us-west-1",
        "us-west-2",
        "eu-west-1",
        "eu-central-1",
        "ap-southeast-1",
        "ap-southeast-2",
        "ap-northeast-1",
        "sa-east-1"
    };
    private static final String[] OS = {"Ubuntu16.10", "Ubuntu16.04LTS", "Ubuntu15.10"};
    private static final String[] ARCH = {"x64", "x86"};
    private static final String[] TEAM = {"SF", "NYC", "LON", "CHI"};
    private static final String[] ENV = {"production", "staging", "test"};

    /** How values are rounded. */
    public enum ValueMode {
        INT,
        FLOAT
    }

    private final int hosts;
    private final ValueMode mode;
    private final SeriesKey[] keys;
    private final double[][] state;
    private final Random[] random;

    public CpuOnlyGenerator(int hosts, long seed, ValueMode mode) {
        this.hosts = hosts;
        this.mode = mode;
        this.keys = new SeriesKey[hosts];
        this.state = new double[hosts][FIELDS.size()];
        this.random = new Random[hosts];
        Random tags = new Random(seed);
        for (int h = 0; h < hosts; h++) {
            String region = REGIONS[tags.nextInt(REGIONS.length)];
            keys[h] = SeriesKey.of(
                    MEASUREMENT,
                    "hostname",
                    "host_" + h,
                    "region",
                    region,
                    "datacenter",
                    region + (char) ('a' + tags.nextInt(3)),
                    "rack",
                    Integer.toString(tags.nextInt(100)),
                    "os",
                    OS[tags.nextInt(OS.length)],
                    "arch",
                    ARCH[tags.nextInt(ARCH.length)],
                    "team",
                    TEAM[tags.nextInt(TEAM.length)],
                    "service",
                    Integer.toString(tags.nextInt(20)),
                    "service_version",
                    Integer.toString(tags.nextInt(2)),
                    "service_environment",
                    ENV[tags.nextInt(ENV.length)]);
            random[h] = new Random(seed * 31 + h);
            for (int f = 0; f < FIELDS.size(); f++) {
                state[h][f] = random[h].nextDouble() * 100;
            }
        }
    }

    public int hosts() {
        return hosts;
    }

    public SeriesKey key(int host) {
        return keys[host];
    }

    /**
     * Fills {@code out[row * 10 + field]} with the next {@code rows} rows of one host (rows advance that
     * host's random walks).
     */
    public void nextRows(int host, int rows, double[] out) {
        double[] s = state[host];
        Random r = random[host];
        for (int row = 0; row < rows; row++) {
            for (int f = 0; f < s.length; f++) {
                double v = s[f] + r.nextGaussian();
                v = Math.max(0, Math.min(100, v));
                s[f] = v;
                out[row * s.length + f] = mode == ValueMode.INT ? Math.rint(v) : Math.rint(v * 100) / 100;
            }
        }
    }
}
