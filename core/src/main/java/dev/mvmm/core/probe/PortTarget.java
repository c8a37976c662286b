package dev.mvmm.core.probe;

import java.time.Duration;

/** One TCP port to try on one host, and how long to try. */
public record PortTarget(String host, int port, Duration timeout) {
}
