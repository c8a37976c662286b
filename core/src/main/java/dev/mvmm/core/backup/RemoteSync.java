package dev.mvmm.core.backup;

import dev.mvmm.core.exec.CommandResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Pattern;
import org.tinylog.Logger;

/**
 * Keeps an exact off-site mirror of a VM's chains. The current chain is copied into a hidden
 * {@code .<VM>.incoming} directory (unchanged files hard-linked from the previous mirror), checked
 * against the local chain with an rsync dry run (names and sizes, checksums when asked), and only
 * then switched into place: a cut-off transfer is never visible as {@code <VM>}. A remote mirror of
 * a chain that was archived locally meanwhile (even while the remote was unreachable) is archived
 * under the same name — from the local archive, or from the chain records when retention has
 * deleted it — and brought up to the archive's final state when it still exists. Remote retention
 * is {@code remote_max_chains}, over whole chains only.
 */
public final class RemoteSync {

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
        List<String> names = remote.list();
        Path current = backupPath.resolve(vm);
        String localPrint = Files.isDirectory(current) ? Remote.fingerprintOf(current) : null;
        List<String> archived = new ArrayList<>();
        if (names.contains(vm)) {
            String remotePrint = remote.fingerprint(vm);
            if (localPrint == null || !remotePrint.equals(localPrint)) {
                String archive = archiveName(backupPath, vm, remotePrint);
                String target = archive != null ? archive : vm + "." + Stamps.of(clock.instant());
                if (names.contains(target)) {
                    remote.delete(vm);
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

    /** Copies into a hidden directory, checks it, then switches it into place. */
    private void mirror(Path local, String name, boolean exists) {
        String incoming = "." + name + ".incoming";
        remote.delete(incoming);
        CommandResult copied = remote.copy(local, incoming, exists ? name : null);
        if (!copied.succeeded()) {
            throw new SyncException("copying " + local + " to " + remote.describe() + " failed: " + copied.summary());
        }
        List<String> differences = remote.differences(local, incoming);
        if (!differences.isEmpty()) {
            throw new SyncException("the copy on " + remote.describe() + " differs from " + local + ": "
                    + differences.size() + " item(s), first " + differences.get(0));
        }
        String old = "." + name + ".old";
        if (exists) {
            remote.delete(old);
            remote.move(name, old);
        }
        remote.move(incoming, name);
        if (exists) {
            remote.delete(old);
        }
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
            newest = Math.max(newest, Long.parseLong(fields[fields.length - 1]));
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
            remote.delete(archives.get(i));
            removed.add(archives.get(i));
        }
        return removed;
    }

    /** What the remote holds for a VM: its entries, for 'backup list --remote'. */
    public List<String> holdings(String vm) {
        Pattern pattern = Pattern.compile(Pattern.quote(vm) + "(\\." + Stamps.PATTERN + ")?");
        List<String> mine = new ArrayList<>();
        for (String name : remote.list()) {
            if (pattern.matcher(name).matches()) {
                CommandResult size = remote.run("du", "-sk", remote.at(name));
                mine.add(name + " (" + (size.succeeded() ? size.stdout().split("\\s")[0] + " KiB" : "size unknown")
                        + ")");
            }
        }
        mine.sort(null);
        return mine;
    }
}
