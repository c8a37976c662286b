package dev.mvmm.core.domain;

import java.util.Map;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * The definition of a new VM made from another's: what {@code replicate} and {@code restore --define}
 * share. New name, new UUID, a new MAC for every interface (unless kept), every copied disk pointed at
 * its copy, NVRAM pointed at its copy (or left for libvirt to create), and nothing of the source's
 * running instance.
 */
public final class CloneDefinition {

    private CloneDefinition() {
    }

    /**
     * @param diskFiles        new image file per disk target; every file-backed disk of the source must be
     *                         in it, unless {@code dropUnmapped}
     * @param dropUnmapped     remove file-backed disks that are not in {@code diskFiles} (not copied)
     * @param macs             new MAC addresses, or null to keep the source's
     * @param nvram            the copied NVRAM file, or null to let libvirt create one from its template
     */
    public static DomainXml of(String sourceXml, String name, Map<String, String> diskFiles, boolean dropUnmapped,
            Supplier<String> macs, String nvram) {
        DomainXml xml = DomainXml.parse(sourceXml);
        xml.stripRuntime();
        xml.setName(name);
        xml.setUuid(UUID.randomUUID().toString());
        if (macs != null) {
            xml.replaceMacs(macs);
        }
        for (DomainXml.Disk disk : xml.disks()) {
            if (!disk.fileBacked() || !"disk".equals(disk.device())) {
                continue;
            }
            String file = diskFiles.get(disk.target());
            if (file != null) {
                xml.setDiskFile(disk.target(), file);
            } else if (dropUnmapped) {
                xml.removeDisk(disk.target());
            } else {
                throw new IllegalArgumentException("no new file for disk " + disk.target() + " (" + disk.file() + ")");
            }
        }
        if (xml.nvram().isPresent()) {
            xml.setNvram(nvram);
        }
        return xml;
    }
}
