package io.meridian.common.error;

/** A file or message has a format version this build cannot read (too old or too new). */
public final class FormatVersionException extends MeridianException {
    public FormatVersionException(String file, int version, int minVersion, int maxVersion) {
        super(
                ErrorCode.FORMAT_VERSION,
                "unsupported format version [file=" + file + "]: got " + version + "; want " + minVersion + ".."
                        + maxVersion,
                null);
    }
}
