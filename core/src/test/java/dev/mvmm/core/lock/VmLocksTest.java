package dev.mvmm.core.lock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VmLocksTest {

    @TempDir
    Path dir;


    private VmLocks locks() {
        return new VmLocks(dir, Clock.systemUTC());
    }

    @Test
    void a_lock_is_exclusive_within_the_process_and_free_again_after_release() {
        VmLocks locks = locks();
        try (VmLock first = locks.tryLock("web", "check").orElseThrow()) {
            assertThat(locks.tryLock("web", "backup")).isEmpty();
            assertThat(locks.tryLock("db", "backup")).isPresent().get().satisfies(VmLock::close);
            assertThat(locks.holder("web")).get().extracting(LockHolder::operation).isEqualTo("check");
        }
        assertThat(locks.holder("web")).isEmpty();
        assertThat(locks.tryLock("web", "backup")).isPresent().get().satisfies(VmLock::close);
    }

    @Test
    void with_patience_a_busy_vm_is_waited_for_and_without_it_is_skipped() throws Exception {
        VmLock held = locks().tryLock("web", "backup").orElseThrow();
        Thread releaser = new Thread(() -> {
            try {
                Thread.sleep(400);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            held.close();
        });

        assertThat(locks().tryLock("web", "restore")).as("no --wait: skipped at once").isEmpty();
        releaser.start();
        java.util.Optional<VmLock> waited = new VmLocks(dir, Clock.systemUTC(), java.time.Duration.ofSeconds(10))
                .tryLock("web", "restore");
        releaser.join();

        assertThat(waited).as("--wait: taken once the backup let go").isPresent();
        waited.get().close();
        VmLock again = locks().tryLock("web", "backup").orElseThrow();
        assertThat(new VmLocks(dir, Clock.systemUTC(), java.time.Duration.ofMillis(300)).tryLock("web", "restore"))
                .as("patience runs out").isEmpty();
        again.close();
    }

    @Test
    void a_lock_held_by_another_process_is_seen_with_its_holder_and_released_when_it_dies() throws Exception {
        Process other = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                System.getProperty("java.class.path"), HoldLock.class.getName(), dir.toString(), "web",
                "replicate to web2")
                .redirectErrorStream(true).start();
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(other.getInputStream(),
                StandardCharsets.UTF_8))) {
            assertThat(reader.readLine()).isEqualTo("locked");
            VmLocks locks = locks();

            assertThat(locks.tryLock("web", "check")).isEmpty();
            assertThat(locks.holder("web")).get().satisfies(holder -> {
                assertThat(holder.operation()).as("an operation with spaces is read back whole")
                        .isEqualTo("replicate to web2");
                assertThat(holder.pid()).isEqualTo(other.pid());
            });
            assertThatThrownBy(() -> locks.lock("web", "check", Duration.ofMillis(300)))
                    .isInstanceOf(LockedException.class).hasMessageContaining("locked by replicate to web2 (pid " + other.pid());

            other.destroyForcibly().waitFor();
            Optional<VmLock> after = locks.tryLock("web", "check");
            assertThat(after).isPresent();
            after.get().close();
        } finally {
            other.destroyForcibly();
        }
    }

    /** Holds a VM's lock until killed; run in a separate JVM by the test above. */
    public static final class HoldLock {
        public static void main(String[] args) throws InterruptedException {
            VmLock lock = new VmLocks(Path.of(args[0]), Clock.systemUTC()).tryLock(args[1], args[2])
                    .orElseThrow();
            System.out.println("locked");
            System.out.flush();
            Thread.sleep(60_000);
            lock.close();
        }
    }
}
