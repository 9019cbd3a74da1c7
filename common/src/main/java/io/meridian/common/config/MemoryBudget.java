package io.meridian.common.config;

import java.util.List;
import java.util.Objects;

/**
 * The heap shares a process declares (docs/configuration.md, "Memory"), checked against its heap at start-up:
 * when the bounded parts together would take more than {@value #USABLE_PERCENT}% of the heap, the process does not
 * start, and the error names every share with its key and size, so that an operator sees what to lower (or how
 * much heap to give). The rest of the heap is for what no share bounds: the code, caches of metadata, connections,
 * in-flight copies of requests while they are parsed.
 */
public final class MemoryBudget {
    /** The part of the heap the declared shares may take together. */
    public static final int USABLE_PERCENT = 75;

    /** One bounded use of the heap: the configuration key that sets it, what it is for, its size. */
    public record Share(String key, String what, long bytes) {
        public Share {
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(what, "what");
        }
    }

    private MemoryBudget() {}

    /**
     * @param role      names the process in the error, e.g. {@code storage}
     * @param heapBytes the heap ({@code Runtime.maxMemory()})
     * @param javaOpts  where the heap is set, for the hint, e.g. {@code MERIDIAN_STORAGE_JAVA_OPTS=-Xmx2g}
     * @throws ConfigException naming each share when they do not fit
     */
    public static void check(String role, long heapBytes, List<Share> shares, String javaOpts) {
        long total = 0;
        for (Share s : shares) {
            total += s.bytes();
        }
        long usable = heapBytes - heapBytes / 4; // USABLE_PERCENT, exact for power-of-two heaps
        if (total <= usable) {
            return;
        }
        StringBuilder each = new StringBuilder();
        for (Share s : shares) {
            each.append(each.length() == 0 ? "" : ", ")
                    .append(s.key())
                    .append('=')
                    .append(DataSize.format(s.bytes()))
                    .append(" (")
                    .append(s.what())
                    .append(')');
        }
        throw new ConfigException("memory shares do not fit the heap [role=" + role + ", heap="
                + DataSize.format(heapBytes) + ", usable=" + USABLE_PERCENT + "% = " + DataSize.format(usable)
                + ", shares=" + DataSize.format(total) + "]: " + each + "; lower them, or give the process more heap ("
                + javaOpts + ")");
    }
}
