package dev.mvmm.core.backup;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * The one time stamp of backup names and ids: UTC, ISO 8601 basic ({@code 20261121T135203Z}), no
 * colons (rsync and ssh would take a colon for a host separator). Chain ids, archive names and
 * restore directories all use it.
 */
public final class Stamps {

    /** The pattern a stamp matches, for recognising names. */
    public static final String PATTERN = "\\d{8}T\\d{6}Z";

    private static final DateTimeFormatter FORMAT = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'")
            .withZone(ZoneOffset.UTC);

    private Stamps() {
    }

    public static String of(Instant at) {
        return FORMAT.format(at);
    }

    public static Instant parse(String stamp) {
        return FORMAT.parse(stamp, Instant::from);
    }
}
