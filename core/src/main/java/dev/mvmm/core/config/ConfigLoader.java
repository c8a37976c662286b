package dev.mvmm.core.config;

import dev.mvmm.core.VmNames;
import java.io.File;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads a configuration directory: {@code mvmm.conf} and one {@code <VM>.conf} per VM.
 *
 * <p>Everything is validated before anything acts. Errors in {@code mvmm.conf} make the whole
 * configuration unusable ({@link ConfigException}); errors in a VM's file only disable that VM.
 */
public final class ConfigLoader {

    public static final String GLOBAL_FILE = "mvmm.conf";
    private static final String SUFFIX = ".conf";

    private final Path directory;

    public ConfigLoader(Path directory) {
        this.directory = directory;
    }

    public Configuration load() {
        if (!Files.isDirectory(directory)) {
            throw new ConfigException("configuration directory " + directory + " does not exist; create it with "
                    + GLOBAL_FILE + " and one <VM>.conf per VM, or point --config-dir or MVMM_CONFIG_DIR at it");
        }
        Path globalFile = directory.resolve(GLOBAL_FILE);
        List<ConfigProblem> globalProblems = new ArrayList<>();
        Settings global = Settings.empty();
        if (Files.exists(globalFile)) {
            ConfigFileReader.Result read = ConfigFileReader.read(globalFile);
            SettingsParser.Parsed parsed = SettingsParser.parse(globalFile, read.lines(), true);
            globalProblems.addAll(read.problems());
            globalProblems.addAll(parsed.problems());
            global = parsed.settings();
        }
        if (globalProblems.stream().anyMatch(ConfigProblem::isError)) {
            throw new ConfigException(globalProblems);
        }
        List<Path> files = vmFiles();
        Settings globals = global;
        // Hosts with hundreds of VMs: read the files on every core (about 0.1 ms each); the order stays.
        List<VmConfig> vms = (files.size() > PARALLEL_FROM ? files.parallelStream() : files.stream())
                .map(file -> loadVm(file, globals)).toList();
        return new Configuration(directory, global, vms, globalProblems);
    }

    private static final int PARALLEL_FROM = 64;

    /**
     * The VMs' files, by name. java.io's listing and type check are one native call each, where a
     * DirectoryStream with a glob and Files.isRegularFile run some hundred methods a file, at every
     * start, before the JIT has compiled them: a fifth of reading a thousand files.
     */
    private List<Path> vmFiles() {
        String[] names = directory.toFile().list();
        if (names == null) {
            throw new ConfigException("cannot list configuration directory " + directory + ": " + listingProblem());
        }
        List<Path> files = new ArrayList<>();
        for (String name : names) {
            if (name.endsWith(SUFFIX) && !name.equals(GLOBAL_FILE) && !name.startsWith(".")
                    && new File(directory.toFile(), name).isFile()) {
                files.add(directory.resolve(name));
            }
        }
        files.sort(null);
        return files;
    }

    /** Why the directory cannot be listed, in the words of the file system. */
    private String listingProblem() {
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(directory)) {
            return "it changed while being read; try again";
        } catch (IOException e) {
            return e.getMessage();
        }
    }

    private static VmConfig loadVm(Path file, Settings global) {
        String fileName = file.getFileName().toString();
        String name = fileName.substring(0, fileName.length() - SUFFIX.length());
        List<ConfigProblem> problems = new ArrayList<>();
        String nameProblem = VmNames.problem(name);
        if (nameProblem != null) {
            problems.add(ConfigProblem.error(file, 0, null, nameProblem));
            return new VmConfig(name, file, global, problems);
        }
        ConfigFileReader.Result read = ConfigFileReader.read(file);
        SettingsParser.Parsed parsed = SettingsParser.parse(file, read.lines(), false);
        problems.addAll(read.problems());
        problems.addAll(parsed.problems());
        Settings effective = global.with(parsed.settings());
        problems.addAll(crossCheck(file, effective));
        return new VmConfig(name, file, effective, problems);
    }

    private static List<ConfigProblem> crossCheck(Path file, Settings settings) {
        List<ConfigProblem> problems = new ArrayList<>();
        boolean hasPorts = !settings.get(Keys.PORTS_ALL).isEmpty() || !settings.get(Keys.PORTS_ANY).isEmpty();
        if (hasPorts && settings.get(Keys.IP) == null) {
            Key<?> portsKey = settings.isSet(Keys.PORTS_ALL) ? Keys.PORTS_ALL : Keys.PORTS_ANY;
            Settings.Setting where = settings.origin(portsKey);
            problems.add(ConfigProblem.error(where == null ? file : where.file(), where == null ? 0 : where.line(),
                    portsKey.name(), "ports are set but no 'ip' to probe them on; add ip=ADDRESS"));
        }
        if (!hasPorts && settings.get(Keys.IP) != null) {
            Settings.Setting where = settings.origin(Keys.IP);
            problems.add(ConfigProblem.warning(where.file(), where.line(), Keys.IP.name(),
                    "no portsall or portsany: only the VM's run state is checked"));
        }
        return problems;
    }
}
