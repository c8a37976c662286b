package dev.mvmm.core.replicate;

import dev.mvmm.core.backup.BackupException;
import dev.mvmm.core.backup.Remote;
import dev.mvmm.core.exec.CommandResult;
import dev.mvmm.core.exec.ExternalCommand;
import dev.mvmm.core.exec.SshOptions;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.tinylog.Logger;

/**
 * Clones on a remote libvirt host, reached with ssh as its {@code qemu+ssh://} URI says (user, host,
 * port, {@code keyfile}), with mvmm's secure ssh defaults and {@code ssh_opts}. A disk is converted
 * thin into a staging file next to the source and compared with it, sent with {@code rsync --sparse}
 * under a temporary name, checked by SHA-256 on both ends, and only then renamed to its final name.
 */
public final class SshFiles implements TargetFiles {

    private static final Duration COMMAND = Duration.ofMinutes(5);

    private final String login;
    private final List<String> ssh;
    private final java.io.OutputStream progress;

    private SshFiles(String login, List<String> ssh, java.io.OutputStream progress) {
        this.login = login;
        this.ssh = ssh;
        this.progress = progress;
    }

    /** @param progress where progress meters go (a terminal), or null for none */
    public static SshFiles of(URI uri, List<String> sshOpts, java.io.OutputStream progress) {
        if (uri.getHost() == null) {
            throw new IllegalArgumentException("--to " + uri + " names no host");
        }
        List<String> ssh = new ArrayList<>();
        if (uri.getPort() > 0) {
            ssh.addAll(List.of("-p", Integer.toString(uri.getPort())));
        }
        if (uri.getQuery() != null) {
            for (String parameter : uri.getQuery().split("&")) {
                if (parameter.startsWith("keyfile=")) {
                    ssh.addAll(List.of("-i", parameter.substring("keyfile=".length())));
                }
            }
        }
        ssh.addAll(sshOpts);
        if (uri.getUserInfo() != null && !uri.getUserInfo().matches("[A-Za-z0-9._][A-Za-z0-9._-]*")) {
            // qemu+ssh://-oProxyCommand=...@host/ would otherwise reach ssh as an option.
            throw new IllegalArgumentException("--to " + uri + ": the user name may hold letters, digits and . _ - "
                    + "and may not begin with '-'");
        }
        ssh = SshOptions.merge(ssh);
        String login = (uri.getUserInfo() == null ? "" : uri.getUserInfo() + "@") + uri.getHost();
        return new SshFiles(login, ssh, progress);
    }

    @Override
    public String describe() {
        return login;
    }

    @Override
    public boolean exists(String path) {
        CommandResult test = run("test", "-e", path);
        if (test.exitCode() > 1 || test.timedOut()) {
            throw new BackupException("cannot reach " + login + " over ssh: " + test.summary());
        }
        return test.exitCode() == 0;
    }

    @Override
    public String makeDirectories(String directory) {
        String top = null;
        for (Path p = Path.of(directory); p != null && !exists(p.toString()); p = p.getParent()) {
            top = p.toString();
        }
        checked("create " + directory, run("mkdir", "-p", "--", directory));
        return top;
    }

    @Override
    public void copyImage(Path source, String format, String target) {
        Path staged = source.resolveSibling(".mvmm-replicate-" + ProcessHandle.current().pid() + "-"
                + source.getFileName());
        String partial = Path.of(target).resolveSibling("." + Path.of(target).getFileName() + ".mvmm-partial")
                .toString();
        try {
            LocalFiles.convert(source, format, staged.toString(), progress);
            CommandResult compare = ExternalCommand.run(List.of("qemu-img", "compare", "-U", "--", source.toString(),
                    staged.toString()), Map.of(), LocalFiles.COPY);
            if (compare.exitCode() != 0) {
                throw new BackupException("the copy of " + source + " differs from it: " + compare.summary());
            }
            List<String> rsync = new ArrayList<>(List.of("rsync", "--sparse", "--times", "-e", shell()));
            if (progress != null) {
                rsync.add("--info=progress2");
            }
            rsync.addAll(List.of("--", staged.toString(), login + ":" + partial));
            CommandResult sent = ExternalCommand.run(rsync, Map.of(), LocalFiles.COPY, progress);
            if (!sent.succeeded()) {
                throw new BackupException("cannot send " + source + " to " + login + ": " + sent.summary());
            }
            String here = sha256(ExternalCommand.run(List.of("sha256sum", "--", staged.toString()), Map.of(),
                    LocalFiles.COPY));
            String there = sha256(run(LocalFiles.COPY, "sha256sum", "--", partial));
            if (here == null || !here.equals(there)) {
                throw new BackupException("the copy of " + source + " on " + login + " does not match (SHA-256 "
                        + here + " here, " + there + " there)");
            }
            checked("rename " + partial + " to " + target, run("mv", "-T", "-n", "--", partial, target));
        } finally {
            LocalFiles.run("remove " + staged, "rm", "-f", "--", staged.toString());
            if (exists(partial)) {
                delete(partial);
            }
        }
    }

    @Override
    public void copy(Path source, String target) {
        CommandResult sent = ExternalCommand.run(List.of("rsync", "-a", "-e", shell(), "--", source.toString(),
                login + ":" + target), Map.of(), LocalFiles.COPY);
        if (!sent.succeeded()) {
            throw new BackupException("cannot copy " + source + " to " + login + ":" + target + ": " + sent.summary());
        }
    }

    @Override
    public boolean delete(String path) {
        CommandResult removed = run("rm", "-rf", "--", path);
        if (!removed.succeeded()) {
            Logger.warn("could not remove {} on {}: {}", path, login, removed.summary());
        }
        return removed.succeeded();
    }

    private CommandResult run(String... words) {
        return run(COMMAND, words);
    }

    private CommandResult run(Duration timeout, String... words) {
        return ExternalCommand.run(command(words), Map.of(), timeout);
    }

    /** ssh, {@code --} before the login, and the words single-quoted into one remote command. */
    List<String> command(String... words) {
        List<String> command = new ArrayList<>(List.of("ssh"));
        command.addAll(ssh);
        command.add("--");
        command.add(login);
        StringBuilder remote = new StringBuilder();
        for (String word : words) {
            remote.append(remote.length() == 0 ? "" : " ").append(Remote.quote(word));
        }
        command.add(remote.toString());
        return command;
    }

    private String shell() {
        return SshOptions.rsyncShell(ssh);
    }

    private void checked(String what, CommandResult result) {
        if (!result.succeeded()) {
            throw new BackupException("cannot " + what + " on " + login + ": " + result.summary());
        }
    }

    private static String sha256(CommandResult result) {
        return result.succeeded() && !result.stdout().isBlank() ? result.stdout().split("\\s+")[0] : null;
    }
}
