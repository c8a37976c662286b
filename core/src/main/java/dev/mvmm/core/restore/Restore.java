package dev.mvmm.core.restore;

import dev.mvmm.core.backup.BackupException;
import dev.mvmm.core.backup.ChainFolder;
import dev.mvmm.core.backup.DomainDisks;
import dev.mvmm.core.backup.Tools;
import dev.mvmm.core.exec.CommandResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.tinylog.Logger;

/**
 * {@code mvmm restore} into a new directory: virtnbdrestore up to a checkpoint, then a check that
 * every expected image is there and passes {@code qemu-img check}. The live disk is never touched;
 * a restore that did not produce every image is reported as failed, whatever virtnbdrestore said.
 */
public final class Restore {

    private static final Pattern CREATION = Pattern.compile("<creationTime>(\\d+)</creationTime>");

    private final Tools tools;

    public Restore(Tools tools) {
        this.tools = tools;
    }

    /** A checkpoint of a chain and when it was taken. */
    public record Point(String name, Instant at) {
    }

    /** The restored images, by disk target ({@code vda}), in the order of the saved definition. */
    public record Result(Path directory, String checkpoint, Map<String, Path> images) {
    }

    /** The checkpoints of a stored chain with their times, oldest first. */
    public static List<Point> points(Path chain, String vm) {
        ChainFolder folder = ChainFolder.read(chain, vm);
        List<Point> points = new ArrayList<>();
        for (String name : folder.checkpoints()) {
            Instant at = null;
            try {
                Matcher matcher = CREATION.matcher(Files.readString(chain.resolve("checkpoints/" + name + ".xml")));
                if (matcher.find()) {
                    at = Instant.ofEpochSecond(Long.parseLong(matcher.group(1)));
                }
            } catch (IOException e) {
                // A checkpoint without its saved definition has no known time.
            }
            points.add(new Point(name, at));
        }
        return points;
    }

    public Result run(RestoreRequest request, Path chain) {
        if (!Files.isDirectory(chain)) {
            throw new BackupException("no chain " + chain + "; see 'mvmm backup list " + request.vm() + "'");
        }
        List<Point> points = points(chain, request.vm());
        if (points.isEmpty()) {
            throw new BackupException("chain " + chain + " holds no checkpoint to restore");
        }
        Point point = choose(points, request, chain);
        try {
            if (Files.exists(request.target())) {
                try (var entries = Files.list(request.target())) {
                    if (entries.findAny().isPresent()) {
                        throw new BackupException(request.target() + " is not empty; choose a new directory with --to");
                    }
                }
            }
            Files.createDirectories(request.target());
        } catch (IOException e) {
            throw new BackupException("cannot create " + request.target() + ": " + e.getMessage());
        }
        String until = point.equals(points.get(points.size() - 1)) ? null : point.name();
        CommandResult restored = tools.virtnbdrestore(chain, request.target(), until, request.disk());
        if (!restored.succeeded()) {
            throw new BackupException("virtnbdrestore failed: " + restored.summary());
        }
        Map<String, Path> images = new LinkedHashMap<>();
        for (DomainDisks.Disk disk : disks(chain, point)) {
            if (request.disk() != null && !request.disk().equals(disk.target())) {
                continue;
            }
            Path image = request.target().resolve(Path.of(disk.file()).getFileName());
            if (!Files.exists(image)) {
                throw new BackupException("the restore produced no image for disk " + disk.target() + " (expected "
                        + image + ")");
            }
            CommandResult check = tools.check(image);
            if (!check.succeeded()) {
                throw new BackupException("restored image " + image + " fails qemu-img check: " + check.summary());
            }
            images.put(disk.target(), image);
        }
        if (images.isEmpty()) {
            throw new BackupException("no disk " + (request.disk() == null ? "" : request.disk() + " ")
                    + "in the chain to restore");
        }
        Logger.tag(request.vm()).info("restored {} up to {} into {}", chain.getFileName(), point.name(),
                request.target());
        return new Result(request.target(), point.name(), images);
    }

    private static Point choose(List<Point> points, RestoreRequest request, Path chain) {
        if (request.checkpoint() != null) {
            String wanted = request.checkpoint().matches("\\d+") ? "virtnbdbackup." + request.checkpoint()
                    : request.checkpoint();
            return points.stream().filter(p -> p.name().equals(wanted)).findFirst().orElseThrow(() ->
                    new BackupException("chain " + chain.getFileName() + " has no checkpoint " + wanted + "; it has "
                            + points.stream().map(Point::name).toList()));
        }
        if (request.at() != null) {
            Point chosen = null;
            for (Point point : points) {
                if (point.at() != null && !point.at().isAfter(request.at())) {
                    chosen = point;
                }
            }
            if (chosen == null) {
                throw new BackupException("chain " + chain.getFileName() + " has no checkpoint at or before "
                        + request.at() + "; its first is " + points.get(0).at());
            }
            return chosen;
        }
        return points.get(points.size() - 1);
    }

    private static List<DomainDisks.Disk> disks(Path chain, Point point) {
        Path config = chain.resolve("vmconfig." + point.name() + ".xml");
        try {
            if (!Files.exists(config)) {
                config = ChainFolder.read(chain, "").latestConfig();
            }
            return DomainDisks.parse(Files.readString(config)).disks().stream()
                    .filter(DomainDisks.Disk::fileBacked).toList();
        } catch (IOException | RuntimeException e) {
            throw new BackupException("cannot read the VM definition saved in " + chain + ": " + e.getMessage());
        }
    }
}
