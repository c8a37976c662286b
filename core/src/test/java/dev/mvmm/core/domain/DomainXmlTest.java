package dev.mvmm.core.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Domain XML edits on definitions dumped from a real libvirt 9 (src/test/resources/domains). */
class DomainXmlTest {

    static String fixture(String name) {
        try (InputStream in = DomainXmlTest.class.getResourceAsStream("/domains/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void reads_identity_disks_and_macs_of_a_running_domain() {
        DomainXml xml = DomainXml.parse(fixture("running-two-disks-two-nics.xml"));

        assertThat(xml.name()).isEqualTo("fixture");
        assertThat(xml.uuid()).matches("[0-9a-f-]{36}");
        assertThat(xml.macs()).containsExactly("52:54:00:aa:00:01", "52:54:00:aa:00:02");
        assertThat(xml.disks()).extracting(DomainXml.Disk::target, DomainXml.Disk::device, DomainXml.Disk::format)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("vda", "disk", "qcow2"),
                        org.assertj.core.groups.Tuple.tuple("vdb", "disk", "qcow2"),
                        org.assertj.core.groups.Tuple.tuple("sda", "cdrom", "raw"));
        assertThat(xml.disks().get(1).file()).isEqualTo("/var/lib/libvirt/images/fx-b.qcow2");
        assertThat(xml.disks().get(2).fileBacked()).isFalse();
    }

    @Test
    void strip_runtime_removes_the_instance_and_keeps_the_definition() {
        DomainXml xml = DomainXml.parse(fixture("running-two-disks-two-nics.xml"));

        xml.stripRuntime();
        String out = xml.toXml();

        assertThat(out).doesNotContain("id='").doesNotContain("id=\"4\"").doesNotContain("<alias")
                .doesNotContain("seclabel");
        assertThat(out).contains("52:54:00:aa:00:02").contains("fx-b.qcow2").contains("<qemu:env");
        assertThat(DomainXml.parse(out).disks()).hasSize(3);
    }

    @Test
    void the_incremental_backup_capability_is_detected_by_element_not_by_namespace() {
        assertThat(DomainXml.parse(fixture("inactive-patched.xml")).declaresIncrementalBackup()).isTrue();
        assertThat(DomainXml.parse(fixture("inactive-with-qemu-commandline.xml")).declaresIncrementalBackup())
                .as("xmlns:qemu with only a commandline").isFalse();
        assertThat(DomainXml.parse(fixture("inactive-plain.xml")).declaresIncrementalBackup()).isFalse();
        String mentionedInAComment = fixture("inactive-plain.xml").replace("<devices>",
                "<!-- incremental-backup --><devices>");
        assertThat(DomainXml.parse(mentionedInAComment).declaresIncrementalBackup()).isFalse();
    }

    @Test
    void adding_the_capability_declares_the_namespace_once_and_is_idempotent() {
        DomainXml xml = DomainXml.parse(fixture("inactive-plain.xml"));

        assertThat(xml.addIncrementalBackup()).isTrue();
        String once = xml.toXml();
        DomainXml again = DomainXml.parse(once);
        assertThat(again.declaresIncrementalBackup()).isTrue();
        assertThat(again.addIncrementalBackup()).isFalse();
        assertThat(again.toXml()).isEqualTo(once);
        assertThat(once).contains("xmlns:qemu=\"" + DomainXml.QEMU_NS + "\"")
                .contains("<qemu:capabilities><qemu:add capability=\"incremental-backup\"/></qemu:capabilities>");
    }

    @Test
    void adding_the_capability_keeps_other_qemu_elements_and_reuses_the_prefix() {
        DomainXml xml = DomainXml.parse(fixture("inactive-with-qemu-commandline.xml"));

        xml.addIncrementalBackup();
        String out = xml.toXml();

        assertThat(out).contains("<qemu:env name=\"MVMM_FIXTURE\" value=\"1\"/>");
        assertThat(out.split("xmlns:qemu", -1)).hasSize(2);
        assertThat(DomainXml.parse(out).declaresIncrementalBackup()).isTrue();
    }

    @Test
    void a_different_prefix_for_the_qemu_namespace_is_reused() {
        String xml = "<domain type='kvm' xmlns:q='" + DomainXml.QEMU_NS + "'><name>x</name>"
                + "<q:capabilities><q:del capability='incremental-backup'/></q:capabilities></domain>";
        DomainXml domain = DomainXml.parse(xml);

        assertThat(domain.addIncrementalBackup()).isTrue();

        assertThat(domain.toXml()).contains("<q:capabilities><q:add capability=\"incremental-backup\"/>")
                .doesNotContain("q:del").doesNotContain("xmlns:qemu");
    }

    @Test
    void everything_else_survives_a_round_trip() {
        String original = fixture("inactive-with-qemu-commandline.xml");

        String round = DomainXml.parse(original).toXml();

        assertThat(document(round).isEqualNode(document(original))).as("same elements, attributes, text and "
                + "whitespace; only attribute order and quotes may differ:\n" + round).isTrue();
    }

    @Test
    void not_a_domain_is_refused_with_its_root_element() {
        assertThatThrownBy(() -> DomainXml.parse("<network><name>x</name></network>"))
                .hasMessageContaining("<network>");
        assertThatThrownBy(() -> DomainXml.parse("<domain>")).hasMessageContaining("cannot read the domain XML");
    }

    private static org.w3c.dom.Document document(String xml) {
        try {
            var factory = javax.xml.parsers.DocumentBuilderFactory.newInstance();
            factory.setNamespaceAware(true);
            org.w3c.dom.Document document = factory.newDocumentBuilder()
                    .parse(new org.xml.sax.InputSource(new java.io.StringReader(xml)));
            document.normalizeDocument();
            return document;
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void an_unfinished_replica_mark_survives_the_round_trip_and_is_removed_cleanly() {
        DomainXml xml = DomainXml.parse("<domain type='kvm'><name>web-clone</name><metadata><app:x "
                + "xmlns:app='https://example.org/app'/></metadata></domain>");
        assertThat(xml.isUnfinishedReplica()).isFalse();

        xml.markUnfinishedReplica("web");
        DomainXml read = DomainXml.parse(xml.toXml());

        assertThat(read.isUnfinishedReplica()).isTrue();
        assertThat(read.toXml()).contains("source=\"web\"").contains("https://example.org/app");
        read.clearUnfinishedReplica();
        assertThat(DomainXml.parse(read.toXml()).isUnfinishedReplica()).isFalse();
        assertThat(read.toXml()).contains("https://example.org/app");
    }
}
