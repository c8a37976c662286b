package dev.mvmm.core.backup;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class IncrementalSupportTest {

    private static final String PLAIN = "<domain type='kvm'><name>web</name></domain>";
    private static final String PATCHED = "<domain type='kvm' xmlns:qemu='http://libvirt.org/schemas/domain/qemu/1.0'>"
            + "<qemu:capabilities><qemu:add capability='incremental-backup'/></qemu:capabilities></domain>";

    @Test
    void debian_12_needs_nothing() {
        assertThat(IncrementalSupport.problem(9_000_000, 7_002_000, PLAIN)).isNull();
    }

    @Test
    void older_versions_need_the_capability_declared() {
        assertThat(IncrementalSupport.problem(7_000_000, 5_002_000, PLAIN))
                .contains("libvirt 7.0.0 with QEMU 5.2.0 needs the domain to declare");
        assertThat(IncrementalSupport.problem(7_000_000, 5_002_000, PATCHED)).isNull();
        assertThat(IncrementalSupport.problem(7_006_000, 6_000_000, PLAIN)).isNotNull();
    }
}
