package dev.mvmm.core.backup;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.tinylog.Logger;

/**
 * Archived chains: {@code <VM>.<ISO 8601 basic UTC time>}, for example {@code web.20261121T135203Z}
 * (no colons, so rsync and ssh never take the name for a host). Only folders that match the pattern
 * exactly are ever touched: renaming an archive is the way to keep it for good. A chain that goes is
 * first renamed {@code .<name>.deleting}, so that a run cut off in the middle of deleting it never
 * leaves a half chain under a chain's name; the next backup of the VM finishes such a deletion.
 */
public final class Archives {

    private static final String DELETING = ".deleting";

    private Archives() {
    }

    /** Renames the current chain to its archive name; returns the new path. */
    public static Path archive(Path chain, Instant at) {
        Path target = chain.resolveSibling(chain.getFileName() + "." + Stamps.of(at));
        for (int i = 1; Files.exists(target); i++) {
            target = chain.resolveSibling(chain.getFileName() + "." + Stamps.of(at.plusSeconds(i)));
        }
        try {
            Files.move(chain, target);
        } catch (IOException e) {
            throw new BackupException("cannot archive " + chain + " as " + target + ": " + e.getMessage());
        }
        return target;
    }

    /** The VM's archived chains in {@code backupPath}. */
    public static List<Retention.Item> list(Path backupPath, String vm) {
        Pattern pattern = Pattern.compile(Pattern.quote(vm) + "\\.(" + Stamps.PATTERN + ")");
        List<Retention.Item> items = new ArrayList<>();
        if (!Files.isDirectory(backupPath)) {
            return items;
        }
        try (Stream<Path> entries = Files.list(backupPath)) {
            for (Path entry : (Iterable<Path>) entries::iterator) {
                Matcher matcher = pattern.matcher(entry.getFileName().toString());
                if (matcher.matches() && Files.isDirectory(entry)) {
                    items.add(new Retention.Item(entry.getFileName().toString(),
                            Stamps.parse(matcher.group(1))));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        items.sort(Comparator.comparing(Retention.Item::time));
        return items;
    }

    /** Applies retention; returns the archives deleted (or, on a dry run, that would be). */
    public static List<String> prune(Path backupPath, String vm, BackupSettings settings, ZoneId zone,
            boolean dryRun) {
        List<String> removed = doomed(list(backupPath, vm), settings, zone);
        if (!dryRun) {
            for (String name : removed) {
                discard(backupPath.resolve(name));
                Logger.tag(vm).info("retention: deleted archived chain {}", name);
            }
        }
        return removed;
    }

    /**
     * What retention would delete once the current chain is archived at {@code archivedAt}, as a
     * real run does before it prunes: the dry run's answer. Deletes nothing.
     */
    public static List<String> pruneAfterArchiving(Path backupPath, String vm, BackupSettings settings, ZoneId zone,
            Instant archivedAt) {
        List<Retention.Item> items = new ArrayList<>(list(backupPath, vm));
        String name = vm + "." + Stamps.of(archivedAt);
        if (items.stream().noneMatch(item -> item.name().equals(name))) {
            items.add(new Retention.Item(name, archivedAt));
        }
        items.sort(Comparator.comparing(Retention.Item::time));
        return doomed(items, settings, zone);
    }

    private static List<String> doomed(List<Retention.Item> items, BackupSettings settings, ZoneId zone) {
        Set<String> keep = Retention.keep(items, settings.keep(), settings.maxChains(), zone);
        List<String> removed = new ArrayList<>();
        for (Retention.Item item : items) {
            if (!keep.contains(item.name())) {
                removed.add(item.name());
            }
        }
        return removed;
    }

    /**
     * Deletes a chain: renamed to {@code .<name>.deleting} first (one atomic step), then deleted, so
     * that a cut-off deletion leaves nothing under the chain's name that could be taken for a chain.
     */
    public static void discard(Path chain) {
        if (!Files.exists(chain)) {
            return;
        }
        Path hidden = chain.resolveSibling("." + chain.getFileName() + DELETING);
        delete(hidden);
        try {
            Files.move(chain, hidden);
        } catch (IOException e) {
            throw new BackupException("cannot delete " + chain + " (renaming it to " + hidden.getFileName()
                    + " first): " + e.getMessage());
        }
        delete(hidden);
    }

    /** Finishes the deletions of the VM's chains that a cut-off run left as {@code .<name>.deleting}; returns them. */
    public static List<String> finishDeletions(Path backupPath, String vm) {
        Pattern pattern = Pattern.compile("\\." + Pattern.quote(vm) + "(\\." + Stamps.PATTERN + ")?"
                + Pattern.quote(DELETING));
        List<String> finished = new ArrayList<>();
        if (!Files.isDirectory(backupPath)) {
            return finished;
        }
        try (Stream<Path> entries = Files.list(backupPath)) {
            for (Path entry : (Iterable<Path>) entries::iterator) {
                if (pattern.matcher(entry.getFileName().toString()).matches()) {
                    delete(entry);
                    finished.add(entry.getFileName().toString());
                    Logger.tag(vm).warn("finished deleting {}, which a cut-off run had begun to delete",
                            entry.getFileName());
                }
            }
        } catch (IOException e) {
            throw new BackupException("cannot read " + backupPath + ": " + e.getMessage());
        }
        return finished;
    }

    /** Deletes a directory tree. */
    public static void delete(Path directory) {
        if (!Files.exists(directory)) {
            return;
        }
        try (Stream<Path> files = Files.walk(directory)) {
            for (Path file : (Iterable<Path>) files.sorted(Comparator.reverseOrder())::iterator) {
                Files.delete(file);
            }
        } catch (IOException e) {
            throw new BackupException("cannot delete " + directory + ": " + e.getMessage());
        }
    }
}
