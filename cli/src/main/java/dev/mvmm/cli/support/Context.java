package dev.mvmm.cli.support;

import dev.mvmm.core.Locations;
import dev.mvmm.core.Sleeper;
import dev.mvmm.core.config.ConfigLoader;
import dev.mvmm.core.config.ConfigProblem;
import dev.mvmm.core.config.Configuration;
import dev.mvmm.core.config.Keys;
import dev.mvmm.core.config.VmConfig;
import dev.mvmm.core.host.Hypervisor;
import dev.mvmm.core.host.libvirt.LibvirtHypervisor;
import dev.mvmm.core.lock.VmLocks;
import dev.mvmm.core.host.ReconnectingHypervisor;
import dev.mvmm.core.host.proxmox.ProxmoxHypervisor;
import dev.mvmm.core.notify.AsyncNotifier;
import dev.mvmm.core.notify.CommandNotifier;
import dev.mvmm.core.notify.Notifier;
import dev.mvmm.core.store.HealthRepository;
import dev.mvmm.core.store.MaintenanceRepository;
import dev.mvmm.core.store.StateStore;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import org.tinylog.Logger;

/**
 * What a command works on, opened lazily from the global options and closed at the end: the
 * configuration, the state database, the hypervisor connection.
 */
public final class Context implements AutoCloseable {

    private final GlobalOptions options;
    private final Map<String, String> environment;
    private final Clock clock;
    private Configuration configuration;
    private StateStore store;
    private Hypervisor hypervisor;
    private AsyncNotifier notifier;
    private boolean longRunning;

    /** Points the Proxmox backend at another root than {@code /} (tests, chroots). */
    public static final String PROXMOX_ROOT_VARIABLE = "MVMM_PROXMOX_ROOT";

    private java.time.Duration patience = java.time.Duration.ZERO;

    public Context(GlobalOptions options, Map<String, String> environment, Clock clock) {
        this.options = options;
        this.environment = environment;
        this.clock = clock;
    }

    public static Context of(GlobalOptions options) {
        return new Context(options, System.getenv(), Clock.systemDefaultZone());
    }

    public Clock clock() {
        return clock;
    }

    public Sleeper sleeper() {
        return Sleeper.SYSTEM;
    }

    public Path configDirectory() {
        return Locations.configDirectory(options.configDir());
    }

    /** The validated configuration; warnings are logged, errors in mvmm.conf throw. */
    public Configuration configuration() {
        if (configuration == null) {
            configuration = new ConfigLoader(configDirectory()).load();
            for (ConfigProblem warning : configuration.warnings()) {
                Logger.warn(warning);
            }
        }
        return configuration;
    }

    /** Logs the warnings of the VMs a command works on (errors are reported with the VM). */
    public static void logWarnings(VmConfig vm) {
        if (vm.isValid()) {
            vm.problems().forEach(problem -> Logger.tag(vm.name()).warn(problem));
        }
    }

    public Path stateFile() {
        return Locations.stateFile(options.state(), environment);
    }

    public StateStore store() {
        if (store == null) {
            store = StateStore.open(stateFile());
        }
        return store;
    }

    public HealthRepository health() {
        return new HealthRepository(store());
    }

    public MaintenanceRepository maintenance() {
        return new MaintenanceRepository(store());
    }

    /**
     * The VM's lock for {@code operation}, or empty after telling {@code err} who holds it (the caller
     * then exits 75 for that VM).
     */
    public java.util.Optional<dev.mvmm.core.lock.VmLock> lockOrExplain(String vm, String operation, String command,
            java.io.PrintWriter err) {
        java.util.Optional<dev.mvmm.core.lock.VmLock> lock = locks().tryLock(vm, operation);
        if (lock.isEmpty()) {
            err.println("mvmm " + command + ": " + vm + " is busy: locked by "
                    + locks().holder(vm).map(Object::toString).orElse("another mvmm process"));
        }
        return lock;
    }

    /** The power markers of cut-off operations, beside the state database. */
    public dev.mvmm.core.power.PowerMarkers powerMarkers() {
        return new dev.mvmm.core.power.PowerMarkers(Locations.powerMarkerDirectory(stateFile()));
    }

    public VmLocks locks() {
        return new VmLocks(Locations.lockDirectory(stateFile(), environment), clock, patience);
    }

    /** Commands that act (backup, restore, patch, replicate) may wait for a busy VM: {@code --wait}. */
    public Context waitingFor(java.time.Duration patience) {
        this.patience = patience == null ? java.time.Duration.ZERO : patience;
        return this;
    }

    public URI uri() {
        if (options.connect() != null) {
            return URI.create(options.connect());
        }
        return configuration().global().get(Keys.URI_KEY);
    }

    /**
     * The backend: libvirt when {@code --connect} names a URI or {@code hypervisor=libvirt};
     * Proxmox when {@code hypervisor=proxmox}, or by default when {@code /etc/pve} and {@code qm}
     * exist. A long-running process gets a connection that reconnects after a libvirtd restart.
     */
    public Hypervisor hypervisor() {
        if (hypervisor == null) {
            String kind = configuration().global().get(Keys.HYPERVISOR);
            boolean proxmox = options.connect() == null
                    && ("proxmox".equals(kind) || "auto".equals(kind) && ProxmoxHypervisor.detected());
            if (proxmox) {
                String root = environment.get(PROXMOX_ROOT_VARIABLE);
                hypervisor = root == null || root.isBlank() ? ProxmoxHypervisor.system()
                        : new ProxmoxHypervisor(Path.of(root), List.of("qm"));
            } else {
                URI uri = uri();
                hypervisor = longRunning ? new ReconnectingHypervisor(() -> LibvirtHypervisor.connect(uri))
                        : LibvirtHypervisor.connect(uri);
            }
        }
        return hypervisor;
    }

    /** For a process that runs for days: reconnects to libvirt when the connection breaks. */
    public Context longRunning() {
        this.longRunning = true;
        return this;
    }

    /**
     * Runs each VM's {@code notify_command}, on a thread of its own; closing the context waits a
     * bounded time for what is queued. Reads the configuration current at each event.
     */
    public Notifier notifier() {
        if (notifier == null) {
            notifier = new AsyncNotifier(new CommandNotifier(vm -> {
                Configuration config = configuration();
                return config.vm(vm).map(v -> v.settings().get(Keys.NOTIFY_COMMAND))
                        .orElse(config.global().get(Keys.NOTIFY_COMMAND));
            }));
        }
        return notifier;
    }

    /** Reads the configuration again (monitor's SIGHUP); a broken mvmm.conf throws and changes nothing. */
    public Configuration reloadConfiguration() {
        Configuration fresh = new ConfigLoader(configDirectory()).load();
        fresh.warnings().forEach(Logger::warn);
        configuration = fresh;
        return fresh;
    }

    @Override
    public void close() {
        if (notifier != null) {
            notifier.close();
        }
        if (hypervisor != null) {
            hypervisor.close();
        }
        if (store != null) {
            store.close();
        }
    }
}
