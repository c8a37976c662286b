package dev.mvmm.core.backup;

import dev.mvmm.core.exec.CommandResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.tinylog.Logger;

/**
 * Keeps an exact off-site mirror of a VM's chains. A chain {@code X} ({@code <VM>} or an archive
 * {@code <VM>.<time>}) is replaced in five steps, and this is what the remote shows at each:
 * <ol>
 * <li>rsync writes {@code .X.incoming} (unchanged files hard-linked from {@code X}): {@code X} is
 * the previous complete copy; {@code .X.incoming} may be half and is never read as a chain;</li>
 * <li>an rsync dry run checks {@code .X.incoming} against the local chain, which is then renamed
 * {@code .X.new}: a {@code .X.new} is always complete and checked;</li>
 * <li>{@code X} is renamed {@code .X.old} — the one instant {@code X} is missing, with both
 * complete copies beside it;</li>
 * <li>{@code .X.new} is renamed {@code X};</li>
 * <li>{@code .X.old} is deleted.</li>
 * </ol>
 * A chain that goes (remote retention, a stale mirror) is first renamed {@code .X.deleting}, so a
 * cut-off deletion never leaves a half chain under a chain's name.
 * A sync cut off anywhere is set right by the next one before it does anything else
 * ({@link #repair}): a missing {@code X} gets {@code .X.new} (or else {@code .X.old}) back, and
 * whatever is left over is deleted. Listing and restoring read a missing {@code X} from
 * {@code .X.new} or {@code .X.old}. A remote mirror of a chain that was archived locally meanwhile
 * (even while the remote was unreachable) is archived under the same name — from the local archive,
 * or from the chain records when retention has deleted it — and brought up to the archive's final
 * state when it still exists. Remote retention is {@code remote_max_chains}, over whole chains only.
 */
public final class RemoteSync {

    private static final String INCOMING = ".incoming";
    private static final String FRESH = ".new";
    private static final String OLD = ".old";
    private static final String DELETING = ".deleting";

    private final Remote remote;
    private final Clock clock;
    private final BackupRepository records;

    /** For reading what the remote holds. */
    public RemoteSync(Remote remote, Clock clock) {
        this(remote, clock, null);
    }

    /** @param records the chain records, which name a remote mirror whose local archive is gone */
    public RemoteSync(Remote remote, Clock clock, BackupRepository records) {
        this.remote = remote;
        this.clock = clock;
        this.records = records;
    }

    /** Brings the remote in line with the local chains of {@code vm}; returns what it did. */
    public String sync(String vm, Path backupPath, Integer remoteMaxChains) {
        dev.mvmm.core.VmNames.require(vm);
        List<String> names = repair(vm, remote.list());
        Path current = backupPath.resolve(vm);
        String localPrint = Files.isDirectory(current) ? Remote.fingerprintOf(current) : null;
        List<String> archived = new ArrayList<>();
        if (names.contains(vm)) {
            String remotePrint = remote.fingerprint(vm);
            if (localPrint == null || !remotePrint.equals(localPrint)) {
                String archive = archiveName(backupPath, vm, remotePrint);
                String target = archive != null ? archive : vm + "." + Stamps.of(clock.instant());
                if (names.contains(target)) {
                    discard(vm);
                } else {
                    remote.move(vm, target);
                    names.add(target);
                }
                names.remove(vm);
                if (archive != null && Files.isDirectory(backupPath.resolve(archive))) {
                    mirror(backupPath.resolve(archive), archive, true);
                }
                archived.add(target);
                Logger.tag(vm).info("remote: archived the old mirror as {}", target);
            }
        }
        String result = "no current chain to copy";
        if (localPrint != null) {
            mirror(current, vm, names.contains(vm));
            result = "mirrored to " + remote.describe() + "/" + vm;
        }
        List<String> pruned = prune(vm, remote.list(), remoteMaxChains);
        return result + (archived.isEmpty() ? "" : "; remote archived " + archived)
                + (pruned.isEmpty() ? "" : "; remote retention deleted " + pruned);
    }

