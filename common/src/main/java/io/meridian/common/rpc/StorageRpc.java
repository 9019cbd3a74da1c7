package io.meridian.common.rpc;

/** Constants of the storage node contract ({@code meridian/storage/v1/storage.proto}). */
public final class StorageRpc {
    /**
     * The revision of the v1 contract this build implements ({@code HealthResponse.protocol_revision}; the version
     * log at the top of storage.proto has each revision in full). Revision 1: Write, Stage, Commit, Abort,
     * DeclareField, LeafQuery, ListMetrics, ListFields, ListTagValues, Health. Revision 2: replication (Fetch,
     * Snapshot, the replicas' log positions, BUSY and NOT_REPLICATED). Revision 3: {@code ListFieldsResponse.tag_keys},
     * {@code LeafQueryRequest.group_limit}. Revision 4: leaves answer the window their data can be in; {@code "*"}
     * fields. Revision 5: {@code LeafQueryRequest.transforms} (STDDEV/VARIANCE moments, counter increments), the
     * COUNTER field type. Revision 6: partial-carrying writes ({@code PointBatch.partials}, #18),
     * {@code WriteResponse.cells}, {@code FetchRequest.protocol_revision}; writers gate partials on a node's revision
     * (a revision-5 node would refuse them as an empty batch). Revision 7: {@code LeafQueryRequest.rows_exist_only}.
     * Revision 8: Flush. Revision 9: {@code PartialAgg.min_ts} and {@code max_ts} in query answers. Revision 10:
     * {@code SeriesRows.key}, a series' canonical key bytes in place of its metric and tags.
     */
    public static final int PROTOCOL_REVISION = 10;

    /**
     * The first revision that takes partial-carrying writes: writers check a leader's
     * {@code HealthResponse.protocol_revision} before sending it partials, and leaders a follower's
     * {@code FetchRequest.protocol_revision} before shipping it partial ops.
     */
    public static final int PARTIAL_WRITES_REVISION = 6;

    /** Cells per leaf result chunk when the request leaves it 0 (a few hundred KiB per chunk). */
    public static final int DEFAULT_CELLS_PER_CHUNK = 4096;

    /** Upper bound of {@code LeafQueryRequest.max_cells_per_chunk}. */
    public static final int MAX_CELLS_PER_CHUNK = 65_536;

    /** Nesting bound of a {@code TagFilter} tree (protobuf's own parser stops at 100). */
    public static final int MAX_FILTER_DEPTH = 32;

    private StorageRpc() {}
}
