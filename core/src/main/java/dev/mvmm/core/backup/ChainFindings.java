package dev.mvmm.core.backup;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.tinylog.Logger;

/**
 * Gathers what {@link ChainCheck} judges: libvirt's checkpoints, the disks' bitmaps and their health,
 * and the VM's identity and disks now and when the chain's newest checkpoint was taken.
 */
final class ChainFindings {

    private ChainFindings() {
    }

    /**
     * @param images  per disk target, {@code qemu-img info} of its image, read just now
     * @param libvirt libvirt's checkpoints of the VM ({@link Tools#checkpoints}), read just now
     * @param unsized for a running VM whose chain has checkpoints, {@link Tools#brokenBitmaps} of the chain's
     *                newest one (read beside the list, so whether libvirt has that checkpoint is decided here)
     */
    static ChainCheck.Findings gather(String vm, ChainFolder folder, DomainDisks domain,
            List<DomainDisks.Disk> disks, Map<String, Tools.ImageInfo> images, boolean running, List<String> libvirt,
            List<String> unsized) {
        Map<String, List<String>> bitmaps = null;
        Map<String, List<String>> unusable = new LinkedHashMap<>();
        String newest = folder.checkpoints().isEmpty() ? null : folder.checkpoints().get(folder.checkpoints().size() - 1);
        if (!running) {
            bitmaps = new LinkedHashMap<>();
            for (DomainDisks.Disk disk : disks) {
                Tools.ImageInfo image = images.get(disk.target());
                bitmaps.put(disk.target(), image.bitmaps());
                // No process has a shut-off VM's image open: "in-use" is a QEMU that never closed it.
                List<String> bad = new ArrayList<>(image.inUse());
                // Only the bitmap an incremental starts from must record writes (older libvirt disabled older ones).
                if (newest != null && image.disabled().contains(newest) && !bad.contains(newest)) {
                    bad.add(newest);
                }
                if (!bad.isEmpty()) {
                    unusable.put(disk.target(), bad);
                }
            }
        } else if (newest != null && libvirt.contains(newest) && unsized != null) {
            // A running QEMU's own view: a bitmap it loaded as inconsistent (or lost) has no size in libvirt.
            for (String target : unsized) {
                unusable.put(target, List.of(newest));
            }
        }
        Map<String, String> files = new LinkedHashMap<>();
        disks.forEach(disk -> files.put(disk.target(), disk.file()));
        String chainUuid = null;
        List<String> chainDisks = null;
        Map<String, String> chainFiles = null;
        Path config = folder.exists() ? folder.latestConfig() : null;
        if (config != null) {
            try {
                DomainDisks saved = DomainDisks.parse(Files.readString(config));
                chainUuid = saved.uuid();
                List<DomainDisks.Disk> savedDisks = saved.disks().stream().filter(DomainDisks.Disk::fileBacked)
                        .toList();
                chainDisks = savedDisks.stream().map(DomainDisks.Disk::target).toList();
                chainFiles = new LinkedHashMap<>();
                for (DomainDisks.Disk disk : savedDisks) {
                    chainFiles.put(disk.target(), disk.file());
                }
            } catch (IOException | IllegalArgumentException e) {
                Logger.tag(vm).warn("cannot read {}: {}", config, e.getMessage());
            }
        }
        return new ChainCheck.Findings(folder, libvirt, bitmaps, domain.uuid(), chainUuid,
                disks.stream().map(DomainDisks.Disk::target).toList(), chainDisks, files, chainFiles, unusable);
    }
}
