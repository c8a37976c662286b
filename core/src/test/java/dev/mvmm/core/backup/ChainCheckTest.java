package dev.mvmm.core.backup;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The disaster table, one case each, on the pure decision. */
class ChainCheckTest {

    private static final List<String> TWO = List.of("virtnbdbackup.0", "virtnbdbackup.1");

    private static ChainFolder folder(List<String> cpt, List<String> partial, List<String> data) {
        return new ChainFolder(Path.of("/b/web"), true, cpt, true, partial, data, 1000, Instant.EPOCH);
    }

    private static ChainCheck.Findings found(ChainFolder folder, List<String> libvirt, Map<String, List<String>> bitmaps) {
        return new ChainCheck.Findings(folder, libvirt, bitmaps, "u1", "u1", List.of("vda"), List.of("vda"));
    }

    private static final List<String> DATA = List.of("vda.full.data", "vda.inc.virtnbdbackup.1.data");
    private static final List<String> DATA3 = List.of("vda.full.data", "vda.inc.virtnbdbackup.1.data",
            "vda.inc.virtnbdbackup.2.data");

    @Test
    void no_chain_starts_one() {
        ChainFolder none = new ChainFolder(Path.of("/b/web"), false, List.of(), false, List.of(), List.of(), 0, null);

        ChainPlan plan = ChainCheck.decide(found(none, List.of(), null), false, null);

        assertThat(plan).isEqualTo(new ChainPlan.NewChain(ChainPlan.Previous.NONE, false, "no chain yet"));
    }

    @Test
    void a_consistent_chain_is_extended() {
        assertThat(ChainCheck.decide(found(folder(TWO, List.of(), DATA), TWO, Map.of("vda", TWO)), false, null))
                .isInstanceOf(ChainPlan.Extend.class);
    }

    @Test
    void a_cancelled_first_full_backup_holds_nothing_and_is_deleted() {
        ChainFolder cut = folder(List.of("virtnbdbackup.0"), List.of("vda.full.data.partial"), List.of());

        ChainPlan plan = ChainCheck.decide(found(cut, List.of("virtnbdbackup.0"), null), false, null);

        assertThat(plan).isInstanceOfSatisfying(ChainPlan.NewChain.class, fresh -> {
            assertThat(fresh.previous()).isEqualTo(ChainPlan.Previous.DELETE);
            assertThat(fresh.reason()).isEqualTo("the first full backup was cut off");
        });
    }

    @Test
    void a_cancelled_incremental_is_repaired() {
        List<String> three = List.of("virtnbdbackup.0", "virtnbdbackup.1", "virtnbdbackup.2");
        ChainFolder cut = folder(three, List.of("vda.inc.virtnbdbackup.2.data.partial"), DATA);

        ChainPlan plan = ChainCheck.decide(found(cut, three, null), false, null);

        assertThat(plan).isEqualTo(new ChainPlan.Repair("virtnbdbackup.2",
                "a backup was cut off at checkpoint virtnbdbackup.2; dropping it"));
    }

    @Test
    void an_incremental_cut_off_before_its_data_file_was_begun_is_repaired() {
        // virtnbdbackup recorded checkpoint 2 (libvirt, .cpt, checkpoints/) and was killed before it
        // created vda.inc.virtnbdbackup.2.data.partial: no partial file, and no data for checkpoint 2.
        List<String> three = List.of("virtnbdbackup.0", "virtnbdbackup.1", "virtnbdbackup.2");
        ChainFolder cut = folder(three, List.of(), DATA);

        ChainPlan plan = ChainCheck.decide(found(cut, three, Map.of("vda", three)), false, null);

        assertThat(plan).isEqualTo(new ChainPlan.Repair("virtnbdbackup.2",
                "a backup was cut off at checkpoint virtnbdbackup.2; dropping it"));
    }

    @Test
    void a_second_disk_without_data_for_the_newest_checkpoint_is_a_cut_off_too() {
        ChainFolder cut = folder(TWO, List.of(), List.of("vda.full.data", "vdb.full.data",
                "vda.inc.virtnbdbackup.1.data"));

        assertThat(ChainCheck.decide(found(cut, TWO, null), false, null)).isInstanceOf(ChainPlan.Repair.class);
    }

    @Test
    void a_checkpoint_without_data_inside_the_chain_archives_it() {
        List<String> three = List.of("virtnbdbackup.0", "virtnbdbackup.1", "virtnbdbackup.2");
        ChainFolder holed = folder(three, List.of(), List.of("vda.full.data", "vda.inc.virtnbdbackup.2.data"));

        ChainPlan plan = ChainCheck.decide(found(holed, three, null), false, null);

        assertThat(plan).isInstanceOfSatisfying(ChainPlan.NewChain.class, fresh -> {
            assertThat(fresh.previous()).isEqualTo(ChainPlan.Previous.ARCHIVE);
            assertThat(fresh.reason()).contains("virtnbdbackup.1 has no backup data");
        });
    }

