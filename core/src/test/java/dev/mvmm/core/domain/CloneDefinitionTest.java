package dev.mvmm.core.domain;

import static dev.mvmm.core.domain.DomainXmlTest.fixture;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import java.util.Set;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;

class CloneDefinitionTest {

    private final String source = fixture("running-two-disks-two-nics.xml");

    @Test
    void a_clone_has_a_new_name_uuid_mac_for_every_interface_and_path_for_every_disk() {
        MacAddresses macs = new MacAddresses(Set.of("52:54:00:aa:00:01", "52:54:00:aa:00:02"));
        DomainXml original = DomainXml.parse(source);

        DomainXml clone = CloneDefinition.of(source, "copy", Map.of("vda", "/new/a.qcow2", "vdb", "/new/b.qcow2"),
                false, macs::next, null);

        assertThat(clone.name()).isEqualTo("copy");
        assertThat(clone.uuid()).isNotEqualTo(original.uuid()).matches("[0-9a-f-]{36}");
        assertThat(clone.macs()).hasSize(2).doesNotContainAnyElementsOf(original.macs()).doesNotHaveDuplicates()
                .allMatch(mac -> mac.startsWith("52:54:00:"));
        assertThat(clone.disks()).extracting(DomainXml.Disk::file).containsExactly("/new/a.qcow2", "/new/b.qcow2",
                null);
        assertThat(clone.toXml()).doesNotContain("<alias").doesNotContain("seclabel").doesNotContain("fx-a.qcow2");
    }

    @Test
    void macs_can_be_kept_and_uncopied_disks_dropped() {
        DomainXml clone = CloneDefinition.of(source, "copy", Map.of("vdb", "/new/b.qcow2"), true, null, null);

        assertThat(clone.macs()).containsExactly("52:54:00:aa:00:01", "52:54:00:aa:00:02");
        assertThat(clone.disks()).extracting(DomainXml.Disk::target).containsExactly("vdb", "sda");
    }

    @Test
    void a_disk_without_a_new_path_is_refused_rather_than_shared() {
        assertThatThrownBy(() -> CloneDefinition.of(source, "copy", Map.of("vda", "/new/a.qcow2"), false, null,
                null)).hasMessageContaining("vdb");
    }

    @Test
    void nvram_is_pointed_at_its_copy_or_left_to_libvirt() {
        String uefi = source.replace("<type arch='x86_64' machine='pc-i440fx-7.2'>hvm</type>",
                "<type arch='x86_64' machine='pc-i440fx-7.2'>hvm</type><loader readonly='yes' type='pflash'>"
                        + "/usr/share/OVMF/OVMF_CODE.fd</loader><nvram>/var/lib/libvirt/qemu/nvram/fixture_VARS.fd"
                        + "</nvram>");
        assertThat(uefi).contains("<nvram>");
        Map<String, String> disks = Map.of("vda", "/a", "vdb", "/b");

        assertThat(CloneDefinition.of(uefi, "c", disks, false, null, "/n/c_VARS.fd").nvram()).contains("/n/c_VARS.fd");
        DomainXml fresh = CloneDefinition.of(uefi, "c", disks, false, null, null);
        assertThat(fresh.nvram()).isEmpty();
        assertThat(fresh.toXml()).contains("OVMF_CODE.fd");
    }

    @Test
    void mac_addresses_never_repeat_one_in_use() {
        RandomGenerator stuck = new RandomGenerator() {
            private int calls;

            @Override
            public long nextLong() {
                return 0;
            }

            @Override
            public int nextInt(int bound) {
                return calls++ < 3 ? 1 : 2;
            }
        };
        MacAddresses macs = new MacAddresses(Set.of("52:54:00:01:01:01"), stuck);

        assertThat(macs.next()).isEqualTo("52:54:00:02:02:02");
        assertThatThrownBy(macs::next).as("only taken addresses left").hasMessageContaining("no free MAC");
    }
}
