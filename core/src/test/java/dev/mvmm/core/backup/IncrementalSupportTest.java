package dev.mvmm.core.backup;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class IncrementalSupportTest {

    private static final String PLAIN = "<domain type='kvm'><name>web</name></domain>";
    private static final String PATCHED = "<domain type='kvm' xmlns:qemu='http://libvirt.org/schemas/domain/qemu/1.0'>"
            + "<qemu:capabilities><qemu:add capability='incremental-backup'/></qemu:capabilities></domain>";

    @Test
    void debian_12_needs_nothing() {
        assertThat(IncrementalSupport.problem(9_000_000, 7_002_000, "web", PLAIN)).isNull();
    }

    @Test
    void older_versions_need_the_capability_declared() {
        assertThat(IncrementalSupport.problem(7_000_000, 5_002_000, "web", PLAIN))
                .contains("libvirt 7.0.0 with QEMU 5.2.0 needs the domain to declare")
                .contains("run 'mvmm patch --restart web'");
        assertThat(IncrementalSupport.problem(7_000_000, 5_002_000, "web", PATCHED)).isNull();
        assertThat(IncrementalSupport.problem(7_006_000, 6_000_000, "web", PLAIN)).isNotNull();
        String onlyMentioned = "<domain type='kvm'><name>web</name><description>incremental-backup"
                + "</description></domain>";
        assertThat(IncrementalSupport.problem(7_000_000, 5_002_000, "web", onlyMentioned))
                .as("the capability itself counts, not the word").isNotNull();
    }
}
