package dev.mvmm.core.backup;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What qemu-img and libvirt say about bitmaps, read as the real tools print it (QEMU 7.2, libvirt 9.0). */
class BitmapHealthTest {

    @Test
    void bitmaps_left_in_use_by_a_killed_qemu_and_disabled_ones_are_told_apart_from_sound_ones() throws IOException {
        String json = "{\"virtual-size\": 67108864, \"filename\": \"/i/web.qcow2\", \"format\": \"qcow2\","
                + " \"actual-size\": 4460544, \"format-specific\": {\"type\": \"qcow2\", \"data\": {\"compat\": \"1.1\","
                + " \"bitmaps\": [{\"flags\": [\"in-use\", \"auto\"], \"name\": \"virtnbdbackup.1\", \"granularity\":"
                + " 65536}, {\"flags\": [\"auto\"], \"name\": \"virtnbdbackup.0\", \"granularity\": 65536},"
                + " {\"flags\": [], \"name\": \"parked\", \"granularity\": 65536}]}}}";

        Tools.ImageInfo info = Tools.parseImageInfo(json);

        assertThat(info.bitmaps()).containsExactly("virtnbdbackup.1", "virtnbdbackup.0", "parked");
        assertThat(info.inUse()).containsExactly("virtnbdbackup.1");
        assertThat(info.disabled()).containsExactly("parked");
        assertThat(info.holdsBitmaps()).isTrue();
    }

    @Test
    void a_checkpoint_whose_bitmap_qemu_lost_or_holds_inconsistent_has_no_size() {
        String xml = "<domaincheckpoint><name>virtnbdbackup.1</name><parent><name>virtnbdbackup.0</name></parent>"
                + "<disks><disk name='vda' checkpoint='bitmap' bitmap='virtnbdbackup.1'/>"
                + "<disk name='vdb' checkpoint='bitmap' bitmap='virtnbdbackup.1' size='65536'/>"
                + "<disk name='sda' checkpoint='no'/></disks>"
                + "<domain type='kvm'><devices><disk type='file' device='disk'><target dev='vda'/></disk></devices>"
                + "</domain></domaincheckpoint>";

        assertThat(Tools.unsizedDisks(xml)).containsExactly("vda");
    }

    @Test
    void stale_bitmap_commands_keep_every_value_attached_to_its_option() {
        assertThat(Tools.checkpointSizesCommand("qemu:///system", "-web", "virtnbdbackup.0")).containsExactly("virsh",
                "--connect=qemu:///system", "checkpoint-dumpxml", "--domain=-web", "--checkpointname=virtnbdbackup.0",
                "--size");
        assertThat(Tools.redefineCheckpointCommand("qemu:///system", "-web", java.nio.file.Path.of("/tmp/c.xml")))
                .containsExactly("virsh", "--connect=qemu:///system", "checkpoint-create", "--domain=-web",
                        "--xmlfile=/tmp/c.xml", "--redefine");
    }
}
