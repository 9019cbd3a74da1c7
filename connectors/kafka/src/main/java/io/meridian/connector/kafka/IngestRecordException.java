package io.meridian.connector.kafka;

import io.meridian.common.error.ErrorCode;
import io.meridian.common.error.InvalidInputException;
import java.util.Objects;

/**
 * An ingest-topic record that cannot be decoded (missing {@code db} header, unknown format, bad key, payload
 * that does not parse). Never retriable: the same bytes fail the same way, so a consumer dead-letters the
 * record with {@link #reason()} and goes on. The message names the topic, partition and offset.
 */
public final class IngestRecordException extends InvalidInputException {
    private final IngestRecord.Source source;
    private final String reason;

    public IngestRecordException(IngestRecord.Source source, String reason, Throwable cause) {
        super(ErrorCode.INVALID_INPUT, "cannot decode ingest record [" + source + "]: " + reason, cause);
        this.source = Objects.requireNonNull(source, "source");
        this.reason = Objects.requireNonNull(reason, "reason");
    }

    /** Where the bad record is. */
    public IngestRecord.Source source() {
        return source;
    }

    /** What is wrong with it, without the location (the value of the dead-letter reason header). */
    public String reason() {
        return reason;
    }
}
