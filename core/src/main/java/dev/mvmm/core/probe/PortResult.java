package dev.mvmm.core.probe;

import java.time.Duration;

/**
 * What one connect attempt found.
 *
 * @param open    the connection was accepted
 * @param latency time to accept or to fail
 * @param failure why it failed ("refused", "timed out after 2s", ...), {@code null} when open
 */
public record PortResult(PortTarget target, boolean open, Duration latency, String failure) {

    static PortResult open(PortTarget target, Duration latency) {
        return new PortResult(target, true, latency, null);
    }

    static PortResult failed(PortTarget target, Duration latency, String failure) {
        return new PortResult(target, false, latency, failure);
    }
}
