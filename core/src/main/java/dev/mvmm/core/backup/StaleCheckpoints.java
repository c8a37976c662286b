package dev.mvmm.core.backup;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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

    /**
     * @param known  libvirt's checkpoints of the VM as just read, or null to read them
     * @param images per disk target, {@code qemu-img info} of its image as just read, or null to read them
     */
    static void clean(Tools tools, String vm, List<DomainDisks.Disk> disks, boolean running, List<String> known,
            Map<String, Tools.ImageInfo> images) {
        List<String> stale = known != null ? known : tools.checkpoints(vm);
        boolean deleted = false;
        for (int i = stale.size() - 1; i >= 0; i--) {
            if (!stale.get(i).startsWith(PREFIX)) {
                continue;
            }
            deleted = true;
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
            // Deleting a running VM's checkpoint removes its bitmaps too: the image is then read again.
            boolean current = images != null && images.containsKey(disk.target()) && !(running && deleted);
            Tools.ImageInfo image = current ? images.get(disk.target()) : tools.imageInfo(disk.file());
            for (String bitmap : image.bitmaps()) {
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
