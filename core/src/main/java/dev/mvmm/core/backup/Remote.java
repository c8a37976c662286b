package dev.mvmm.core.backup;

import dev.mvmm.core.exec.CommandResult;
import dev.mvmm.core.exec.ExternalCommand;
import dev.mvmm.core.exec.SshOptions;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Where off-site copies go: {@code user@host:/path} through ssh and rsync, or a local directory (a
 * mounted NAS) through rsync. Remote commands are built from single-quoted words, so no name or path
 * is ever interpreted by the remote shell. ssh runs with {@link SshOptions}: safe defaults that
 * {@code ssh_opts} can override, except that host-key checking is never turned off.
 */
public final class Remote {

    private static final Duration COMMAND = Duration.ofMinutes(5);
    private static final Duration TRANSFER = Duration.ofHours(24);
    private static final String CHECK_MARK = "mvmm-check ";

    private final String destination;
    private final String login;
    private final String path;
    private final List<String> sshOptions;
    private final List<String> rsyncArguments;

    private Remote(String destination, String login, String path, List<String> sshOptions,
            List<String> rsyncArguments) {
        this.destination = destination;
        this.login = login;
        this.path = path;
        this.sshOptions = sshOptions;
        this.rsyncArguments = rsyncArguments;
    }

    /** @param bandwidthLimit KiB/s, or null */
    public static Remote of(String destination, List<String> sshOpts, List<String> rsyncArgs, Integer bandwidthLimit,
            boolean checksum) {
        List<String> ssh = SshOptions.merge(sshOpts);
        List<String> rsync = new ArrayList<>(rsyncArgs);
        if (bandwidthLimit != null && bandwidthLimit > 0) {
            rsync.add("--bwlimit=" + bandwidthLimit);
        }
        if (checksum) {
            rsync.add("--checksum");
        }
        if (destination.startsWith("/")) {
            return new Remote(destination, null, destination, ssh, rsync);
        }
        int colon = destination.indexOf(":/");
        if (colon < 0 || destination.startsWith("-") || destination.substring(0, colon).contains("@-")) {
            throw new SyncException("remote_path " + destination + " is not user@host:/path, or its user or host "
                    + "begins with '-'");
        }
        return new Remote(destination, destination.substring(0, colon), destination.substring(colon + 1), ssh, rsync);
    }

    public String describe() {
        return destination;
    }

    boolean isLocal() {
        return login == null;
    }

    /** Runs a command in the remote directory's host; every word is quoted for the remote shell. */
    CommandResult run(String... words) {
        return ExternalCommand.run(command(words), Map.of(), COMMAND);
    }

    /**
     * The command line that runs {@code words} where the remote directory is: as they are for a local
     * one; else through ssh, {@code --} before the login (no login is read as an option) and the words
     * single-quoted into one remote command (no name is interpreted by the remote shell).
     */
    List<String> command(String... words) {
        if (isLocal()) {
            return List.of(words);
        }
        List<String> command = new ArrayList<>(List.of("ssh"));
        command.addAll(sshOptions);
        command.add("--");
        command.add(login);
        StringBuilder remote = new StringBuilder();
        for (String word : words) {
            remote.append(remote.length() == 0 ? "" : " ").append(quote(word));
        }
        command.add(remote.toString());
        return command;
    }

    /** A path inside the remote directory. */
    String at(String name) {
        return path + "/" + name;
    }

    /** The entries of the remote directory (creating it if needed). */
    public List<String> list() {
        CommandResult made = run("mkdir", "-p", "--", path);
        if (!made.succeeded()) {
            throw new SyncException("cannot reach " + destination + ": " + made.summary());
        }
        CommandResult listed = run("find", path, "-mindepth", "1", "-maxdepth", "1", "-printf", "%f\\n");
        if (!listed.succeeded()) {
            throw new SyncException("cannot list " + destination + ": " + listed.summary());
        }
        List<String> names = new ArrayList<>();
        for (String line : listed.stdout().split("\n")) {
            if (!line.isBlank()) {
                names.add(line.strip());
            }
        }
        return names;
    }

    /** Names, sizes and times (rsync keeps them) of a remote chain's full or copy data: which chain it is. */
    String fingerprint(String name) {
        CommandResult found = run("find", at(name), "-maxdepth", "1", "(", "-name", "*.full.data", "-o", "-name",
                "*.copy.data", ")", "-printf", "%f %s %Ts\\n");
        if (!found.succeeded()) {
            // Not "no full backup": read so, a cut ssh made the current mirror look like another chain's,
            // and the sync archived it under a new name for remote retention to count.
            throw new SyncException("cannot read which chain " + at(name) + " on " + destination + " holds: "
                    + found.summary());
        }
        return sorted(found.stdout());
    }

    void move(String from, String to) {
        CommandResult moved = run("mv", "-T", "--", at(from), at(to));
        if (!moved.succeeded()) {
            throw new SyncException("cannot rename " + at(from) + " to " + to + " on " + destination + ": "
                    + moved.summary());
        }
    }

    void delete(String name) {
        CommandResult removed = run("rm", "-rf", "--", at(name));
        if (!removed.succeeded()) {
            throw new SyncException("cannot delete " + at(name) + " on " + destination + ": " + removed.summary());
        }
    }

