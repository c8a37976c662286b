package dev.mvmm.core.backup;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/** A chain's id: the UTC time its full backup began, ISO 8601 basic ({@code 20261121T135203Z}). */
final class ChainIds {

    private static final DateTimeFormatter FORMAT = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'")
            .withZone(ZoneOffset.UTC);

    private ChainIds() {
    }

    static String of(Instant at) {
        return FORMAT.format(at);
    }
}
