package dev.mvmm.core.health.soak;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The soak's seeded script: what kind of service each VM has, when it opens and closes, which VMs
 * go into maintenance and when, and whether a reboot fixes an outage. The same seed gives the same
 * script; only where the monitor's reboots fall depends on timing.
 *
 * <ul>
 *   <li>{@link Kind#HEALTHY}: always open; never to be touched.</li>
 *   <li>{@link Kind#STEADY}: open for 6-25 s, then closed: mostly briefly (0.2-2 s, under a
 *       threshold of 3 s), sometimes around the threshold (2-6 s), sometimes long (6.5-20 s).</li>
 *   <li>{@link Kind#FLAPPING}: open for 5-20 s, then a burst of 2-12 s in which the port opens and
 *       closes every 0.1-0.7 s, faster than the monitor checks.</li>
 *   <li>{@link Kind#BROKEN}: long outages (25-45 s) that no reboot fixes, so the loop guard must
 *       put the VM on hold; open 2-10 s at first and 10-40 s in between, so some holds are
 *       released within a short run.</li>
 *   <li>{@link Kind#MAINTAINED}: like STEADY with longer outages, and a maintenance window of
 *       10-25 s in every five minutes of the run (one in a short run), in its first two thirds.</li>
 * </ul>
 *
 * The host goes into maintenance for 6 s at three quarters of every fifteen minutes (once in a
 * short run). A reboot during an outage ends it (the listener is back when the VM has started)
 * with the kind's chance.
 */
public final class Plan {

    public enum Kind {
        HEALTHY(0.0), STEADY(0.6), FLAPPING(0.5), BROKEN(0.0), MAINTAINED(0.6);

        /** The chance that a reboot during an outage ends it. */
        final double fixChance;

        Kind(double fixChance) {
            this.fixChance = fixChance;
        }
    }

    /** One stretch of a service's script. */
    public record Phase(Duration length, boolean open) {
    }

    /** A maintenance window, as offsets from the start of the script; {@code vm == null} for the host. */
    public record Window(String vm, Duration start, Duration length) {
    }

    private final long seed;
    private final Duration run;
    private final List<Kind> kinds = new ArrayList<>();
    private final List<Window> windows = new ArrayList<>();

    public Plan(long seed, int vms, Duration run) {
        this.seed = seed;
        this.run = run;
        SplittableRandom random = new SplittableRandom(seed);
        for (int i = 0; i < vms; i++) {
            double pick = random.nextDouble();
            Kind kind = pick < 0.20 ? Kind.HEALTHY : pick < 0.62 ? Kind.STEADY : pick < 0.77 ? Kind.FLAPPING
                    : pick < 0.90 ? Kind.BROKEN : Kind.MAINTAINED;
            kinds.add(kind);
            if (kind == Kind.MAINTAINED) {
                Duration slot = slot(run, Duration.ofMinutes(5));
                for (Duration from = Duration.ZERO; from.plus(slot).compareTo(run) <= 0; from = from.plus(slot)) {
                    long start = millis(random, slot.toMillis() / 10, slot.toMillis() * 2 / 3);
                    windows.add(new Window(name(i), from.plusMillis(start), Duration.ofMillis(millis(random, 10_000,
                            25_000))));
                }
            }
        }
        Duration slot = slot(run, Duration.ofMinutes(15));
        for (Duration from = Duration.ZERO; from.plus(slot).compareTo(run) <= 0; from = from.plus(slot)) {
            windows.add(new Window(null, from.plus(slot.multipliedBy(3).dividedBy(4)), Duration.ofSeconds(6)));
        }
    }

    /** The run cut in stretches of about {@code length}; the whole run when it is shorter. */
    private static Duration slot(Duration run, Duration length) {
        long slots = Math.max(1, run.toMillis() / length.toMillis());
        return run.dividedBy(slots);
    }

    public static String name(int index) {
        return "vm" + index;
    }

    public long seed() {
        return seed;
    }

    public Duration run() {
        return run;
    }

    public int vms() {
        return kinds.size();
    }

    public Kind kind(int index) {
        return kinds.get(index);
    }

    public List<Window> windows() {
        return windows;
    }

    /** The endless script of VM {@code index}'s service, starting open. */
    public Script script(int index) {
        return new Script(kinds.get(index), new SplittableRandom(seed * 31 + index * 2_654_435_761L + 1));
    }

    /** Whether reboots of VM {@code index} fix its outage: one seeded draw per reboot, in order. */
    public Fixes fixes(int index) {
        return new Fixes(kinds.get(index).fixChance, new SplittableRandom(seed * 17 + index * 40_503L + 2));
    }

    /** The coin a VM's reboots are decided by. */
    public static final class Fixes {
        private final double chance;
        private final SplittableRandom random;

        Fixes(double chance, SplittableRandom random) {
            this.chance = chance;
            this.random = random;
        }

        public synchronized boolean next() {
            return random.nextDouble() < chance;
        }
    }

    /** A service's phases, drawn one at a time. */
    public static final class Script {
        private final Kind kind;
        private final SplittableRandom random;
        private final List<Phase> burst = new ArrayList<>();
        private boolean open = true;
        private boolean first = true;

        Script(Kind kind, SplittableRandom random) {
            this.kind = kind;
            this.random = random;
        }

        public Phase next() {
            if (!burst.isEmpty()) {
                return burst.remove(0);
            }
            Phase phase = open ? new Phase(openLength(), true) : closed();
            open = !open;
            first = false;
            return phase;
        }

        private Duration openLength() {
            switch (kind) {
                case HEALTHY:
                    return Duration.ofDays(1);
                case FLAPPING:
                    return ms(5_000, 20_000);
                case BROKEN:
                    return first ? ms(2_000, 10_000) : ms(10_000, 40_000);
                default:
                    return ms(6_000, 25_000);
            }
        }

        private Phase closed() {
            switch (kind) {
                case FLAPPING:
                    return flap();
                case BROKEN:
                    return new Phase(ms(25_000, 45_000), false);
                case MAINTAINED:
                    return new Phase(random.nextDouble() < 0.3 ? ms(200, 2_000) : ms(6_500, 25_000), false);
                default:
                    double pick = random.nextDouble();
                    return new Phase(pick < 0.55 ? ms(200, 2_000) : pick < 0.70 ? ms(2_000, 6_000)
                            : ms(6_500, 20_000), false);
            }
        }

        /** A burst: closed and open by turns, each for 0.1-0.7 s; its first phase is returned, the rest queued. */
        private Phase flap() {
            long left = ms(2_000, 12_000).toMillis();
            boolean closed = true;
            while (left > 0 || !closed) {
                Duration part = ms(100, 700);
                burst.add(new Phase(part, !closed));
                left -= part.toMillis();
                closed = !closed;
            }
            return burst.remove(0);
        }

        private Duration ms(long from, long to) {
            return Duration.ofMillis(millis(random, from, to));
        }
    }

    private static long millis(SplittableRandom random, long from, long to) {
        return from + random.nextLong(to - from);
    }
}
