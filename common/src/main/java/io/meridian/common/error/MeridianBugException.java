package io.meridian.common.error;

/** An internal invariant was broken. Always a bug in Meridian, never the user's fault. */
public final class MeridianBugException extends MeridianException {
    public MeridianBugException(String message) {
        super(ErrorCode.BUG, "BUG: " + message, null);
    }
}
