package dev.mvmm.cli.support;

import java.io.OutputStream;

/** Progress meters are for a person watching: shown only when the command runs on a terminal. */
public final class Terminal {

    private Terminal() {
    }

    /** Standard error when stdin and stdout are a terminal (results stay on stdout), else null. */
    public static OutputStream meter() {
        return System.console() != null ? System.err : null;
    }
}