    @Test
    void a_cancelled_incremental_whose_older_bitmaps_disagree_is_archived() {
        List<String> three = List.of("virtnbdbackup.0", "virtnbdbackup.1", "virtnbdbackup.2");
        ChainFolder cut = folder(three, List.of("x.partial"), DATA);

        ChainPlan plan = ChainCheck.decide(found(cut, three, Map.of("vda", List.of("virtnbdbackup.0"))), false, null);

        assertThat(plan).isInstanceOfSatisfying(ChainPlan.NewChain.class, fresh -> {
            assertThat(fresh.previous()).isEqualTo(ChainPlan.Previous.ARCHIVE);
            assertThat(fresh.broken()).isTrue();
        });
    }

    @Test
    void checkpoints_lost_by_libvirt_are_left_to_virtnbdbackup_to_redefine() {
        assertThat(ChainCheck.decide(found(folder(TWO, List.of(), DATA), List.of(), Map.of("vda", TWO)), false, null))
                .isInstanceOf(ChainPlan.Extend.class);
    }

    @Test
    void checkpoints_lost_by_libvirt_without_their_definition_in_the_chain_archive_it() {
        ChainFolder lost = new ChainFolder(Path.of("/b/web"), true, TWO, true, List.of(), DATA, 1000, Instant.EPOCH,
                List.of("virtnbdbackup.0"));

        ChainPlan plan = ChainCheck.decide(found(lost, List.of(), Map.of("vda", TWO)), false, null);

        assertThat(plan).isEqualTo(new ChainPlan.NewChain(ChainPlan.Previous.ARCHIVE, true, "libvirt lost checkpoint "
                + "virtnbdbackup.1 and the chain has no checkpoints/virtnbdbackup.1.xml to redefine it from"));
    }

    @Test
    void the_folder_knows_which_checkpoints_have_their_definition(@org.junit.jupiter.api.io.TempDir Path dir)
            throws java.io.IOException {
        java.nio.file.Files.createDirectories(dir.resolve("checkpoints"));
        java.nio.file.Files.writeString(dir.resolve("web.cpt"), "[\"virtnbdbackup.0\",\"virtnbdbackup.1\"]");
        java.nio.file.Files.writeString(dir.resolve("checkpoints/virtnbdbackup.0.xml"), "<domaincheckpoint/>");

        assertThat(ChainFolder.read(dir, "web").checkpointDefinitions()).containsExactly("virtnbdbackup.0");
    }

    @Test
    void a_missing_definition_does_not_matter_while_libvirt_still_has_the_checkpoint() {
        ChainFolder kept = new ChainFolder(Path.of("/b/web"), true, TWO, true, List.of(), DATA, 1000, Instant.EPOCH,
                List.of());

        assertThat(ChainCheck.decide(found(kept, TWO, Map.of("vda", TWO)), false, null))
                .isInstanceOf(ChainPlan.Extend.class);
    }

    @Test
    void a_missing_bitmap_archives_the_chain() {
        ChainPlan plan = ChainCheck.decide(found(folder(TWO, List.of(), DATA), TWO,
                Map.of("vda", List.of("virtnbdbackup.0"))), false, null);

        assertThat(plan).isInstanceOfSatisfying(ChainPlan.NewChain.class, fresh -> {
            assertThat(fresh.previous()).isEqualTo(ChainPlan.Previous.ARCHIVE);
            assertThat(fresh.reason()).contains("disk vda has bitmaps [virtnbdbackup.0]");
        });
    }

    @Test
    void foreign_libvirt_checkpoints_archive_the_chain() {
        ChainPlan plan = ChainCheck.decide(found(folder(TWO, List.of(), DATA), List.of("virtnbdbackup.0",
                "virtnbdbackup.7"), null), false, null);

        assertThat(plan).isInstanceOf(ChainPlan.NewChain.class);
        assertThat(plan.reason()).contains("libvirt's checkpoints");
    }

    @Test
    void a_redefined_vm_archives_the_chain() {
        ChainCheck.Findings redefined = new ChainCheck.Findings(folder(TWO, List.of(), DATA), TWO, null, "u2", "u1",
                List.of("vda"), List.of("vda"));

        assertThat(ChainCheck.decide(redefined, false, null).reason()).isEqualTo("the VM was redefined (new UUID)");
    }

    @Test
    void an_added_disk_archives_the_chain_as_one_it_cannot_continue_and_says_so() {
        ChainCheck.Findings added = new ChainCheck.Findings(folder(TWO, List.of(), DATA), TWO, null, "u1", "u1",
                List.of("vda", "vdb"), List.of("vda"));

        // Not asked for by the operator: notified as chain-archived, like every other archive of a broken chain.
        assertThat(ChainCheck.decide(added, false, null)).isInstanceOfSatisfying(ChainPlan.NewChain.class,
                fresh -> assertThat(fresh.broken()).isTrue());
    }

    private static ChainCheck.Findings withDisks(Map<String, String> files, Map<String, String> chainFiles,
            Map<String, List<String>> bitmaps, Map<String, List<String>> unusable) {
        return new ChainCheck.Findings(folder(TWO, List.of(), DATA), TWO, bitmaps, "u1", "u1", List.of("vda"),
                List.of("vda"), files, chainFiles, unusable);
    }

