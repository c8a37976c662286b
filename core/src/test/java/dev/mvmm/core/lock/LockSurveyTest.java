package dev.mvmm.core.lock;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The monitor's cheaper view of the VM locks, against locks held by another process. */
class LockSurveyTest {

    @TempDir
    Path dir;

    private VmLocks locks;
    private LockSurvey survey;

    @BeforeEach
    void setUp() {
        locks = new VmLocks(dir, Clock.systemUTC());
        survey = new LockSurvey(locks, Duration.ZERO);
    }

    @Test
    void sees_a_lock_another_process_takes_and_lets_go_of() throws Exception {
        assertThat(survey.holder("web")).as("no lock file yet").isEmpty();
        lockFileNobodyHolds("web");
        assertThat(survey.holder("web")).as("a lock file nobody holds").isEmpty();

        Process other = holding("web", "replicate to web2");
        try {
            assertThat(survey.holder("web")).get().satisfies(holder -> {
                assertThat(holder.operation()).isEqualTo("replicate to web2");
                assertThat(holder.pid()).isEqualTo(other.pid());
            });

            other.destroyForcibly().waitFor();
            assertThat(survey.holder("web")).as("free once the holder is gone").isEmpty();
        } finally {
            other.destroyForcibly();
        }
    }

    @Test
    void a_lock_file_found_free_is_not_opened_again_while_its_time_stays_and_is_when_it_changes() throws Exception {
        Path file = lockFileNobodyHolds("web");
        FileTime settled = FileTime.from(Instant.now().minusSeconds(3600));
        Files.setLastModifiedTime(file, settled);
        assertThat(survey.holder("web")).isEmpty();

        Process other = holding("web", "backup");
        try {
            // Taking a lock writes the file; with its time put back, the survey trusts what it saw.
            Files.setLastModifiedTime(file, settled);
            assertThat(survey.holder("web")).as("answered from what it saw, not from the file").isEmpty();
            assertThat(locks.holder("web")).as("while the lock is held").isPresent();

            Files.setLastModifiedTime(file, FileTime.from(Instant.now()));
            assertThat(survey.holder("web")).as("a changed time: looked at again").isPresent();
        } finally {
            other.destroyForcibly().waitFor();
        }
    }

    @Test
    void a_lock_file_changed_within_the_last_second_is_opened_at_every_ask() throws Exception {
        Path file = lockFileNobodyHolds("web");
        FileTime recent = Files.getLastModifiedTime(file);
        assertThat(survey.holder("web")).isEmpty();

        Process other = holding("web", "backup");
        try {
            // As if the file system's clock had not ticked between the two writes.
            Files.setLastModifiedTime(file, recent);
            assertThat(survey.holder("web")).isPresent();
        } finally {
            other.destroyForcibly().waitFor();
        }
    }

    /** The VM's lock file, as a finished backup leaves it. */
    private Path lockFileNobodyHolds(String vm) {
        locks.tryLock(vm, "backup").orElseThrow().close();
        return dir.resolve(vm + ".lock");
    }

    /** Another process that has taken the VM's lock and holds it until destroyed. */
    private Process holding(String vm, String operation) throws java.io.IOException {
        Process other = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                System.getProperty("java.class.path"), VmLocksTest.HoldLock.class.getName(), dir.toString(), vm,
                operation).redirectErrorStream(true).start();
        BufferedReader reader = new BufferedReader(new InputStreamReader(other.getInputStream(),
                StandardCharsets.UTF_8));
        assertThat(reader.readLine()).as("the other process's word").isEqualTo("locked");
        return other;
    }
}
