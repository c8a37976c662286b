package dev.mvmm.cli.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Stand-ins for virtnbdbackup, virtnbdrestore, qemu-img and virsh that run the real program, except
 * for one program (and arguments containing a given text), which first waits at a gate: the mvmm
 * process that runs it then holds the VM's lock, at a known step, until the test opens the gate or
 * kills it. Deterministic where a sleeping stand-in would be a race.
 */
final class Gate {

    private static final List<String> PROGRAMS = List.of("virtnbdbackup", "virtnbdrestore", "qemu-img", "virsh");

    private final Path file;
    private final Path bin;

    /** A new, closed gate under {@code dir}, with the stand-ins in {@code dir/gated-bin}. */
    Gate(Path dir, String name) throws IOException {
        this.file = dir.resolve("gate-" + name);
        this.bin = Files.createDirectories(dir.resolve("gated-bin"));
        for (String program : PROGRAMS) {
            Path standIn = bin.resolve(program);
            if (!Files.exists(standIn)) {
                Files.writeString(standIn, "#!/bin/sh\n"
                        + "if [ \"" + program + "\" = \"$MVMM_IT_HOLD_PROGRAM\" ]; then\n"
                        + "  case \"$*\" in *$MVMM_IT_HOLD_ARGS*)\n"
                        + "    echo $$ > \"$MVMM_IT_GATE.tmp\"; mv \"$MVMM_IT_GATE.tmp\" \"$MVMM_IT_GATE.held\"\n"
                        + "    while [ ! -e \"$MVMM_IT_GATE\" ]; do sleep 0.1; done;;\n"
                        + "  esac\n"
                        + "fi\n"
                        + "exec " + Path.of("/usr/bin", program) + " \"$@\"\n");
                assertThat(standIn.toFile().setExecutable(true)).isTrue();
            }
        }
    }

    /** The environment that makes a process wait here when it runs {@code program} with {@code args} in its arguments. */
    Map<String, String> holding(String program, String args) {
        return Map.of("PATH", bin + ":" + System.getenv("PATH"), "MVMM_IT_HOLD_PROGRAM", program,
                "MVMM_IT_HOLD_ARGS", args, "MVMM_IT_GATE", file.toString());
    }

    /** Waits until a process stands at the gate; returns the stand-in's pid. */
    long awaitHeld(long timeoutMillis) throws Exception {
        Path held = Path.of(file + ".held");
        long deadline = System.currentTimeMillis() + timeoutMillis;
        while (!Files.exists(held)) {
            assertThat(System.currentTimeMillis()).as("nothing reached the gate " + file).isLessThan(deadline);
            Thread.sleep(50);
        }
        return Long.parseLong(Files.readString(held).strip());
    }

    void open() throws IOException {
        Files.writeString(file, "open\n");
    }
}
