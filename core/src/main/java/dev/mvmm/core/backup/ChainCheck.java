package dev.mvmm.core.backup;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The chain consistency check: compares the chain directory with libvirt's checkpoints, the disks'
 * bitmaps and the VM's definition, and decides. Pure: every disaster of VM-Babysitter's table is a
 * test case. The rules: repair what can be repaired; otherwise archive and start a new full chain;
 * delete only a chain that holds nothing restorable.
 */
public final class ChainCheck {

    private ChainCheck() {
    }

    /**
     * What was found.
     *
     * @param libvirtCheckpoints the VM's checkpoints in libvirt, oldest first
     * @param bitmaps            per disk target, the bitmaps of its image; {@code null} when they
     *                           could not be read reliably
     * @param disks              the VM's current disk targets
     * @param chainDisks         the disk targets recorded with the chain's newest checkpoint
     *                           ({@code null} when unknown)
     * @param files              per disk target, its image file now
     * @param chainFiles         per disk target, its image file when the chain's newest checkpoint was
     *                           taken ({@code null} when unknown)
     * @param unusable           per disk target, the chain's bitmaps that exist but cannot be trusted
     *                           (left "in use" by a QEMU that never closed the image, disabled, or
     *                           reported broken by libvirt)
     */
    public record Findings(ChainFolder folder, List<String> libvirtCheckpoints, Map<String, List<String>> bitmaps,
            String uuid, String chainUuid, List<String> disks, List<String> chainDisks, Map<String, String> files,
            Map<String, String> chainFiles, Map<String, List<String>> unusable) {

        /** Findings without image paths or bitmap health: nothing moved, every bitmap sound. */
        public Findings(ChainFolder folder, List<String> libvirtCheckpoints, Map<String, List<String>> bitmaps,
                String uuid, String chainUuid, List<String> disks, List<String> chainDisks) {
            this(folder, libvirtCheckpoints, bitmaps, uuid, chainUuid, disks, chainDisks, Map.of(), null, Map.of());
        }
    }

    public static ChainPlan decide(Findings found, boolean fullRequested, Integer maxBackupsPerChain) {
        ChainFolder folder = found.folder();
        if (!folder.exists()) {
            return new ChainPlan.NewChain(ChainPlan.Previous.NONE, false, "no chain yet");
        }
        if (!folder.hasCpt() || folder.checkpoints().isEmpty() || !folder.hasFull()) {
            ChainPlan.Previous previous = folder.holdsData() ? ChainPlan.Previous.ARCHIVE : ChainPlan.Previous.DELETE;
            String what = !folder.partialFiles().isEmpty() && !folder.hasFull() ? "the first full backup was cut off"
                    : "the chain has no complete full backup";
            return new ChainPlan.NewChain(previous, true, what);
        }
        List<String> chain = folder.checkpoints();
        if (found.chainUuid() != null && found.uuid() != null && !found.chainUuid().equals(found.uuid())) {
            return new ChainPlan.NewChain(ChainPlan.Previous.ARCHIVE, true, "the VM was redefined (new UUID)");
        }
        if (found.chainDisks() != null && !found.chainDisks().equals(found.disks())) {
            return new ChainPlan.NewChain(ChainPlan.Previous.ARCHIVE, true, "its disks changed (" + found.chainDisks()
                    + " then, " + found.disks() + " now)");
        }
        String moved = moved(found);
        if (moved != null) {
            return new ChainPlan.NewChain(ChainPlan.Previous.ARCHIVE, true, moved);
        }
        String withoutData = withoutData(folder, chain);
        if (withoutData != null && !withoutData.equals(chain.get(chain.size() - 1))) {
            return new ChainPlan.NewChain(ChainPlan.Previous.ARCHIVE, true, "checkpoint " + withoutData
                    + " has no backup data (later incrementals would restore without its changes)");
        }
        // A run cut off after virtnbdbackup recorded its checkpoint but before the data file was begun
        // leaves no .partial: the newest checkpoint simply has no data. That is a cut-off incremental too;
        // taken for consistent, the next incremental would start from it and miss every change before it.
        if (!folder.partialFiles().isEmpty() || withoutData != null) {
            ChainPlan plan = repairOrArchive(found, chain);
            if (fullRequested && plan instanceof ChainPlan.Repair) {
                ChainPlan.Repair repair = (ChainPlan.Repair) plan;
                return new ChainPlan.NewChain(ChainPlan.Previous.ARCHIVE, false, "a full backup was asked for ("
                        + repair.reason() + " first)", repair.checkpoint());
            }
            return plan;
        }
        String mismatch = mismatch(found, chain);
        if (mismatch != null) {
            return new ChainPlan.NewChain(ChainPlan.Previous.ARCHIVE, true, mismatch);
        }
        if (fullRequested) {
            return new ChainPlan.NewChain(ChainPlan.Previous.ARCHIVE, false, "a full backup was asked for");
        }
        if (maxBackupsPerChain != null && maxBackupsPerChain > 0 && chain.size() - 1 >= maxBackupsPerChain) {
            return new ChainPlan.NewChain(ChainPlan.Previous.ARCHIVE, false, "the chain holds "
                    + (chain.size() - 1) + " incrementals (max_backups_per_chain=" + maxBackupsPerChain + ")");
        }
        return new ChainPlan.Extend("the chain is consistent (" + chain.size() + " checkpoints)");
    }

