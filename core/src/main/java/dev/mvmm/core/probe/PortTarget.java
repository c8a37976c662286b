package dev.mvmm.core.probe;

import java.time.Duration;

/** One TCP port to try on one host, and how long to try. */
public record PortTarget(String host, int port, Duration timeout) {

    // equals and hashCode are written out: a record's generated ones are bootstrapped through method
    // handles on first use, which cost a one-shot check about 10 ms of spun classes (the probes are
    // collected in a set and looked up in a map on every run).

    @Override
    public boolean equals(Object other) {
        return other instanceof PortTarget that && port == that.port && host.equals(that.host)
                && timeout.equals(that.timeout);
    }

    @Override
    public int hashCode() {
        return (host.hashCode() * 31 + port) * 31 + timeout.hashCode();
    }
}
