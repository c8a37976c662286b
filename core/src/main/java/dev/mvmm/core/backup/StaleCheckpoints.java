package dev.mvmm.core.backup;

import java.util.ArrayList;
import java.util.List;
import org.tinylog.Logger;

/**
 * Before a new full chain: virtnbdbackup's stale checkpoints and bitmaps make the full backup fail
 * ("Bitmap already exists"), so every {@code virtnbdbackup.*} one is removed — through libvirt while
 * the VM runs, with {@code qemu-img bitmap --remove} when it is shut off. Bitmaps libvirt has no
 * checkpoint for (its metadata was lost) are removed from a running VM too, without a restart.
 */
final class StaleCheckpoints {

    private static final String PREFIX = "virtnbdbackup.";

    private StaleCheckpoints() {
    }

    static void clean(Tools tools, String vm, List<DomainDisks.Disk> disks, boolean running) {
        List<String> stale = tools.checkpoints(vm);
        for (int i = stale.size() - 1; i >= 0; i--) {
            if (!stale.get(i).startsWith(PREFIX)) {
                continue;
            }
            try {
                if (running) {
                    tools.deleteCheckpoint(vm, stale.get(i));
                } else {
                    tools.deleteCheckpointMetadata(vm, stale.get(i));
                }
            } catch (BackupException e) {
                // A checkpoint whose bitmap is already gone can only be forgotten.
                tools.deleteCheckpointMetadata(vm, stale.get(i));
            }
        }
        List<String> removed = new ArrayList<>();
        for (DomainDisks.Disk disk : disks) {
            for (String bitmap : tools.imageInfo(disk.file()).bitmaps()) {
                if (!bitmap.startsWith(PREFIX)) {
                    continue;
                }
                if (!running) {
                    tools.removeBitmap(disk.file(), bitmap);
                } else {
                    // The image's header lists the bitmaps QEMU loaded at start; libvirt knows none of them now.
                    tools.forgetBitmap(vm, disk.target(), bitmap);
                }
                removed.add(disk.target() + ":" + bitmap);
            }
        }
        if (!stale.isEmpty() || !removed.isEmpty()) {
            Logger.tag(vm).info("removed stale checkpoints {} and bitmaps {}", stale, removed);
        }
    }
}