    /** Copies into a hidden directory, checks it, then switches it into place (see the class comment). */
    private void mirror(Path local, String name, boolean exists) {
        String incoming = hidden(name, INCOMING);
        remote.delete(incoming);
        CommandResult copied = remote.copy(local, incoming, exists ? name : null);
        if (!copied.succeeded()) {
            // A full remote (a NAS shared with others) is not left fuller by a half copy no one can use.
            dropQuietly(incoming);
            boolean full = (copied.stderr() + copied.stdout()).contains("No space left on device");
            throw new SyncException("copying " + local + " to " + remote.describe() + " failed"
                    + (full ? " (the remote is full: No space left on device)" : "") + ": " + copied.summary());
        }
        List<String> differences = remote.differences(local, incoming);
        if (!differences.isEmpty()) {
            throw new SyncException("the copy on " + remote.describe() + " differs from " + local + ": "
                    + differences.size() + " item(s), first " + differences.get(0));
        }
        remote.move(incoming, hidden(name, FRESH));
        if (exists) {
            remote.move(name, hidden(name, OLD));
        }
        remote.move(hidden(name, FRESH), name);
        if (exists) {
            remote.delete(hidden(name, OLD));
        }
    }

    /** Deletes a leftover when the remote lets it; the next sync deletes it otherwise. */
    private void dropQuietly(String name) {
        try {
            remote.delete(name);
        } catch (SyncException | dev.mvmm.core.exec.CommandFailure e) {
            Logger.debug("cannot delete {} on {} now: {}", name, remote.describe(), e.getMessage());
        }
    }

    /** Deletes a chain; renamed first, so a cut-off deletion never leaves a half chain under its name. */
    private void discard(String name) {
        remote.move(name, hidden(name, DELETING));
        remote.delete(hidden(name, DELETING));
    }

    /**
     * Finishes or undoes a switch that was cut off, for every chain of the VM: {@code .X.new} takes a
     * missing {@code X}'s place (else it is dropped), {@code .X.old} comes back when {@code X} is
     * still missing (a switch by an older mvmm) and is dropped otherwise, {@code .X.incoming} and
     * {@code .X.deleting} are dropped. Returns the remote's entries afterwards.
     */
    List<String> repair(String vm, List<String> entries) {
        List<String> names = new ArrayList<>(entries);
        for (String suffix : List.of(FRESH, OLD, INCOMING, DELETING)) {
            for (String entry : entries) {
                String chain = hiddenChain(vm, entry, suffix);
                if (chain == null) {
                    continue;
                }
                if (suffix.equals(INCOMING) || suffix.equals(DELETING) || names.contains(chain)) {
                    remote.delete(entry);
                } else {
                    remote.move(entry, chain);
                    names.add(chain);
                    Logger.tag(vm).warn("remote: {} was missing after a cut-off switch; put {} back in its place",
                            chain, entry);
                }
                names.remove(entry);
            }
        }
        return names;
    }

    /** The name of the chain the remote's {@code <VM>} mirrors, when that chain has been archived, or null. */
    private String archiveName(Path backupPath, String vm, String print) {
        if (print.isEmpty()) {
            return null;
        }
        for (Retention.Item item : Archives.list(backupPath, vm)) {
            if (Remote.fingerprintOf(backupPath.resolve(item.name())).equals(print)) {
                return item.name();
            }
        }
        return records == null ? null : recordedArchive(vm, print);
    }

