package dev.mvmm.core.power;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mvmm.core.PrivateFiles;
import dev.mvmm.core.VmNames;
import dev.mvmm.core.host.PowerState;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.Optional;
import org.tinylog.Logger;

/**
 * The {@link PowerMarker}s, one small JSON file per VM, {@code <VM>.json} in a directory beside the
 * state database ({@code power/}). A file rather than a row: the marker must outlive a damaged
 * database being moved aside (a VM mvmm stopped must be started even then), and writing it must not
 * wait on a database another process holds. Written atomically (a hidden temporary file, synced and
 * renamed) so that a reader sees a whole marker or none; owner-only, like the database.
 *
 * <p>Markers of earlier mvmm versions, {@code backup_path/.<VM>.started-paused-by-mvmm} (backup) and
 * {@code backup_path/.<VM>.stopped-for-restore-by-mvmm} (in-place restore), are read once by
 * {@link #read(String, Path)}: turned into a marker here and deleted.
 */
public final class PowerMarkers {

    /** Made on first use: a check of VMs without markers (the usual case) does not load Jackson. */
    private static final class Json {
        static final ObjectMapper MAPPER = new ObjectMapper();
    }
    private static final String LEGACY_PAUSED = ".started-paused-by-mvmm";
    private static final String LEGACY_STOPPED = ".stopped-for-restore-by-mvmm";

    private final Path directory;

    public PowerMarkers(Path directory) {
        this.directory = directory;
    }

    public Path directory() {
        return directory;
    }

    /** Writes (or replaces) the VM's marker; throws before anything is changed when it cannot. */
    public void write(PowerMarker marker) {
        Path file = file(marker.vm());
        Path temporary = directory.resolve("." + marker.vm() + ".json.tmp");
        ObjectNode json = Json.MAPPER.createObjectNode();
        json.put("vm", marker.vm());
        json.put("operation", marker.operation());
        json.put("restore_to", marker.restoreTo().name());
        json.put("since", marker.since().toString());
        json.put("pid", marker.pid());
        try {
            PrivateFiles.createDirectories(directory);
            Files.writeString(temporary, json.toString() + "\n", StandardCharsets.UTF_8);
            PrivateFiles.ownerOnly(temporary);
            try (FileChannel channel = FileChannel.open(temporary, StandardOpenOption.WRITE)) {
                channel.force(true);
            }
            Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            try {
                Files.deleteIfExists(temporary);
            } catch (IOException ignored) {
                // The write failed already; that is the error worth reporting.
            }
            throw new PowerMarkerException("cannot write " + file + " (it tells a later run to put VM "
                    + marker.vm() + " back " + marker.restoreTo().label() + " if this one is cut off): "
                    + e.getMessage() + "; nothing was changed", e);
        }
    }

    /** The VM's marker, if it has one. */
    public Optional<PowerMarker> read(String vm) {
        Path file = file(vm);
        if (!Files.exists(file)) {
            // The common case, and a monitor asks at every check: a stat is cheaper than an exception.
            return Optional.empty();
        }
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw unreadable(file, e.getMessage(), e);
        }
        try {
            JsonNode json = Json.MAPPER.readTree(text);
            return Optional.of(new PowerMarker(vm, json.path("operation").asText("an mvmm operation"),
                    PowerState.valueOf(json.path("restore_to").asText()), Instant.parse(json.path("since").asText()),
                    json.path("pid").asLong(0)));
        } catch (IOException | RuntimeException e) {
            throw unreadable(file, "not a marker mvmm wrote (" + e.getMessage() + ")", e);
        }
    }

    /**
     * The VM's marker, taking over one an earlier mvmm version left in {@code legacyDirectory} (its
     * {@code backup_path}; null for none): that one is turned into a marker here and deleted.
     */
    public Optional<PowerMarker> read(String vm, Path legacyDirectory) {
        Optional<PowerMarker> marker = read(vm);
        if (marker.isPresent() || legacyDirectory == null) {
            return marker;
        }
        for (Path legacy : legacyFiles(vm, legacyDirectory)) {
            PowerMarker adopted = legacyMarker(vm, legacy);
            if (adopted != null) {
                write(adopted);
                try {
                    Files.delete(legacy);
                } catch (IOException e) {
                    Logger.tag(vm).warn("cannot delete the old marker {}: {}; delete it by hand", legacy,
                            e.getMessage());
                }
                Logger.tag(vm).info("took over the marker {} of an earlier mvmm version as {}", legacy, file(vm));
                return Optional.of(adopted);
            }
        }
        return Optional.empty();
    }

    /** As {@link #read(String, Path)}, but changes nothing: an old-style marker is left where it is (dry runs). */
    public Optional<PowerMarker> peek(String vm, Path legacyDirectory) {
        Optional<PowerMarker> marker = read(vm);
        if (marker.isPresent() || legacyDirectory == null) {
            return marker;
        }
        return legacyFiles(vm, legacyDirectory).stream().map(legacy -> legacyMarker(vm, legacy))
                .filter(java.util.Objects::nonNull).findFirst();
    }

    private static java.util.List<Path> legacyFiles(String vm, Path legacyDirectory) {
        return java.util.List.of(legacyDirectory.resolve("." + vm + LEGACY_PAUSED),
                legacyDirectory.resolve("." + vm + LEGACY_STOPPED));
    }

    private static PowerMarker legacyMarker(String vm, Path legacy) {
        if (!Files.isRegularFile(legacy)) {
            return null;
        }
        Instant since;
        try {
            since = Instant.parse(Files.readString(legacy, StandardCharsets.UTF_8).strip());
        } catch (IOException | RuntimeException e) {
            since = Instant.EPOCH;
        }
        boolean paused = legacy.getFileName().toString().endsWith(LEGACY_PAUSED);
        return new PowerMarker(vm, paused ? "backup" : "restore --in-place", paused ? PowerState.SHUT_OFF
                : PowerState.RUNNING, since, 0);
    }

    /**
     * Removes the VM's marker once it is back as it was. A marker that cannot be removed is logged
     * as an error: it would make a later run put the VM back again, which is harmless only while the
     * VM stays as it is now.
     */
    public void remove(String vm) {
        Path file = file(vm);
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            Logger.tag(vm).error("cannot remove {}: {}; remove it by hand, or a later check may start or stop "
                    + "the VM again", file, e.getMessage());
        }
    }

    /** The VM's marker file; a name that could leave the directory is refused, never resolved. */
    Path file(String vm) {
        return directory.resolve(fileName(vm));
    }

    /** The name of the VM's marker file in {@link #directory()}. */
    public static String fileName(String vm) {
        return VmNames.require(vm) + ".json";
    }

    private static PowerMarkerException unreadable(Path file, String why, Throwable cause) {
        return new PowerMarkerException("cannot read " + file + ": " + why + "; mvmm leaves the VM's power as it "
                + "is until the file is fixed or removed", cause);
    }
}
