package dev.mvmm.cli.support;

import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;

/** Points in time as operators type them on the command line. */
public final class Times {

    private Times() {
    }

    /**
     * {@code 2026-11-21} (local midnight), {@code 2026-11-21T03:00} (local time), or with an offset
     * ({@code 2026-11-21T03:00:00Z}, {@code ...+01:00}).
     *
     * @throws DateTimeParseException when it is none of these
     */
    public static Instant parse(String text) {
        String value = text.strip();
        if (value.length() == 10) {
            return LocalDate.parse(value).atStartOfDay(ZoneId.systemDefault()).toInstant();
        }
        if (value.endsWith("Z") || value.matches(".*[+-]\\d\\d:\\d\\d$")) {
            return OffsetDateTime.parse(value).toInstant();
        }
        return LocalDateTime.parse(value).atZone(ZoneId.systemDefault()).toInstant();
    }
}
