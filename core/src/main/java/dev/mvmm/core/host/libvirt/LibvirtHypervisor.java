package dev.mvmm.core.host.libvirt;

import dev.mvmm.core.host.Hypervisor;
import dev.mvmm.core.host.HypervisorException;
import dev.mvmm.core.host.HypervisorUnavailableException;
import dev.mvmm.core.host.PowerState;
import dev.mvmm.core.host.ProcessStart;
import dev.mvmm.core.host.VmStatus;
import java.net.URI;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.libvirt.Connect;
import org.libvirt.Domain;
import org.libvirt.DomainInfo;
import org.libvirt.Error;
import org.libvirt.LibvirtException;

/** The {@link Hypervisor} port on libvirt, through libvirt-java (JNA). */
public final class LibvirtHypervisor implements Hypervisor {

    private static final Path QEMU_RUN_DIRECTORY = Path.of("/run/libvirt/qemu");
    private static final Path PROC = Path.of("/proc");

    /** virDomainXMLFlags and virDomainUndefineFlagsValues, which libvirt-java 0.5.2 does not name. */
    private static final int XML_SECURE = 1;
    private static final int XML_INACTIVE = 2;
    private static final int UNDEFINE_NVRAM = 4;
    private static final int UNDEFINE_CHECKPOINTS_METADATA = 16;

    private final URI uri;
    private final Connect connection;
    private final boolean localQemu;

    private LibvirtHypervisor(URI uri, Connect connection) {
        this.uri = uri;
        this.connection = connection;
        // Only a local system QEMU driver has pid files we can read for the start time of a run.
        this.localQemu = "qemu".equals(uri.getScheme()) && uri.getHost() == null
                && "/system".equals(uri.getPath());
    }

    /** Why {@link #preload} could not load libvirt's library, or null. */
    private static volatile LinkageError preloadFailure;

    /**
     * Loads libvirt's C library through JNA and initialises it (about 100 ms: JNA's own library,
     * libvirt's and its dependencies, {@code virInitialize}); meant for a second thread started
     * before the command line is even parsed, so that {@link #connect} finds it done. A failure is
     * kept, and reported by {@code connect} with its first, telling, message (later uses of a class
     * whose initialisation failed only say "Could not initialize class").
     */
    public static void preload() {
        try {
            NativeSearchPath.prepare();
            quietErrors();
            // libvirt-java's own set-up (virInitialize, libvirt-qemu), which the first Connect would run.
            Class.forName("org.libvirt.Library", true, LibvirtHypervisor.class.getClassLoader());
        } catch (LinkageError e) {
            preloadFailure = e;
        } catch (LibvirtException | ClassNotFoundException e) {
            // Met again, and reported, by connect.
        }
    }

    /** libvirt's default handler prints every error to stderr; errors reach us as exceptions. */
    private static void quietErrors() throws LibvirtException {
        Connect.setErrorCallback((userData, error) -> { });
    }

    /** Opens a read-write connection, or explains why libvirt cannot be reached. */
    public static LibvirtHypervisor connect(URI uri) {
        try {
            NativeSearchPath.prepare();
            quietErrors();
            return new LibvirtHypervisor(uri, new Connect(uri.toString(), false));
        } catch (LibvirtException e) {
            throw new HypervisorUnavailableException("cannot connect to libvirt at " + uri + ": " + e.getMessage()
                    + "; check that libvirtd (or virtqemud) is running and that you may use it (root)", e);
        } catch (UnsatisfiedLinkError | NoClassDefFoundError e) {
            LinkageError first = preloadFailure != null ? preloadFailure : e;
            throw new HypervisorUnavailableException("the libvirt library is not installed (" + first.getMessage()
                    + "); install it with 'apt-get install libvirt0'", first);
        }
    }

    @Override
    public String describe() {
        return "libvirt " + uri;
    }

    @Override
    public Map<String, VmStatus> list() {
        Map<String, VmStatus> vms = new LinkedHashMap<>();
        try {
            for (int id : connection.listDomains()) {
                lookup(() -> connection.domainLookupByID(id), null).map(this::withStart)
                        .ifPresent(status -> vms.put(status.name(), status));
            }
            for (String name : connection.listDefinedDomains()) {
                if (!vms.containsKey(name)) {
                    lookup(() -> connection.domainLookupByName(name), name).ifPresent(status -> vms.put(name,
                            status));
                }
            }
        } catch (LibvirtException e) {
            throw unavailable("list domains", e);
        }
        return vms;
    }

    @Override
    public Optional<VmStatus> status(String vm) {
        try {
            return lookup(() -> connection.domainLookupByName(vm), vm).map(this::withStart);
        } catch (LibvirtException e) {
            throw unavailable("look up domain " + vm, e);
        }
    }

    @Override
    public void shutdown(String vm, java.time.Duration timeout) {
        operate(vm, "shut down", Domain::shutdown);
    }

    @Override
    public void destroy(String vm) {
        operate(vm, "destroy", Domain::destroy);
    }

    @Override
    public void start(String vm) {
        operate(vm, "start", domain -> domain.create());
    }

