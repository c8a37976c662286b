package dev.mvmm.core.domain;

import java.security.SecureRandom;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.random.RandomGenerator;
import org.tinylog.Logger;

/**
 * New MAC addresses for cloned interfaces: QEMU's 52:54:00 prefix (a locally administered,
 * unicast address) and three random bytes, never one already in use on the host or handed out before.
 */
public final class MacAddresses {

    private final Set<String> taken = new HashSet<>();
    private final RandomGenerator random;

    public MacAddresses(Set<String> inUse) {
        this(inUse, new SecureRandom());
    }

    MacAddresses(Set<String> inUse, RandomGenerator random) {
        inUse.forEach(mac -> taken.add(mac.toLowerCase(Locale.ROOT)));
        this.random = random;
    }

    /** Every MAC address the given hosts' defined VMs use (a VM whose definition cannot be read is skipped). */
    public static Set<String> inUse(List<dev.mvmm.core.host.Hypervisor> hosts) {
        Set<String> macs = new HashSet<>();
        for (dev.mvmm.core.host.Hypervisor host : hosts) {
            for (String name : host.list().keySet()) {
                try {
                    DomainXml.parse(host.inactiveDefinition(name)).macs().stream().filter(Objects::nonNull)
                            .forEach(macs::add);
                } catch (dev.mvmm.core.host.HypervisorException | IllegalArgumentException e) {
                    Logger.debug("cannot read the MAC addresses of {}: {}", name, e.getMessage());
                }
            }
        }
        return macs;
    }

    public String next() {
        for (int attempt = 0; attempt < 1000; attempt++) {
            String mac = String.format("52:54:00:%02x:%02x:%02x", random.nextInt(256), random.nextInt(256),
                    random.nextInt(256));
            if (taken.add(mac)) {
                return mac;
            }
        }
        throw new IllegalStateException("no free MAC address found in 52:54:00:xx:xx:xx");
    }
}