    /**
     * A cut-off incremental: its checkpoint is the newest one libvirt or the .cpt knows. The chain
     * before it is intact if the older checkpoints still agree.
     */
    private static ChainPlan repairOrArchive(Findings found, List<String> chain) {
        String last = found.libvirtCheckpoints().isEmpty() ? chain.get(chain.size() - 1)
                : found.libvirtCheckpoints().get(found.libvirtCheckpoints().size() - 1);
        List<String> before = chain.contains(last) ? chain.subList(0, chain.indexOf(last)) : chain;
        if (before.isEmpty()) {
            return new ChainPlan.NewChain(ChainPlan.Previous.ARCHIVE, true,
                    "a backup was cut off and nothing before it can be kept");
        }
        Findings rest = new Findings(found.folder(), without(found.libvirtCheckpoints(), last),
                found.bitmaps() == null ? null : withoutEach(found.bitmaps(), last), found.uuid(), found.chainUuid(),
                found.disks(), found.chainDisks(), found.files(), found.chainFiles(),
                withoutEach(found.unusable(), last));
        String mismatch = mismatch(rest, before);
        if (mismatch != null) {
            return new ChainPlan.NewChain(ChainPlan.Previous.ARCHIVE, true, "a backup was cut off and " + mismatch);
        }
        return new ChainPlan.Repair(last, "a backup was cut off at checkpoint " + last + "; dropping it");
    }

    /**
     * The first incremental checkpoint of the chain that lacks a data file for a disk its full backup
     * holds ({@code <disk>.inc.<checkpoint>.data} for every {@code <disk>.full.data}), or null.
     */
    static String withoutData(ChainFolder folder, List<String> chain) {
        List<String> disks = folder.dataFiles().stream().filter(name -> name.endsWith(".full.data"))
                .map(name -> name.substring(0, name.length() - ".full.data".length())).toList();
        for (String checkpoint : chain.subList(1, chain.size())) {
            for (String disk : disks) {
                if (!folder.dataFiles().contains(disk + ".inc." + checkpoint + ".data")) {
                    return checkpoint;
                }
            }
        }
        return null;
    }

    /** Why libvirt's checkpoints or the bitmaps disagree with the chain, or null when they agree. */
    private static String mismatch(Findings found, List<String> chain) {
        List<String> libvirt = found.libvirtCheckpoints();
        // libvirt forgets checkpoints when its metadata is lost (host crash, reinstall):
        // virtnbdbackup redefines them from checkpoints/, so a missing tail is fine, a stranger is not.
        if (!libvirt.isEmpty() && !Objects.equals(libvirt, chain)) {
            return "libvirt's checkpoints " + libvirt + " do not match the chain's " + chain;
        }
        // ...but only from checkpoints/<name>.xml: without it, every incremental would fail.
        for (String checkpoint : chain) {
            if (!libvirt.contains(checkpoint) && !found.folder().checkpointDefinitions().contains(checkpoint)) {
                return "libvirt lost checkpoint " + checkpoint + " and the chain has no checkpoints/" + checkpoint
                        + ".xml to redefine it from";
            }
        }
        if (found.bitmaps() != null) {
            for (Map.Entry<String, List<String>> disk : found.bitmaps().entrySet()) {
                // qemu-img lists bitmaps in no particular order.
                if (!new java.util.HashSet<>(disk.getValue()).equals(new java.util.HashSet<>(chain))
                        || disk.getValue().size() != chain.size()) {
                    return "disk " + disk.getKey() + " has bitmaps " + disk.getValue() + " where the chain has "
                            + chain;
                }
            }
        }
        for (Map.Entry<String, List<String>> disk : found.unusable().entrySet()) {
            List<String> bad = chain.stream().filter(disk.getValue()::contains).toList();
            if (!bad.isEmpty()) {
                return "disk " + disk.getKey() + " has inconsistent bitmaps " + bad + " (QEMU stopped without saving "
                        + "them: killed, or the host crashed); an incremental from them would miss changes";
            }
        }
        return null;
    }

    /**
     * Why the disks are not the images the chain was taken from (moved, or the VM redefined with other
     * paths), or null. Their bitmaps may have moved with them, but nothing proves the image at the new
     * path continues the chain's data, and a restore of the chain names the old paths.
     */
    private static String moved(Findings found) {
        if (found.chainFiles() == null) {
            return null;
        }
        for (Map.Entry<String, String> disk : found.files().entrySet()) {
            String then = found.chainFiles().get(disk.getKey());
            if (then != null && disk.getValue() != null && !normal(then).equals(normal(disk.getValue()))) {
                return "disk " + disk.getKey() + " is another image file now (" + then + " then, " + disk.getValue()
                        + " now): moved or redefined";
            }
        }
        return null;
    }

    private static String normal(String file) {
        try {
            return java.nio.file.Path.of(file).normalize().toString();
        } catch (java.nio.file.InvalidPathException e) {
            return file;
        }
    }

    private static List<String> without(List<String> list, String item) {
        List<String> copy = new java.util.ArrayList<>(list);
        copy.remove(item);
        return copy;
    }

    private static Map<String, List<String>> withoutEach(Map<String, List<String>> bitmaps, String item) {
        Map<String, List<String>> copy = new java.util.LinkedHashMap<>();
        bitmaps.forEach((disk, names) -> copy.put(disk, without(names, item)));
        return copy;
    }
}
