package io.meridian.common.error;

/** Stored bytes failed a check (magic, checksum, bounds). Names the file and the offset. */
public final class CorruptDataException extends MeridianException {
    private final String file;
    private final long offset;

    public CorruptDataException(String file, long offset, String reason) {
        this(file, offset, reason, null);
    }

    public CorruptDataException(String file, long offset, String reason, Throwable cause) {
        super(ErrorCode.CORRUPT_DATA, "corrupt data [file=" + file + ", offset=" + offset + "]: " + reason, cause);
        this.file = file;
        this.offset = offset;
    }

    public String file() {
        return file;
    }

    public long offset() {
        return offset;
    }
}
