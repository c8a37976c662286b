package dev.mvmm.core.host.proxmox;

import dev.mvmm.core.exec.CommandResult;
import dev.mvmm.core.exec.ExternalCommand;
import dev.mvmm.core.exec.Programs;
import dev.mvmm.core.host.Hypervisor;
import dev.mvmm.core.host.HypervisorBusyException;
import dev.mvmm.core.host.HypervisorException;
import dev.mvmm.core.host.HypervisorUnavailableException;
import dev.mvmm.core.host.PowerState;
import dev.mvmm.core.host.ProcessStart;
import dev.mvmm.core.host.VmStatus;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The {@link Hypervisor} port on Proxmox VE, through its {@code qm} command (argument lists, never
 * a shell).
 *
 * <p>Locality is read from files, because {@code qm} costs a Perl start-up per call (the original
 * mvmm stopped calling {@code qm list} regularly for that reason): a VM is <em>on this node</em>
 * when its configuration is in {@code /etc/pve/local/qemu-server/<id>.conf} (pmxcfs moves that
 * file to the target node when a migration completes, so exactly one node owns it), and it is
 * <em>running here</em> when {@code /run/qemu-server/<id>.pid} names a live process. The process's
 * pid and start time identify the run. A {@code lock:} line in the configuration (migrate, backup,
 * snapshot...) means Proxmox is working on the VM. Before acting, {@link #confirm} asks
 * {@code qm status --verbose}, which also tells a paused VM from a running one.
 */
public final class ProxmoxHypervisor implements Hypervisor {

    private static final Pattern VMID = Pattern.compile("[1-9][0-9]{2,8}");
    private static final Duration COMMAND_TIMEOUT = Duration.ofMinutes(2);
    private static final Path PROC = Path.of("/proc");
    /** qemu-server's {@code _do_vm_stop} when the guest is still up after the timeout. */
    private static final String GUEST_IGNORED = "VM quit/powerdown failed - got timeout";
    /** pve-common's {@code lock_file_full} when another task holds the VM's lock for 10 s. */
    private static final String LOCK_TIMEOUT = "can't lock file";

    private final Path root;
    private final List<String> qm;

    /** @param root where {@code etc/pve} and {@code run/qemu-server} are ({@code /} on a real node) */
    public ProxmoxHypervisor(Path root, List<String> qm) {
        this.root = root;
        this.qm = List.copyOf(qm);
    }

    public static ProxmoxHypervisor system() {
        return new ProxmoxHypervisor(Path.of("/"), List.of("qm"));
    }

    /** Whether this host looks like a Proxmox VE node: {@code /etc/pve} and a {@code qm} on the PATH. */
    public static boolean detected() {
        return detected(Path.of("/"), Programs.path());
    }

    /**
     * Whether {@code root} looks like a Proxmox VE node's file system: {@code etc/pve} is a directory
     * and {@code qm} is in one of the directories of {@code path} (colon-separated, as PATH).
     */
    public static boolean detected(Path root, String path) {
        return Files.isDirectory(root.resolve("etc/pve")) && Programs.onPath("qm", path);
    }

    @Override
    public String describe() {
        return "proxmox " + (root.toString().equals("/") ? "" : root + " ") + String.join(" ", qm);
    }

    @Override
    public Map<String, VmStatus> list() {
        CommandResult result = qm(COMMAND_TIMEOUT, "list");
        if (!result.succeeded()) {
            throw new HypervisorUnavailableException("cannot list VMs: " + result.summary()
                    + "; check that this is a Proxmox VE node and that pve-cluster runs", null);
        }
        Map<String, VmStatus> vms = new LinkedHashMap<>();
        for (String line : result.stdout().split("\n")) {
            String[] columns = line.strip().split("\\s+");
            if (columns.length >= 2 && VMID.matcher(columns[0]).matches()) {
                status(columns[0]).ifPresent(status -> vms.put(status.name(), status));
            }
        }
        return vms;
    }

    @Override
    public Optional<VmStatus> status(String vm) {
        if (!VMID.matcher(vm).matches()) {
            return Optional.empty();
        }
        Path config = root.resolve("etc/pve/local/qemu-server/" + vm + ".conf");
        List<String> lines;
        try {
            lines = Files.readAllLines(config, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return Optional.empty();
        }
        String label = value(lines, "name");
        String lock = value(lines, "lock");
        Optional<Long> pid = ProcessStart.livePid(root.resolve("run/qemu-server/" + vm + ".pid"), PROC);
        if (pid.isEmpty()) {
            return Optional.of(new VmStatus(vm, lock == null ? PowerState.SHUT_OFF : locked(lock), null, true, null,
                    label));
        }
        String runId = pid.get() + "@" + ProcessStart.startTicks(pid.get(), PROC).orElse(0L);
        Instant started = ProcessStart.startedAt(pid.get(), PROC).orElse(null);
        PowerState state = lock == null ? PowerState.RUNNING : locked(lock);
        return Optional.of(new VmStatus(vm, state, runId, true, started, label));
    }

    @Override
    public Optional<VmStatus> confirm(String vm) {
        Optional<VmStatus> local = status(vm);
        if (local.isEmpty() || local.get().state() != PowerState.RUNNING) {
            return local;
        }
        CommandResult result = qm(COMMAND_TIMEOUT, "status", vm, "--verbose");
        if (!result.succeeded()) {
            if (result.stderr().contains("does not exist")) {
                return Optional.empty();
            }
            throw new HypervisorException("cannot read the status of VM " + vm + ": " + result.summary(), null);
        }
        List<String> lines = List.of(result.stdout().split("\n"));
        String status = value(lines, "status");
        String qmp = value(lines, "qmpstatus");
        PowerState state;
        if ("stopped".equals(status)) {
            state = PowerState.SHUT_OFF;
        } else if (qmp == null || "running".equals(qmp)) {
            state = PowerState.RUNNING;
        } else if ("inmigrate".equals(qmp) || "postmigrate".equals(qmp) || "finish-migrate".equals(qmp)) {
            state = PowerState.MIGRATING;
        } else if ("suspended".equals(qmp)) {
            state = PowerState.SUSPENDED;
        } else if ("guest-panicked".equals(qmp) || "internal-error".equals(qmp)) {
            state = PowerState.CRASHED;
        } else {
            state = PowerState.PAUSED;
        }
        VmStatus seen = local.get();
        return Optional.of(new VmStatus(vm, state, state == PowerState.SHUT_OFF ? null : seen.runId(), true,
                seen.startedAt(), seen.label()));
    }

    @Override
    public void shutdown(String vm, Duration timeout) {
        long seconds = Math.max(1, timeout.toSeconds());
        CommandResult result = qm(timeout.plusSeconds(30), "shutdown", vm, "--timeout", Long.toString(seconds));
        // A guest that ignores the request makes qm fail after the timeout: that is the caller's to handle.
        // Not to be confused with qm's other "got timeout", waiting for the lock another qm task holds.
        if (!result.succeeded() && !result.timedOut() && !result.stderr().contains(GUEST_IGNORED)) {
            throw failure("shut down", vm, result);
        }
    }

    @Override
    public void destroy(String vm) {
        run("stop", vm);
    }

    @Override
    public void start(String vm) {
        run("start", vm);
    }

    @Override
    public void reset(String vm) {
        run("reset", vm);
    }

    @Override
    public void close() {
        // Nothing is held between commands.
    }

    private void run(String subcommand, String vm) {
        CommandResult result = qm(COMMAND_TIMEOUT, subcommand, vm);
        if (!result.succeeded()) {
            throw failure(subcommand, vm, result);
        }
    }

    private CommandResult qm(Duration timeout, String... arguments) {
        // Every qm subcommand mvmm runs names a VM second: a VMID (digits), never something qm could read
        // as an option. Anything else is refused here, whatever a caller passed.
        if (arguments.length > 1 && !VMID.matcher(arguments[1]).matches()) {
            throw new HypervisorException(dev.mvmm.core.config.Shown.quote(arguments[1])
                    + " is not a Proxmox VMID (100 to 999999999)", null);
        }
        List<String> command = new ArrayList<>(qm);
        command.addAll(List.of(arguments));
        return ExternalCommand.run(command, Map.of(), timeout);
    }

    private static HypervisorException failure(String what, String vm, CommandResult result) {
        if (result.stderr().contains(LOCK_TIMEOUT)) {
            return new HypervisorBusyException("cannot " + what + " VM " + vm + ": another Proxmox task holds its "
                    + "lock (" + result.summary() + "); left to that task", null);
        }
        return new HypervisorException("cannot " + what + " VM " + vm + ": " + result.summary(), null);
    }

    private static PowerState locked(String lock) {
        return lock.startsWith("migrate") ? PowerState.MIGRATING : PowerState.LOCKED;
    }

    /** The value of a {@code key: value} line (Proxmox configuration and qm status output). */
    private static String value(List<String> lines, String key) {
        for (String line : lines) {
            if (line.startsWith("[")) {
                break;
            }
            if (line.startsWith(key + ":")) {
                return line.substring(key.length() + 1).strip();
            }
        }
        return null;
    }
}
