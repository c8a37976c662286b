package dev.mvmm.core.backup;

import dev.mvmm.core.domain.DomainXml;
import java.util.ArrayList;
import java.util.List;

/** What a domain's XML says about its identity and its disks. */
public record DomainDisks(String uuid, List<Disk> disks) {

    /** A disk: target device ({@code vda}), image file ({@code null} if not file-backed), format. */
    public record Disk(String target, String file, String format) {

        public boolean fileBacked() {
            return file != null;
        }
    }

    public DomainDisks {
        disks = List.copyOf(disks);
    }

    /** The disks (device {@code disk}) of a domain definition, read by {@link DomainXml}. */
    public static DomainDisks parse(String xml) {
        DomainXml domain = DomainXml.parse(xml);
        List<Disk> disks = new ArrayList<>();
        for (DomainXml.Disk disk : domain.disks()) {
            if ("disk".equals(disk.device())) {
                disks.add(new Disk(disk.target(), disk.file(), disk.format()));
            }
        }
        return new DomainDisks(domain.uuid(), disks);
    }

    public List<String> targets() {
        List<String> targets = new ArrayList<>();
        disks.forEach(disk -> targets.add(disk.target()));
        return targets;
    }
}
