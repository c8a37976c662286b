package dev.mvmm.core.replicate;

import dev.mvmm.core.backup.BackupException;
import dev.mvmm.core.exec.CommandResult;
import dev.mvmm.core.exec.ExternalCommand;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.tinylog.Logger;

/** Clones on this host: qemu-img convert straight from the source, qemu-img compare afterwards. */
public final class LocalFiles implements TargetFiles {

    static final Duration COPY = Duration.ofHours(24);

    private final java.io.OutputStream progress;

    /** @param progress where qemu-img's progress meter goes (a terminal), or null for none */
    public LocalFiles(java.io.OutputStream progress) {
        this.progress = progress;
    }

    @Override
    public String describe() {
        return "this host";
    }

    @Override
    public boolean exists(String path) {
        return Files.exists(Path.of(path), java.nio.file.LinkOption.NOFOLLOW_LINKS);
    }

    @Override
    public String makeDirectories(String directory) {
        Path path = Path.of(directory);
        Path top = null;
        for (Path p = path; p != null && !Files.exists(p); p = p.getParent()) {
            top = p;
        }
        try {
            Files.createDirectories(path);
        } catch (IOException e) {
            throw new BackupException("cannot create " + directory + ": " + e.getMessage());
        }
        return top == null ? null : top.toString();
    }

    /**
     * Copies into a hidden {@code .<name>.mvmm-partial} beside the target, verifies it, and only then
     * renames it to the target (never over an existing file): a copy cut off (even by SIGKILL)
     * never looks finished, and the next replicate simply writes its partial file again.
     */
    @Override
    public void copyImage(Path source, String format, String target) {
        Path finished = Path.of(target);
        Path partial = finished.resolveSibling("." + finished.getFileName() + ".mvmm-partial");
        try {
            convert(source, format, partial.toString(), progress);
            CommandResult compare = ExternalCommand.run(List.of("qemu-img", "compare", "-U", "--",
                    source.toString(), partial.toString()), Map.of(), COPY);
            if (compare.exitCode() != 0) {
                throw new BackupException("the copy of " + source + " differs from it: " + compare.summary());
            }
            Files.move(partial, finished);
        } catch (java.nio.file.FileAlreadyExistsException e) {
            throw new BackupException(target + " appeared while it was being copied; replicate never overwrites a "
                    + "file");
        } catch (IOException e) {
            throw new BackupException("cannot put the copy of " + source + " in place as " + target + ": "
                    + e.getMessage());
        } finally {
            try {
                Files.deleteIfExists(partial);
            } catch (IOException e) {
                Logger.warn("could not remove {}: {}", partial, e.getMessage());
            }
        }
    }

    @Override
    public void copy(Path source, String target) {
        run("copy " + source + " to " + target, "cp", "-a", "--", source.toString(), target);
    }

    @Override
    public boolean delete(String path) {
        CommandResult removed = ExternalCommand.run(List.of("rm", "-rf", "--", path), Map.of(), Duration.ofMinutes(5));
        if (!removed.succeeded()) {
            Logger.warn("could not remove {}: {}", path, removed.summary());
        }
        return removed.succeeded();
    }

    /** A thin copy with qemu-img convert; its progress meter goes to {@code progress} when there is one. */
    static void convert(Path source, String format, String target, java.io.OutputStream progress) {
        List<String> command = List.of("qemu-img", "convert", progress == null ? "-q" : "-p", "-U", "-O", format,
                "--", source.toString(), target);
        CommandResult result = ExternalCommand.run(command, Map.of(), COPY, progress);
        if (!result.succeeded()) {
            throw new BackupException("cannot copy " + source + " to " + target + ": " + result.summary());
        }
    }

    static void run(String what, String... command) {
        CommandResult result = ExternalCommand.run(List.of(command), Map.of(), COPY);
        if (!result.succeeded()) {
            throw new BackupException("cannot " + what + ": " + result.summary());
        }
    }
}
