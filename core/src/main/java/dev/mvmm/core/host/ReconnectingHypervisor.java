package dev.mvmm.core.host;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import org.tinylog.Logger;

/**
 * Keeps a long-running process connected: when the hypervisor connection breaks (libvirtd
 * restarted), it reconnects once and retries the call, instead of failing every later check.
 */
public final class ReconnectingHypervisor implements Hypervisor {

    private final Supplier<Hypervisor> connect;
    private Hypervisor current;

    public ReconnectingHypervisor(Supplier<Hypervisor> connect) {
        this.connect = connect;
        this.current = connect.get();
    }

    private interface Call<T> {
        T on(Hypervisor hypervisor);
    }

    private <T> T call(Call<T> call) {
        Hypervisor used = current();
        try {
            return call.on(used);
        } catch (HypervisorUnavailableException first) {
            Logger.warn("lost the hypervisor connection ({}); reconnecting", first.getMessage());
            return call.on(reconnect(used));
        }
    }

    private synchronized Hypervisor current() {
        return current;
    }

    private synchronized Hypervisor reconnect(Hypervisor broken) {
        if (current == broken) {
            broken.close();
            current = connect.get();
        }
        return current;
    }

    @Override
    public String describe() {
        return current().describe();
    }

    @Override
    public Map<String, VmStatus> list() {
        return call(Hypervisor::list);
    }

    @Override
    public Optional<VmStatus> status(String vm) {
        return call(h -> h.status(vm));
    }

    @Override
    public Optional<VmStatus> confirm(String vm) {
        return call(h -> h.confirm(vm));
    }

    @Override
    public void shutdown(String vm, Duration timeout) {
        call(h -> {
            h.shutdown(vm, timeout);
            return null;
        });
    }

    @Override
    public void destroy(String vm) {
        call(h -> {
            h.destroy(vm);
            return null;
        });
    }

    @Override
    public void start(String vm) {
        call(h -> {
            h.start(vm);
            return null;
        });
    }

    @Override
    public void reset(String vm) {
        call(h -> {
            h.reset(vm);
            return null;
        });
    }

    @Override
    public void startPaused(String vm) {
        call(h -> {
            h.startPaused(vm);
            return null;
        });
    }

    @Override
    public String definition(String vm) {
        return call(h -> h.definition(vm));
    }

    @Override
    public String inactiveDefinition(String vm) {
        return call(h -> h.inactiveDefinition(vm));
    }

    @Override
    public String define(String xml) {
        return call(h -> h.define(xml));
    }

    @Override
    public void undefine(String vm) {
        call(h -> {
            h.undefine(vm);
            return null;
        });
    }

    @Override
    public String uri() {
        return current().uri();
    }

    @Override
    public long[] versions() {
        return call(Hypervisor::versions);
    }

    @Override
    public synchronized void close() {
        current.close();
    }
}
