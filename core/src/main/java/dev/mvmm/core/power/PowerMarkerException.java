package dev.mvmm.core.power;

import dev.mvmm.core.MvmmException;

/** A power marker cannot be written, read or removed; nothing is changed on the VM's power then. */
public final class PowerMarkerException extends MvmmException {

    PowerMarkerException(String message, Throwable cause) {
        super(message, cause);
    }
}
