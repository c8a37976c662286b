package dev.mvmm.core.backup;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * What a chain directory holds, as virtnbdbackup leaves it: {@code <VM>.cpt} (the checkpoints in
 * order), {@code checkpoints/}, {@code <disk>.full.data}, {@code <disk>.inc.virtnbdbackup.N.data},
 * {@code <disk>.copy.data}, {@code vmconfig.virtnbdbackup.N.xml}, and {@code *.partial} files left
 * by an interrupted run.
 */
public record ChainFolder(Path directory, boolean exists, List<String> checkpoints, boolean hasCpt,
        List<String> partialFiles, List<String> dataFiles, long bytes, Instant newest,
        List<String> checkpointDefinitions) {

    /**
     * A chain folder whose checkpoints all have their definition in {@code checkpoints/}.
     *
     * @param checkpointDefinitions the checkpoints whose {@code checkpoints/<name>.xml} is there: what
     *                              virtnbdbackup can redefine in libvirt when libvirt lost them
     */
    public ChainFolder(Path directory, boolean exists, List<String> checkpoints, boolean hasCpt,
            List<String> partialFiles, List<String> dataFiles, long bytes, Instant newest) {
        this(directory, exists, checkpoints, hasCpt, partialFiles, dataFiles, bytes, newest, checkpoints);
    }

    private static final Pattern VMCONFIG = Pattern.compile("vmconfig\\.virtnbdbackup\\.(\\d+)\\.xml");

    public static ChainFolder read(Path directory, String vm) {
        if (!Files.isDirectory(directory)) {
            return new ChainFolder(directory, false, List.of(), false, List.of(), List.of(), 0, null);
        }
        List<String> checkpoints = new ArrayList<>();
        Path cpt = directory.resolve(vm + ".cpt");
        boolean hasCpt = Files.isRegularFile(cpt);
        if (hasCpt) {
            try {
                for (var node : new ObjectMapper().readTree(cpt.toFile())) {
                    checkpoints.add(node.asText());
                }
            } catch (IOException e) {
                hasCpt = false;
            }
        }
        List<String> partial = new ArrayList<>();
        List<String> data = new ArrayList<>();
        long bytes = 0;
        Instant newest = null;
        try (Stream<Path> files = Files.walk(directory)) {
            for (Path file : (Iterable<Path>) files.filter(Files::isRegularFile)::iterator) {
                String name = file.getFileName().toString();
                if (name.endsWith(".partial")) {
                    partial.add(name);
                } else if (name.endsWith(".data")) {
                    data.add(name);
                }
                bytes += Files.size(file);
                Instant modified = Files.getLastModifiedTime(file).toInstant();
                newest = newest == null || modified.isAfter(newest) ? modified : newest;
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        partial.sort(null);
        data.sort(null);
        List<String> definitions = new ArrayList<>();
        for (String checkpoint : checkpoints) {
            if (Files.isRegularFile(directory.resolve("checkpoints").resolve(checkpoint + ".xml"))) {
                definitions.add(checkpoint);
            }
        }
        return new ChainFolder(directory, true, List.copyOf(checkpoints), hasCpt, partial, data, bytes, newest,
                List.copyOf(definitions));
    }

    /** Whether some complete backup data is in it: something a restore could use. */
    public boolean holdsData() {
        return !dataFiles.isEmpty();
    }

    /** Whether the chain has a complete full backup (the base of incrementals). */
    public boolean hasFull() {
        return dataFiles.stream().anyMatch(name -> name.endsWith(".full.data"));
    }

    /** The domain XML saved with the newest checkpoint, if any. */
    public Path latestConfig() {
        Path best = null;
        int bestNumber = -1;
        try (Stream<Path> files = Files.list(directory)) {
            for (Path file : (Iterable<Path>) files::iterator) {
                Matcher matcher = VMCONFIG.matcher(file.getFileName().toString());
                if (matcher.matches() && Integer.parseInt(matcher.group(1)) > bestNumber) {
                    bestNumber = Integer.parseInt(matcher.group(1));
                    best = file;
                }
            }
        } catch (IOException e) {
            return null;
        }
        return best;
    }
}
