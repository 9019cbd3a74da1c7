package io.meridian.storage.log;

/**
 * Framing of append-only record files (WAL segments, the series dictionary, the field schema); see
 * FORMAT.md beside this class.
 *
 * <pre>
 * file   := header record*
 * header := magic:8 bytes (per file kind) version:u16 reserved:u16
 * record := length:u32 crc:u32 type:u8 payload:(length - 1 bytes)      crc = CRC-32C(type payload)
 * </pre>
 */
public final class RecordFileFormat {
    /** Version 1: the first format. */
    public static final int VERSION_1 = 1;

    public static final int VERSION_CURRENT = VERSION_1;
    public static final int VERSION_MIN = VERSION_1;
    public static final int MAGIC_LENGTH = 8;
    public static final int HEADER_LENGTH = MAGIC_LENGTH + 2 + 2;
    public static final int RECORD_HEADER_LENGTH = 4 + 4;
    /** Largest record accepted when reading; a longer length field means a torn or corrupt tail. */
    public static final int MAX_RECORD_BYTES = 256 << 20;

    private RecordFileFormat() {}
}
