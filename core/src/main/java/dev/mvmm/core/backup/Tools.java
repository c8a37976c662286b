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

    /**
     * Image facts from {@code qemu-img info}.
     *
     * @param inUse    bitmaps flagged {@code in-use}: QEMU has the image open, or a QEMU that had it open
     *                 never closed it (killed, host crash), and then their content is lost
     * @param disabled bitmaps without the {@code auto} flag: they do not record writes
     */
    public record ImageInfo(String format, String compat, List<String> bitmaps, long virtualSize, long actualSize,
            List<String> inUse, List<String> disabled) {

        public ImageInfo(String format, String compat, List<String> bitmaps, long virtualSize, long actualSize) {
            this(format, compat, bitmaps, virtualSize, actualSize, List.of(), List.of());
        }

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

    /**
     * Ends a backup job the VM still has when no virtnbdbackup runs for it: after libvirtd was restarted
     * in the middle of a backup, QEMU keeps the job and every later virtnbdbackup fails on it ("Check with
     * virsh domjobinfo"). Returns whether there was one.
     */
    public boolean abortLeftoverBackupJob(String vm) {
        CommandResult info = run(SHORT, List.of("virsh", "--connect=" + uri, "domjobinfo", "--domain=" + vm));
        if (!info.succeeded() || !info.stdout().lines().anyMatch(line -> line.matches("Operation:\\s+Backup\\s*"))) {
            return false;
        }
        CommandResult aborted = run(SHORT, List.of("virsh", "--connect=" + uri, "domjobabort", "--domain=" + vm));
        if (!aborted.succeeded()) {
            throw new BackupException("VM " + vm + " still has the backup job of an earlier run, and it cannot be "
                    + "ended: " + aborted.summary() + "; try: virsh domjobabort " + vm);
        }
        return true;
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
            return parseImageInfo(result.stdout());
        } catch (java.io.IOException e) {
            throw new BackupException("cannot parse qemu-img's answer for " + file + ": " + e.getMessage());
        }
    }

    /** {@code qemu-img info --output=json}, read. */
    static ImageInfo parseImageInfo(String json) throws java.io.IOException {
        JsonNode info = new ObjectMapper().readTree(json);
        JsonNode data = info.path("format-specific").path("data");
        List<String> bitmaps = new ArrayList<>();
        List<String> inUse = new ArrayList<>();
        List<String> disabled = new ArrayList<>();
        for (JsonNode bitmap : data.path("bitmaps")) {
            String name = bitmap.path("name").asText();
            bitmaps.add(name);
            List<String> flags = new ArrayList<>();
            bitmap.path("flags").forEach(flag -> flags.add(flag.asText()));
            if (flags.contains("in-use")) {
                inUse.add(name);
            }
            if (!flags.contains("auto")) {
                disabled.add(name);
            }
        }
        return new ImageInfo(info.path("format").asText(), data.path("compat").asText(null), bitmaps,
                info.path("virtual-size").asLong(), info.path("actual-size").asLong(), inUse, disabled);
    }

    /**
     * The disks of a running VM whose bitmap for this checkpoint QEMU has lost or holds as
     * inconsistent: libvirt reports no size for them ({@code checkpoint-dumpxml --size}). Empty when
     * libvirt cannot say.
     */
    public List<String> brokenBitmaps(String vm, String checkpoint) {
        CommandResult result = run(SHORT, checkpointSizesCommand(uri, vm, checkpoint));
        if (!result.succeeded()) {
            org.tinylog.Logger.tag(vm).debug("cannot read the sizes of checkpoint {}: {}", checkpoint,
                    result.summary());
            return List.of();
        }
        return unsizedDisks(result.stdout());
    }

    /** The disks of a checkpoint definition whose bitmap has no size attribute. */
    static List<String> unsizedDisks(String checkpointXml) {
        List<String> disks = new ArrayList<>();
        try {
            javax.xml.parsers.DocumentBuilderFactory factory = javax.xml.parsers.DocumentBuilderFactory.newInstance();
            factory.setFeature(javax.xml.XMLConstants.FEATURE_SECURE_PROCESSING, true);
            factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            org.w3c.dom.Element root = factory.newDocumentBuilder().parse(new org.xml.sax.InputSource(
                    new java.io.StringReader(checkpointXml))).getDocumentElement();
            for (org.w3c.dom.Node section = root.getFirstChild(); section != null; section = section.getNextSibling()) {
                if (!"disks".equals(section.getNodeName())) {
                    continue;
                }
                for (org.w3c.dom.Node node = section.getFirstChild(); node != null; node = node.getNextSibling()) {
                    if (node instanceof org.w3c.dom.Element disk && "bitmap".equals(disk.getAttribute("checkpoint"))
                            && !disk.hasAttribute("size")) {
                        disks.add(disk.getAttribute("name"));
                    }
                }
            }
        } catch (Exception e) {
            throw new BackupException("cannot read libvirt's checkpoint definition: " + e.getMessage());
        }
        return disks;
    }

    /**
     * Removes a bitmap from a disk of a running VM that libvirt has no checkpoint for (its metadata was
     * lost): qemu-img cannot touch an image in use, so the checkpoint is redefined from nothing but the
     * bitmap's name and deleted again, and libvirt has QEMU remove the bitmap. No restart is needed.
     */
    public void forgetBitmap(String vm, String disk, String bitmap) {
        java.nio.file.Path file = null;
        try {
            file = java.nio.file.Files.createTempFile("mvmm-checkpoint", ".xml");
            // libvirt refuses a redefinition without a creation time.
            java.nio.file.Files.writeString(file, "<domaincheckpoint><name>" + xmlText(bitmap) + "</name><creationTime>"
                    + java.time.Instant.now().getEpochSecond() + "</creationTime><disks>"
                    + "<disk name='" + xmlText(disk) + "' checkpoint='bitmap' bitmap='" + xmlText(bitmap) + "'/>"
                    + "</disks></domaincheckpoint>");
            CommandResult result = run(SHORT, redefineCheckpointCommand(uri, vm, file));
            if (!result.succeeded()) {
                throw new BackupException("cannot remove the stale bitmap " + bitmap + " from disk " + disk
                        + " of VM " + vm + ": " + result.summary());
            }
            try {
                deleteCheckpoint(vm, bitmap);
            } catch (BackupException e) {
                // QEMU had no such bitmap after all (the header was older than QEMU's view): forget the name.
                deleteCheckpointMetadata(vm, bitmap);
            }
        } catch (java.io.IOException e) {
            throw new BackupException("cannot remove the stale bitmap " + bitmap + " of VM " + vm + ": "
                    + e.getMessage());
        } finally {
            if (file != null) {
                file.toFile().delete();
            }
        }
    }

    private static String xmlText(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace("'", "&apos;").replace("\"", "&quot;");
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

    static List<String> checkpointSizesCommand(String uri, String vm, String checkpoint) {
        return List.of("virsh", "--connect=" + uri, "checkpoint-dumpxml", "--domain=" + vm,
                "--checkpointname=" + checkpoint, "--size");
    }

    static List<String> redefineCheckpointCommand(String uri, String vm, java.nio.file.Path file) {
        return List.of("virsh", "--connect=" + uri, "checkpoint-create", "--domain=" + vm, "--xmlfile=" + file,
                "--redefine");
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
