package dev.mvmm.core.health.soak;

import dev.mvmm.core.host.Hypervisor;
import dev.mvmm.core.host.VmStatus;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * The real hypervisor, with every call that changes a VM's power state recorded (what, which VM,
 * when it began and ended). After a successful start the world is told, so it can decide whether
 * the reboot fixed the VM's service.
 */
public final class RecordingHypervisor implements Hypervisor {

    /** One power call; {@code ok} is false when the hypervisor threw. */
    public record Call(String vm, String what, Instant began, Instant ended, boolean ok) {
    }

    private final Hypervisor delegate;
    private final Clock clock;
    private final Consumer<String> started;
    private final List<Call> calls = new ArrayList<>();
    private final AtomicLong lookups = new AtomicLong();

    public RecordingHypervisor(Hypervisor delegate, Clock clock, Consumer<String> started) {
        this.delegate = delegate;
        this.clock = clock;
        this.started = started;
    }

    public synchronized List<Call> calls() {
        return new ArrayList<>(calls);
    }

    /** Status look-ups: one per check, plus the reboots' polls. */
    public long lookups() {
        return lookups.get();
    }

    @Override
    public String describe() {
        return delegate.describe();
    }

    @Override
    public Map<String, VmStatus> list() {
        return delegate.list();
    }

    @Override
    public Optional<VmStatus> status(String vm) {
        lookups.incrementAndGet();
        return delegate.status(vm);
    }

    @Override
    public Optional<VmStatus> confirm(String vm) {
        return delegate.confirm(vm);
    }

    @Override
    public void shutdown(String vm, Duration timeout) {
        record(vm, "shutdown", () -> delegate.shutdown(vm, timeout));
    }

    @Override
    public void destroy(String vm) {
        record(vm, "destroy", () -> delegate.destroy(vm));
    }

    @Override
    public void start(String vm) {
        record(vm, "start", () -> delegate.start(vm));
        started.accept(vm);
    }

    @Override
    public void reset(String vm) {
        record(vm, "reset", () -> delegate.reset(vm));
    }

    @Override
    public void startPaused(String vm) {
        record(vm, "start-paused", () -> delegate.startPaused(vm));
    }

    private void record(String vm, String what, Runnable call) {
        Instant began = clock.instant();
        boolean ok = false;
        try {
            call.run();
            ok = true;
        } finally {
            Call done = new Call(vm, what, began, clock.instant(), ok);
            synchronized (this) {
                calls.add(done);
            }
        }
    }

    @Override
    public void close() {
        delegate.close();
    }
}