    @Override
    public void reset(String vm) {
        operate(vm, "reset", Domain::reset);
    }

    @Override
    public void startPaused(String vm) {
        operate(vm, "start (paused)", domain -> domain.create(1));
    }

    @Override
    public String definition(String vm) {
        String[] xml = new String[1];
        operate(vm, "read the definition of", domain -> xml[0] = domain.getXMLDesc(0));
        return xml[0];
    }

    @Override
    public String inactiveDefinition(String vm) {
        String[] xml = new String[1];
        operate(vm, "read the definition of", domain -> xml[0] = domain.getXMLDesc(XML_INACTIVE | XML_SECURE));
        return xml[0];
    }

    @Override
    public String define(String xml) {
        Domain domain = null;
        try {
            domain = connection.domainDefineXML(xml);
            return domain.getName();
        } catch (LibvirtException e) {
            throw new HypervisorException("libvirt refused the definition: " + e.getMessage(), e);
        } finally {
            free(domain);
        }
    }

    @Override
    public void undefine(String vm) {
        operate(vm, "undefine", domain -> domain.undefine(UNDEFINE_NVRAM | UNDEFINE_CHECKPOINTS_METADATA));
    }

    @Override
    public String uri() {
        return uri.toString();
    }

    @Override
    public long[] versions() {
        try {
            return new long[] {connection.getLibVersion(), connection.getVersion()};
        } catch (LibvirtException e) {
            throw unavailable("read its version", e);
        }
    }

    @Override
    public void close() {
        try {
            connection.close();
        } catch (LibvirtException e) {
            // Closing a connection that already broke has nothing left to release.
        }
    }

    private interface DomainLookup {
        Domain find() throws LibvirtException;
    }

    private interface DomainOperation {
        void apply(Domain domain) throws LibvirtException;
    }

    /**
     * A domain that vanishes between listing and lookup (undefined, migrated) is simply absent.
     *
     * @param name the domain's name when it was looked up by it (saves a call: a monitor makes many)
     */
    private static Optional<VmStatus> lookup(DomainLookup lookup, String name) throws LibvirtException {
        Domain domain;
        try {
            domain = lookup.find();
        } catch (LibvirtException e) {
            if (e.getError() != null && e.getError().getCode() == Error.ErrorNumber.VIR_ERR_NO_DOMAIN) {
                return Optional.empty();
            }
            throw e;
        }
        try {
            DomainInfo info = domain.getInfo();
            PowerState state = map(info.state);
            int id = domain.getID();
            String runId = id > 0 && state != PowerState.SHUT_OFF ? Integer.toString(id) : null;
            return Optional.of(new VmStatus(name != null ? name : domain.getName(), state, runId,
                    domain.isPersistent() == 1));
        } catch (LibvirtException e) {
            if (e.getError() != null && e.getError().getCode() == Error.ErrorNumber.VIR_ERR_NO_DOMAIN) {
                return Optional.empty();
            }
            throw e;
        } finally {
            free(domain);
        }
    }

    private void operate(String vm, String what, DomainOperation operation) {
        Domain domain = null;
        try {
            domain = connection.domainLookupByName(vm);
            operation.apply(domain);
        } catch (LibvirtException e) {
            throw new HypervisorException("cannot " + what + " VM " + vm + ": " + e.getMessage(), e);
        } finally {
            free(domain);
        }
    }

    /** For a local QEMU domain, the start of its QEMU process; the run id then also names that process. */
    private VmStatus withStart(VmStatus status) {
        if (!localQemu || status.runId() == null) {
            return status;
        }
        Optional<Long> pid = ProcessStart.livePid(QEMU_RUN_DIRECTORY.resolve(status.name() + ".pid"), PROC);
        Optional<Instant> started = pid.flatMap(p -> ProcessStart.startedAt(p, PROC));
        return started.map(at -> new VmStatus(status.name(), status.state(), status.runId(), status.persistent(), at,
                null)).orElse(status);
    }

    private HypervisorUnavailableException unavailable(String what, LibvirtException e) {
        return new HypervisorUnavailableException("libvirt at " + uri + " failed to " + what + ": " + e.getMessage()
                + "; check that libvirtd is running", e);
    }

    private static void free(Domain domain) {
        if (domain != null) {
            try {
                domain.free();
            } catch (LibvirtException e) {
                // Nothing to do: the handle is gone either way.
            }
        }
    }

    static PowerState map(DomainInfo.DomainState state) {
        switch (state) {
            case VIR_DOMAIN_RUNNING:
            case VIR_DOMAIN_BLOCKED:
                return PowerState.RUNNING;
            case VIR_DOMAIN_PAUSED:
                return PowerState.PAUSED;
            case VIR_DOMAIN_SHUTDOWN:
                return PowerState.SHUTTING_DOWN;
            case VIR_DOMAIN_SHUTOFF:
                return PowerState.SHUT_OFF;
            case VIR_DOMAIN_CRASHED:
                return PowerState.CRASHED;
            default:
                return PowerState.UNKNOWN;
        }
    }
}