    /**
     * The local archive is gone (retention, {@code max_chains=0}): the records still say which chain
     * was archived under which name. A chain's data was written after the previous chain was
     * archived and before it was archived itself, so the mirror belongs to the first chain archived
     * at or after the newest data file's time (rsync keeps the times).
     */
    private String recordedArchive(String vm, String print) {
        long newest = Long.MIN_VALUE;
        for (String line : print.split("\n")) {
            String[] fields = line.split(" ");
            try {
                newest = Math.max(newest, Long.parseLong(fields[fields.length - 1]));
            } catch (NumberFormatException e) {
                return null;
            }
        }
        Pattern archive = Pattern.compile(Pattern.quote(vm) + "\\." + Stamps.PATTERN);
        List<BackupRepository.Chain> chains = new ArrayList<>(records.chains(vm).stream()
                .filter(chain -> chain.archivedAt() != null && chain.location() != null).toList());
        chains.sort(Comparator.comparing(BackupRepository.Chain::archivedAt));
        for (BackupRepository.Chain chain : chains) {
            if (chain.archivedAt().getEpochSecond() >= newest) {
                String name = Path.of(chain.location()).getFileName().toString();
                return archive.matcher(name).matches() ? name : null;
            }
        }
        return null;
    }

    private List<String> prune(String vm, List<String> names, Integer keep) {
        List<String> removed = new ArrayList<>();
        if (keep == null) {
            return removed;
        }
        Pattern pattern = Pattern.compile(Pattern.quote(vm) + "\\." + Stamps.PATTERN);
        List<String> archives = new ArrayList<>(names.stream().filter(n -> pattern.matcher(n).matches()).toList());
        archives.sort(Comparator.reverseOrder());
        for (int i = keep; i < archives.size(); i++) {
            discard(archives.get(i));
            removed.add(archives.get(i));
        }
        return removed;
    }

    /** What the remote holds for a VM: its chains with sizes, for 'backup list --remote'. */
    public List<String> holdings(String vm) {
        dev.mvmm.core.VmNames.require(vm);
        List<String> entries = remote.list();
        List<String> mine = new ArrayList<>();
        for (String chain : chains(vm, entries)) {
            String where = whereIs(chain, entries);
            CommandResult size = remote.run("du", "-sk", "--", remote.at(where));
            mine.add(chain + " (" + (size.succeeded() ? size.stdout().split("\\s")[0] + " KiB" : "size unknown")
                    + (where.equals(chain) ? "" : "; held as " + where + " after a cut-off switch, put back in place "
                    + "by the next sync") + ")");
        }
        return mine;
    }

    /** The VM's complete chains among a remote directory's entries, also those a cut-off switch left hidden. */
    public static List<String> chains(String vm, List<String> entries) {
        Pattern pattern = chainPattern(vm);
        List<String> chains = new ArrayList<>();
        for (String entry : entries) {
            String chain = pattern.matcher(entry).matches() ? entry : hiddenChain(vm, entry, FRESH);
            if (chain == null) {
                chain = hiddenChain(vm, entry, OLD);
            }
            if (chain != null && !chains.contains(chain)) {
                chains.add(chain);
            }
        }
        chains.sort(null);
        return chains;
    }

    /** Fetches a remote chain into a local directory, from where a cut-off switch left it if need be. */
    public static void fetch(Remote remote, String chain, Path local) {
        remote.fetchChain(whereIs(chain, remote.list()), local);
    }

    private static String whereIs(String chain, List<String> entries) {
        for (String name : List.of(chain, hidden(chain, FRESH), hidden(chain, OLD))) {
            if (entries.contains(name)) {
                return name;
            }
        }
        return chain;
    }

    private static String hidden(String chain, String suffix) {
        return "." + chain + suffix;
    }

    /** The chain {@code X} when {@code entry} is {@code .X<suffix>} and {@code X} is one of the VM's chains. */
    private static String hiddenChain(String vm, String entry, String suffix) {
        if (!entry.startsWith(".") || !entry.endsWith(suffix)) {
            return null;
        }
        String chain = entry.substring(1, entry.length() - suffix.length());
        Matcher matcher = chainPattern(vm).matcher(chain);
        return matcher.matches() ? chain : null;
    }

    private static Pattern chainPattern(String vm) {
        return Pattern.compile(Pattern.quote(vm) + "(\\." + Stamps.PATTERN + ")?");
    }
}
