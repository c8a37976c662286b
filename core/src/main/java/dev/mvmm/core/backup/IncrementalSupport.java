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

    /** Whether these versions take incremental backups without the capability being declared. */
    public static boolean builtIn(long libvirtVersion, long qemuVersion) {
        return libvirtVersion >= LIBVIRT_BUILT_IN && qemuVersion >= QEMU_BUILT_IN
                || libvirtVersion == 0 && qemuVersion == 0;
    }

    /**
     * Null when incremental backups work; otherwise why not and what to do. {@code domainXml} is the
     * definition the VM runs with (the live one when it runs): the capability counts only there.
     */
    public static String problem(long libvirtVersion, long qemuVersion, String vm, String domainXml) {
        if (builtIn(libvirtVersion, qemuVersion)
                || dev.mvmm.core.domain.DomainXml.parse(domainXml).declaresIncrementalBackup()) {
            return null;
        }
        return "libvirt " + format(libvirtVersion) + " with QEMU " + format(qemuVersion)
                + " needs the domain to declare <qemu:add capability='incremental-backup'/> before incremental "
                + "backups work; run 'mvmm patch --restart " + vm + "'";
    }

    public static String format(long version) {
        return version / 1_000_000 + "." + version / 1_000 % 1_000 + "." + version % 1_000;
    }
}
