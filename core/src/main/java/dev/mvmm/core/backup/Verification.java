package dev.mvmm.core.backup;

import dev.mvmm.core.exec.CommandResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Checks that a stored chain really restores: virtnbdrestore into scratch space beside it, then
 * {@code qemu-img check} on every image, and, when the VM was shut off for the backup (its disks
 * have not changed since), {@code qemu-img compare} against the live disks. virtnbdbackup 1.9 has
 * no verify action of its own.
 */
public final class Verification {

    private Verification() {
    }

    /** Null when the chain restores and checks out; otherwise what is wrong. */
    public static String verify(Tools tools, Path chain, List<DomainDisks.Disk> disks, boolean compareLive,
            String until) {
        Path scratch = chain.resolveSibling("." + chain.getFileName() + ".verify-" + ProcessHandle.current().pid());
        try {
            Archives.delete(scratch);
            CommandResult restored = tools.virtnbdrestore(chain, scratch, until);
            if (!restored.succeeded()) {
                return "verify: virtnbdrestore failed: " + restored.summary();
            }
            for (DomainDisks.Disk disk : disks) {
                Path image = scratch.resolve(Path.of(disk.file()).getFileName());
                if (!Files.exists(image)) {
                    return "verify: the restore holds no image for disk " + disk.target();
                }
                CommandResult check = tools.check(image);
                if (!check.succeeded()) {
                    return "verify: qemu-img check of disk " + disk.target() + " failed: " + check.summary();
                }
                if (compareLive) {
                    CommandResult compare = tools.compare(image, Path.of(disk.file()));
                    if (!compare.succeeded()) {
                        return "verify: restored disk " + disk.target() + " differs from the VM's disk: "
                                + compare.stdout().strip();
                    }
                }
            }
            return null;
        } finally {
            try {
                Archives.delete(scratch);
            } catch (BackupException e) {
                // Scratch space left behind is named for the process and swept by the next verify.
            }
            if (Files.exists(scratch)) {
                try {
                    Files.deleteIfExists(scratch);
                } catch (IOException ignored) {
                    // As above.
                }
            }
        }
    }
}
