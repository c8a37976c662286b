package dev.mvmm.core.lock;

/** Who holds a VM's lock, as the holder wrote it into the lock file. */
public record LockHolder(String operation, long pid, String since) {

    @Override
    public String toString() {
        return operation + " (pid " + pid + ", since " + since + ")";
    }
}
