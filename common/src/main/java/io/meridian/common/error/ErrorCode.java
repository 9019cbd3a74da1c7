package io.meridian.common.error;

/**
 * Stable error codes. The numeric code never changes once released; names and descriptions may.
 * Each code maps onto an HTTP status (JSON error bodies), a gRPC status and a JDBC SQLState.
 */
public enum ErrorCode {
    INVALID_INPUT(1, 400, "22000", "the request is invalid"),
    INVALID_NAME(2, 400, "42602", "a metric, tag or field name is invalid"),
    TYPE_CONFLICT(3, 409, "42804", "a field's type conflicts with its declared type"),
    OUT_OF_RETENTION(4, 400, "22008", "a timestamp is outside the writable window"),
    LIMIT_EXCEEDED(5, 429, "54000", "a configured limit was exceeded"),
    NOT_FOUND(6, 404, "42704", "the named object does not exist"),
    ALREADY_EXISTS(7, 409, "42710", "the named object already exists"),
    NOT_LEADER(20, 503, "08006", "this node is not the leader for the shard at this epoch"),
    SHARD_UNAVAILABLE(21, 503, "08006", "the shard is not available"),
    META_UNAVAILABLE(22, 503, "08001", "the metadata store is not reachable"),
    BUSY(23, 503, "53000", "the node is over a memory or replication-lag bound; retry later"),
    NOT_REPLICATED(24, 503, "08006", "too few replicas acknowledged the write in time; retry"),
    QUERY_TIMEOUT(25, 504, "57014", "the query did not finish within its timeout"),
    QUERY_CANCELLED(26, 499, "57014", "the query was cancelled (the client went away)"),
    IDC_UNAVAILABLE(27, 503, "08006", "a data centre did not answer; allow partial results to get the rest"),
    DISK_FULL(
            28,
            507,
            "53100",
            "a storage node's data directory is at its free-space watermark; writes resume when " + "space returns"),
    CORRUPT_DATA(40, 500, "XX001", "stored data is corrupt"),
    FORMAT_VERSION(41, 500, "XX002", "stored data has an unsupported format version"),
    STORAGE_IO(42, 500, "58030", "an I/O operation failed"),
    BUG(99, 500, "XX000", "an internal invariant was broken");

    private final int code;
    private final int httpStatus;
    private final String sqlState;
    private final String description;

    ErrorCode(int code, int httpStatus, String sqlState, String description) {
        this.code = code;
        this.httpStatus = httpStatus;
        this.sqlState = sqlState;
        this.description = description;
    }

    public int code() {
        return code;
    }

    /** The code with the given stable number, or {@link #BUG} for a number this build does not know. */
    public static ErrorCode ofCode(int code) {
        for (ErrorCode c : values()) {
            if (c.code == code) {
                return c;
            }
        }
        return BUG;
    }

    public int httpStatus() {
        return httpStatus;
    }

    public String sqlState() {
        return sqlState;
    }

    public String description() {
        return description;
    }
}
