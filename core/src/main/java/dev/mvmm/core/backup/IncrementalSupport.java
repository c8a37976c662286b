package dev.mvmm.core.backup;

/**
 * Whether libvirt and QEMU can take incremental backups of a domain. From libvirt 7.6 with QEMU 6.1
 * on it is built in; before that the domain must declare QEMU's {@code incremental-backup}
 * capability (what {@code mvmm patch} adds) and be power-cycled.
 */
public final class IncrementalSupport {

    static final long LIBVIRT_BUILT_IN = 7_006_000;
    static final long QEMU_BUILT_IN = 6_001_000;

    private IncrementalSupport() {
    }

    /** Null when incremental backups work; otherwise why not and what to do. */
    public static String problem(long libvirtVersion, long qemuVersion, String domainXml) {
        if (libvirtVersion >= LIBVIRT_BUILT_IN && qemuVersion >= QEMU_BUILT_IN) {
            return null;
        }
        if (libvirtVersion == 0 && qemuVersion == 0) {
            return null;
        }
        if (domainXml.contains("incremental-backup")) {
            return null;
        }
        return "libvirt " + format(libvirtVersion) + " with QEMU " + format(qemuVersion)
                + " needs the domain to declare <qemu:add capability='incremental-backup'/> (and a power cycle) "
                + "before incremental backups work; add it with virsh edit";
    }

    static String format(long version) {
        return version / 1_000_000 + "." + version / 1_000 % 1_000 + "." + version % 1_000;
    }
}
