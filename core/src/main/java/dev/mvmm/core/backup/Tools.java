package dev.mvmm.core.backup;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mvmm.core.exec.CommandResult;
import dev.mvmm.core.exec.ExternalCommand;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The external programs of backups, each run as an argument list through {@link ExternalCommand}:
 * virsh (checkpoints, which libvirt-java does not expose), qemu-img, virtnbdbackup, virtnbdrestore.
 */
public class Tools {

    private static final Duration SHORT = Duration.ofMinutes(2);
    private static final Duration BACKUP = Duration.ofHours(24);

    private final String uri;
    private final java.io.OutputStream progress;

    public Tools(String uri) {
        this(uri, null);
    }

    /** @param progress where virtnbdbackup's and virtnbdrestore's progress goes (a terminal), or null */
    public Tools(String uri, java.io.OutputStream progress) {
        this.uri = uri;
        this.progress = progress;
    }

    /** Image facts from {@code qemu-img info}. */
    public record ImageInfo(String format, String compat, List<String> bitmaps, long virtualSize, long actualSize) {

        /** qcow2 v3 ({@code compat=1.1}) can hold persistent bitmaps; v2 cannot. */
        public boolean holdsBitmaps() {
            return "qcow2".equals(format) && "1.1".equals(compat);
        }
    }

    /** Whether a program is on the PATH. */
    public static boolean available(String program) {
        return dev.mvmm.core.exec.Programs.onPath(program);
    }

    /** Whether a program this class runs is installed (on the PATH). */
    public boolean installed(String program) {
        return available(program);
    }

    public List<String> checkpoints(String vm) {
        CommandResult result = run(SHORT, "virsh", "-c", uri, "checkpoint-list", vm, "--name", "--topological");
        if (!result.succeeded()) {
            throw new BackupException("cannot list the checkpoints of VM " + vm + ": " + result.summary());
        }
        List<String> names = new ArrayList<>();
        for (String line : result.stdout().split("\n")) {
            if (!line.isBlank()) {
                names.add(line.strip());
            }
        }
        return names;
    }

    /** Forgets a checkpoint in libvirt only; the disks' bitmaps are removed separately. */
    public void deleteCheckpointMetadata(String vm, String checkpoint) {
        CommandResult result = run(SHORT, "virsh", "-c", uri, "checkpoint-delete", vm, checkpoint, "--metadata");
        if (!result.succeeded()) {
            throw new BackupException("cannot delete checkpoint " + checkpoint + " of VM " + vm + ": "
                    + result.summary());
        }
    }

    /** Deletes a checkpoint of a running VM together with its bitmaps. */
    public void deleteCheckpoint(String vm, String checkpoint) {
        CommandResult result = run(SHORT, "virsh", "-c", uri, "checkpoint-delete", vm, checkpoint);
        if (!result.succeeded()) {
            throw new BackupException("cannot delete checkpoint " + checkpoint + " of VM " + vm + ": "
                    + result.summary());
        }
    }

    public ImageInfo imageInfo(String file) {
        CommandResult result = run(SHORT, "qemu-img", "info", "--output=json", "--force-share", file);
        if (!result.succeeded()) {
            throw new BackupException("cannot read disk image " + file + ": " + result.summary());
        }
        try {
            JsonNode info = new ObjectMapper().readTree(result.stdout());
            JsonNode data = info.path("format-specific").path("data");
            List<String> bitmaps = new ArrayList<>();
            data.path("bitmaps").forEach(bitmap -> bitmaps.add(bitmap.path("name").asText()));
            return new ImageInfo(info.path("format").asText(), data.path("compat").asText(null), bitmaps,
                    info.path("virtual-size").asLong(), info.path("actual-size").asLong());
        } catch (java.io.IOException e) {
            throw new BackupException("cannot parse qemu-img's answer for " + file + ": " + e.getMessage());
        }
    }

    public void removeBitmap(String file, String bitmap) {
        CommandResult result = run(SHORT, "qemu-img", "bitmap", "--remove", file, bitmap);
        if (!result.succeeded()) {
            throw new BackupException("cannot remove bitmap " + bitmap + " from " + file + ": " + result.summary());
        }
    }

    public CommandResult virtnbdbackup(String vm, String level, Path target, List<String> extra) {
        List<String> command = new ArrayList<>(List.of("virtnbdbackup", "-U", uri, "-d", vm, "-l", level, "-o",
                target.toString()));
        if (progress == null) {
            command.add("--noprogress");
        }
        if ("copy".equals(level)) {
            // Raw images are skipped unless asked for; a copy is how they are backed up.
            command.add("--raw");
        }
        command.addAll(extra);
        return ExternalCommand.run(command, Map.of(), BACKUP, progress);
    }

    /** Restores a chain (up to a checkpoint, when given) into a directory. */
    public CommandResult virtnbdrestore(Path chain, Path output, String until) {
        return virtnbdrestore(chain, output, until, null);
    }

    /** As above, one disk only when {@code disk} is given. */
    public CommandResult virtnbdrestore(Path chain, Path output, String until, String disk) {
        List<String> command = new ArrayList<>(List.of("virtnbdrestore", "-i", chain.toString(), "-o",
                output.toString()));
        if (progress == null) {
            command.add("--noprogress");
        }
        if (until != null) {
            command.addAll(List.of("--until", until));
        }
        if (disk != null) {
            command.addAll(List.of("--disk", disk));
        }
        return ExternalCommand.run(command, Map.of(), BACKUP, progress);
    }

    public CommandResult check(Path image) {
        return run(BACKUP, "qemu-img", "check", image.toString());
    }

    /** A thin copy of an image in the given format (qemu-img convert keeps holes and zero clusters sparse). */
    public CommandResult convert(Path from, Path to, String format) {
        return run(BACKUP, "qemu-img", "convert", "-q", "-O", format, from.toString(), to.toString());
    }

    public CommandResult compare(Path a, Path b) {
        return run(BACKUP, "qemu-img", "compare", "--force-share", a.toString(), b.toString());
    }

    private static CommandResult run(Duration timeout, String... command) {
        return ExternalCommand.run(List.of(command), Map.of(), timeout);
    }
}