    /** rsync a local directory's content into a remote directory, hard-linking unchanged files from another. */
    CommandResult copy(Path local, String name, String linkDest) {
        return ExternalCommand.run(copyCommand(local, name, linkDest), Map.of(), TRANSFER);
    }

    List<String> copyCommand(Path local, String name, String linkDest) {
        List<String> command = new ArrayList<>(List.of("rsync", "-a", "--delete"));
        if (linkDest != null) {
            command.add("--link-dest=" + at(linkDest));
        }
        command.addAll(rsyncArguments);
        return endpoints(command, local, name);
    }

    /**
     * How a remote directory differs from a local one, one line per difference: an rsync dry run
     * with the same arguments as the copy (checksums when asked), whose every item is printed in a
     * marked format of mvmm's own. Only the marked lines count, so the operator's {@code -v},
     * {@code --stats} or {@code --progress} print what they like; {@code -q}, which would silence
     * the items and make any copy look right, is left out of this run.
     */
    List<String> differences(Path local, String name) {
        CommandResult check = ExternalCommand.run(checkCommand(local, name), Map.of(), TRANSFER);
        if (!check.succeeded()) {
            throw new SyncException("cannot compare " + local + " with its copy on " + destination + ": "
                    + check.summary());
        }
        List<String> differences = new ArrayList<>();
        for (String line : (check.stdout() + "\n" + check.stderr()).split("\n")) {
            if (line.startsWith(CHECK_MARK)) {
                String item = line.substring(CHECK_MARK.length());
                String flags = item.substring(0, Math.min(11, item.length()));
                // '.' first and no attribute letter: an unchanged item, listed only at rsync's -vv.
                if (!(flags.startsWith(".") && flags.substring(Math.min(2, flags.length())).matches("[ .]*"))) {
                    differences.add(item.strip());
                }
            }
        }
        return differences;
    }

    List<String> checkCommand(Path local, String name) {
        List<String> command = new ArrayList<>(List.of("rsync", "-a", "--delete"));
        command.addAll(withoutQuiet(rsyncArguments));
        command.addAll(List.of("--dry-run", "--out-format=" + CHECK_MARK + "%i %n%L"));
        return endpoints(command, local, name);
    }

    private List<String> endpoints(List<String> command, Path local, String name) {
        if (!isLocal()) {
            command.addAll(List.of("-e", shellCommand()));
        }
        command.add("--");
        command.add(local + "/");
        command.add((isLocal() ? "" : login + ":") + at(name) + "/");
        return command;
    }

    /** rsync arguments without {@code -q}/{@code --quiet}, also out of bundles such as {@code -aqz}. */
    static List<String> withoutQuiet(List<String> arguments) {
        List<String> kept = new ArrayList<>();
        for (String argument : arguments) {
            if (argument.equals("--quiet")) {
                continue;
            }
            if (argument.matches("-[^-].*")) {
                // Letters after one that takes an argument (rsync's -B -e -f -M -T -@) are that argument.
                int end = 1;
                while (end < argument.length() && "BefMT@".indexOf(argument.charAt(end)) < 0) {
                    end++;
                }
                argument = "-" + argument.substring(1, end).replace("q", "") + argument.substring(end);
                if (argument.equals("-")) {
                    continue;
                }
            }
            kept.add(argument);
        }
        return kept;
    }

    /** Copies a remote chain into a local directory (for a restore from the off-site copy). */
    CommandResult fetch(String name, Path local) {
        return ExternalCommand.run(fetchCommand(name, local), Map.of(), TRANSFER);
    }

    List<String> fetchCommand(String name, Path local) {
        List<String> command = new ArrayList<>(List.of("rsync", "-a", "--delete"));
        if (!isLocal()) {
            command.addAll(List.of("-e", shellCommand()));
        }
        command.add("--");
        command.add((isLocal() ? "" : login + ":") + at(name) + "/");
        command.add(local + "/");
        return command;
    }

    /** Public view of {@link #fetch} for the restore command. */
    public void fetchChain(String name, Path local) {
        CommandResult fetched = fetch(name, local);
        if (!fetched.succeeded()) {
            throw new SyncException("cannot fetch " + at(name) + " from " + destination + ": " + fetched.summary());
        }
    }

    private String shellCommand() {
        return SshOptions.rsyncShell(sshOptions);
    }

    static String fingerprintOf(Path chain) {
        StringBuilder out = new StringBuilder();
        try (var files = java.nio.file.Files.list(chain)) {
            for (Path file : (Iterable<Path>) files::iterator) {
                String name = file.getFileName().toString();
                if (name.endsWith(".full.data") || name.endsWith(".copy.data")) {
                    out.append(name).append(' ').append(java.nio.file.Files.size(file)).append(' ')
                            .append(java.nio.file.Files.getLastModifiedTime(file).to(java.util.concurrent.TimeUnit.SECONDS))
                            .append('\n');
                }
            }
        } catch (java.io.IOException e) {
            return "";
        }
        return sorted(out.toString());
    }

    private static String sorted(String lines) {
        List<String> list = new ArrayList<>();
        for (String line : lines.split("\n")) {
            if (!line.isBlank()) {
                list.add(line.strip());
            }
        }
        list.sort(null);
        return String.join("\n", list);
    }

    /** POSIX single quotes: the remote shell takes the word literally. */
    public static String quote(String word) {
        return "'" + word.replace("'", "'\\''") + "'";
    }
}
