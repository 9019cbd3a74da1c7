package io.meridian.storage.part;

import java.nio.charset.StandardCharsets;

/**
 * Constants of the part file format; the grammar and the diagram are in FORMAT.md beside this class.
 *
 * <pre>
 * part   := header block* index footer
 * header := magic:"MRDPART1" version:u16 reserved:u16 intervalMs:i64 segmentStartMs:i64 slotCount:i32 headerCrc:u32
 * block  := payloadLength:u32 payloadCrc:u32 payload
 * index  := entryCount:u32 (seriesId:u32 fieldId:u32 fieldType:u8 blockOffset:u64 blockLength:u32)*
 *           [ seriesCount:u32 (seriesId:u32 rowsOffset:u32 rowsLength:u32)* rows:bytes ]  (v4: the rows)
 * footer := indexOffset:u64 indexLength:u32 indexCrc:u32 magic:"MRDPEND1"
 * </pre>
 *
 * All integers are little-endian; every CRC is CRC-32C.
 */
public final class PartFormat {
    public static final byte[] MAGIC = "MRDPART1".getBytes(StandardCharsets.US_ASCII);
    public static final byte[] FOOTER_MAGIC = "MRDPEND1".getBytes(StandardCharsets.US_ASCII);
    /** Version 1: the first format. */
    public static final int VERSION_1 = 1;
    /** Version 2: adds the RICE long column kind (3); everything else as v1, so v1 parts read unchanged. */
    public static final int VERSION_2 = 2;
    /** Version 3: adds block mode PREDICTED (2) for multi-point slots; v1 and v2 parts read unchanged. */
    public static final int VERSION_3 = 3;
    /**
     * Version 4: the index ends with each series' rows (the slots with a point in any of its fields) as a Roaring
     * bitmap, so COUNT(*) and DISTINCT read them instead of the blocks; v1-v3 parts read unchanged (without rows).
     */
    public static final int VERSION_4 = 4;

    public static final int VERSION_CURRENT = VERSION_4;
    public static final int VERSION_MIN = VERSION_1;

    public static final int MAGIC_OFFSET = 0;
    public static final int MAGIC_LENGTH = 8;
    public static final int VERSION_OFFSET = MAGIC_OFFSET + MAGIC_LENGTH;
    public static final int RESERVED_OFFSET = VERSION_OFFSET + 2;
    public static final int INTERVAL_OFFSET = RESERVED_OFFSET + 2;
    public static final int SEGMENT_START_OFFSET = INTERVAL_OFFSET + 8;
    public static final int SLOT_COUNT_OFFSET = SEGMENT_START_OFFSET + 8;
    public static final int HEADER_CRC_OFFSET = SLOT_COUNT_OFFSET + 4;
    public static final int HEADER_LENGTH = HEADER_CRC_OFFSET + 4;

    public static final int BLOCK_HEADER_LENGTH = 8;
    public static final int INDEX_ENTRY_LENGTH = 4 + 4 + 1 + 8 + 4;
    public static final int FOOTER_LENGTH = 8 + 4 + 4 + 8;
    public static final int ROW_SUMMARY_ENTRY_LENGTH = 4 + 4 + 4;

    private PartFormat() {}
}
