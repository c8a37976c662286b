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
 * No value (a VM, checkpoint or bitmap name, a path) is ever where a program could read it as an
 * option: it is attached to its option ({@code --domain=VM}) or follows {@code --}. The command
 * lines are built by the {@code *Command} methods, apart from running them, so that tests read them.
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

    /** The first program backups need that is not installed, or null when all are. */
    public String missingProgram() {
        for (String program : List.of("virtnbdbackup", "virtnbdrestore", "qemu-img", "virsh")) {
            if (!available(program)) {
                return program;
            }
        }
        return null;
    }

    public List<String> checkpoints(String vm) {
        CommandResult result = run(SHORT, checkpointListCommand(uri, vm));
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
        CommandResult result = run(SHORT, checkpointDeleteCommand(uri, vm, checkpoint, true));
        if (!result.succeeded()) {
            throw new BackupException("cannot delete checkpoint " + checkpoint + " of VM " + vm + ": "
                    + result.summary());
        }
    }

    /** Deletes a checkpoint of a running VM together with its bitmaps. */
    public void deleteCheckpoint(String vm, String checkpoint) {
        CommandResult result = run(SHORT, checkpointDeleteCommand(uri, vm, checkpoint, false));
        if (!result.succeeded()) {
            throw new BackupException("cannot delete checkpoint " + checkpoint + " of VM " + vm + ": "
                    + result.summary());
        }
    }

    public ImageInfo imageInfo(String file) {
        CommandResult result = run(SHORT, imageInfoCommand(file));
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
        CommandResult result = run(SHORT, removeBitmapCommand(file, bitmap));
        if (!result.succeeded()) {
            throw new BackupException("cannot remove bitmap " + bitmap + " from " + file + ": " + result.summary());
        }
    }

    public CommandResult virtnbdbackup(String vm, String level, Path target, List<String> extra) {
        return ExternalCommand.run(virtnbdbackupCommand(vm, level, target, extra), Map.of(), BACKUP, progress);
    }

    List<String> virtnbdbackupCommand(String vm, String level, Path target, List<String> extra) {
        List<String> command = new ArrayList<>(List.of("virtnbdbackup", "--uri=" + uri, "--domain=" + vm,
                "--level=" + level, "--output=" + target));
        if (progress == null) {
            command.add("--noprogress");
        }
        if ("copy".equals(level)) {
            // Raw images are skipped unless asked for; a copy is how they are backed up.
            command.add("--raw");
        }
        command.addAll(extra);
        return command;
    }

    /** Restores a chain (up to a checkpoint, when given) into a directory. */
    public CommandResult virtnbdrestore(Path chain, Path output, String until) {
        return virtnbdrestore(chain, output, until, null);
    }

    /** As above, one disk only when {@code disk} is given. */
    public CommandResult virtnbdrestore(Path chain, Path output, String until, String disk) {
        return ExternalCommand.run(virtnbdrestoreCommand(chain, output, until, disk), Map.of(), BACKUP, progress);
    }

    List<String> virtnbdrestoreCommand(Path chain, Path output, String until, String disk) {
        List<String> command = new ArrayList<>(List.of("virtnbdrestore", "--input=" + chain, "--output=" + output));
        if (progress == null) {
            command.add("--noprogress");
        }
        if (until != null) {
            command.add("--until=" + until);
        }
        if (disk != null) {
            command.add("--disk=" + disk);
        }
        return command;
    }

    public CommandResult check(Path image) {
        return run(BACKUP, checkCommand(image));
    }

    /** A thin copy of an image in the given format (qemu-img convert keeps holes and zero clusters sparse). */
    public CommandResult convert(Path from, Path to, String format) {
        return run(BACKUP, convertCommand(from, to, format));
    }

    public CommandResult compare(Path a, Path b) {
        return run(BACKUP, compareCommand(a, b));
    }

    static List<String> checkpointListCommand(String uri, String vm) {
        return List.of("virsh", "--connect=" + uri, "checkpoint-list", "--domain=" + vm, "--name", "--topological");
    }

    static List<String> checkpointDeleteCommand(String uri, String vm, String checkpoint, boolean metadataOnly) {
        List<String> command = new ArrayList<>(List.of("virsh", "--connect=" + uri, "checkpoint-delete",
                "--domain=" + vm, "--checkpointname=" + checkpoint));
        if (metadataOnly) {
            command.add("--metadata");
        }
        return command;
    }

    static List<String> imageInfoCommand(String file) {
        return List.of("qemu-img", "info", "--output=json", "--force-share", "--", file);
    }

    static List<String> removeBitmapCommand(String file, String bitmap) {
        return List.of("qemu-img", "bitmap", "--remove", "--", file, bitmap);
    }

    static List<String> checkCommand(Path image) {
        return List.of("qemu-img", "check", "--", image.toString());
    }

    static List<String> convertCommand(Path from, Path to, String format) {
        return List.of("qemu-img", "convert", "-q", "-O", format, "--", from.toString(), to.toString());
    }

    static List<String> compareCommand(Path a, Path b) {
        return List.of("qemu-img", "compare", "--force-share", "--", a.toString(), b.toString());
    }

    private static CommandResult run(Duration timeout, List<String> command) {
        return ExternalCommand.run(command, Map.of(), timeout);
    }
}
