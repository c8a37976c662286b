package dev.mvmm.core;

/**
 * Base of every failure the engine reports to a front end. It carries a message written for an
 * operator (what failed, for what, what to do) and never an exit status: the front end maps the
 * exception type to one.
 */
public abstract class MvmmException extends RuntimeException {

    protected MvmmException(String message) {
        super(message);
    }

    protected MvmmException(String message, Throwable cause) {
        super(message, cause);
    }
}