    @Test
    void a_disk_now_at_another_path_archives_the_chain_running_or_shut_off() {
        for (Map<String, List<String>> bitmaps : java.util.Arrays.<Map<String, List<String>>>asList(null,
                Map.of("vda", TWO))) {
            ChainPlan plan = ChainCheck.decide(withDisks(Map.of("vda", "/new/web.qcow2"),
                    Map.of("vda", "/images/web.qcow2"), bitmaps, Map.of()), false, null);

            assertThat(plan).isInstanceOfSatisfying(ChainPlan.NewChain.class, fresh -> {
                assertThat(fresh.previous()).isEqualTo(ChainPlan.Previous.ARCHIVE);
                assertThat(fresh.broken()).isTrue();
                assertThat(fresh.reason()).isEqualTo("disk vda is another image file now (/images/web.qcow2 then, "
                        + "/new/web.qcow2 now): moved or redefined");
            });
        }
    }

    @Test
    void the_same_path_written_differently_is_not_a_move() {
        ChainPlan plan = ChainCheck.decide(withDisks(Map.of("vda", "/images/./web.qcow2"),
                Map.of("vda", "/images/web.qcow2"), null, Map.of()), false, null);

        assertThat(plan).isInstanceOf(ChainPlan.Extend.class);
    }

    @Test
    void inconsistent_bitmaps_archive_the_chain_and_name_the_disk_and_bitmaps() {
        ChainPlan plan = ChainCheck.decide(withDisks(Map.of("vda", "/i/web.qcow2"), Map.of("vda", "/i/web.qcow2"),
                Map.of("vda", TWO), Map.of("vda", TWO)), false, null);

        assertThat(plan).isInstanceOfSatisfying(ChainPlan.NewChain.class, fresh -> {
            assertThat(fresh.previous()).isEqualTo(ChainPlan.Previous.ARCHIVE);
            assertThat(fresh.broken()).isTrue();
            assertThat(fresh.reason()).startsWith("disk vda has inconsistent bitmaps " + TWO);
        });
    }

    @Test
    void an_inconsistent_bitmap_of_a_foreign_name_does_not_matter() {
        ChainPlan plan = ChainCheck.decide(withDisks(Map.of("vda", "/i/web.qcow2"), Map.of("vda", "/i/web.qcow2"),
                null, Map.of("vda", List.of("someone-elses"))), false, null);

        assertThat(plan).isInstanceOf(ChainPlan.Extend.class);
    }

    @Test
    void full_over_a_repairable_cut_off_incremental_repairs_it_and_archives_the_chain() {
        List<String> three = List.of("virtnbdbackup.0", "virtnbdbackup.1", "virtnbdbackup.2");
        ChainCheck.Findings found = new ChainCheck.Findings(folder(three, List.of("vda.inc.virtnbdbackup.2.data"
                + ".partial"), DATA), three, null, "u1", "u1", List.of("vda"), List.of("vda"));

        assertThat(ChainCheck.decide(found, false, null)).isInstanceOf(ChainPlan.Repair.class);
        assertThat(ChainCheck.decide(found, true, null)).isInstanceOfSatisfying(ChainPlan.NewChain.class, fresh -> {
            assertThat(fresh.previous()).isEqualTo(ChainPlan.Previous.ARCHIVE);
            assertThat(fresh.broken()).isFalse();
            assertThat(fresh.cutOff()).isEqualTo("virtnbdbackup.2");
        });
    }

    @Test
    void rotation_after_max_backups_per_chain() {
        List<String> three = List.of("virtnbdbackup.0", "virtnbdbackup.1", "virtnbdbackup.2");

        assertThat(ChainCheck.decide(found(folder(three, List.of(), DATA3), three, null), false, 3))
                .isInstanceOf(ChainPlan.Extend.class);
        assertThat(ChainCheck.decide(found(folder(three, List.of(), DATA3), three, null), false, 2).reason())
                .contains("max_backups_per_chain=2");
    }

    @Test
    void a_chain_of_copies_without_a_full_is_archived_not_deleted() {
        ChainFolder copies = new ChainFolder(Path.of("/b/web"), true, List.of(), false, List.of(),
                List.of("vda.copy.data"), 10, Instant.EPOCH);

        ChainPlan plan = ChainCheck.decide(found(copies, List.of(), null), false, null);

        assertThat(plan).isInstanceOfSatisfying(ChainPlan.NewChain.class,
                fresh -> assertThat(fresh.previous()).isEqualTo(ChainPlan.Previous.ARCHIVE));
    }

    @Test
    void bitmaps_in_another_order_are_still_consistent() {
        List<String> three = List.of("virtnbdbackup.0", "virtnbdbackup.1", "virtnbdbackup.2");

        assertThat(ChainCheck.decide(found(folder(three, List.of(), DATA3), three, Map.of("vda",
                List.of("virtnbdbackup.0", "virtnbdbackup.2", "virtnbdbackup.1"))), false, null))
                .isInstanceOf(ChainPlan.Extend.class);
    }
}
