package io.meridian.it.harness;

import java.io.File;

/** The class path node processes run with: this test JVM's own, which holds every Meridian module. */
final class TestClassPath {
    private TestClassPath() {}

    static String get() {
        // surefire/failsafe start the fork from a manifest-only jar and put the real test class path in
        // java.class.path; the booter jar is in surefire.real.class.path
        String cp = System.getProperty("java.class.path");
        if (cp == null || !cp.contains(File.pathSeparator) && cp.contains("surefirebooter")) {
            throw new IllegalStateException("BUG: no usable test class path [java.class.path=" + cp + "]");
        }
        return cp;
    }
}
