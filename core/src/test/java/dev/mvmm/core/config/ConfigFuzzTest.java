package dev.mvmm.core.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Configuration fuzzing: valid files (every key, and the original tools' shipped files) damaged by
 * seeded random mutations, loaded by {@link ConfigLoader}. Whatever the damage, loading throws
 * nothing but {@link ConfigException}, every problem says where it is (file, line, key), and a VM
 * whose file has an error is out of service, so nothing is ever done on a misread value.
 *
 * <p>{@code -Dmvmm.fuzz.cases=100000} runs a longer soak, {@code -Dmvmm.fuzz.seed=N} another
 * sequence; a failure prints the case's own seed, its mutations and the file it loaded.
 */
class ConfigFuzzTest {

    private static final long SEED = Long.getLong("mvmm.fuzz.seed", 20_261_121L);
    private static final int CASES = Integer.getInteger("mvmm.fuzz.cases", 3_000);
    private static final int REPORTED = 15;
    private static final Duration LONGEST = Duration.ofDays(36_500);
    /** What no value may hold. */
    private static final Pattern CONTROL = Pattern.compile("[\\p{Cc}\\u2028\\u2029\\u202a-\\u202e\\u2066-\\u2069]");
    /** What no message may show as it is. */
    private static final Pattern UNPRINTABLE = Pattern.compile("[\\p{Cc}\\p{Cf}\\u2028\\u2029]");

    /** A valid value for every key mvmm knows; a key added to {@link Keys} without one fails the test. */
    static final Map<String, String> SAMPLES = new LinkedHashMap<>();

    static {
        SAMPLES.put("uri", "test:///default");
        SAMPLES.put("hypervisor", "libvirt");
        SAMPLES.put("history_detail", "31d");
        SAMPLES.put("enabled", "true");
        SAMPLES.put("name", "nginx");
        SAMPLES.put("ip", "192.168.1.25");
        SAMPLES.put("portsall", "80, 443");
        SAMPLES.put("portsany", "22 8080");
        SAMPLES.put("check_interval", "60");
        SAMPLES.put("fail_interval", "15s");
        SAMPLES.put("fail_threshold", "30");
        SAMPLES.put("wait_interval", "1m");
        SAMPLES.put("log_interval", "900");
        SAMPLES.put("recovery_time", "2m");
        SAMPLES.put("connect_timeout", "500ms");
        SAMPLES.put("action", "reboot");
        SAMPLES.put("max_reboots", "3");
        SAMPLES.put("reboot_window", "1h30m");
        SAMPLES.put("restart_at", "03:30");
        SAMPLES.put("restart_after", "7d");
        SAMPLES.put("notify_command", "/usr/local/bin/notify --to 'ops team'");
        SAMPLES.put("backup_path", "/var/lib/mvmm-backups");
        SAMPLES.put("max_chains", "4");
        SAMPLES.put("keep_last", "2");
        SAMPLES.put("keep_daily", "7");
        SAMPLES.put("keep_weekly", "4");
        SAMPLES.put("keep_monthly", "6");
        SAMPLES.put("keep_yearly", "1");
        SAMPLES.put("max_backups_per_chain", "30");
        SAMPLES.put("virtnbdbackup_args", "--compress");
        SAMPLES.put("verify", "yes");
        SAMPLES.put("ignored", "no");
        SAMPLES.put("autostart", "off");
        SAMPLES.put("remote_path", "backup@nas.example:/srv/mvmm");
        SAMPLES.put("remote_max_chains", "4");
        SAMPLES.put("rsync_args", "--numeric-ids");
        SAMPLES.put("ssh_opts", "-i /root/.ssh/mvmm_backup -p 2222");
        SAMPLES.put("remote_bwlimit", "10000");
        SAMPLES.put("remote_checksum", "false");
        SAMPLES.put("wait_time", "2m");
        SAMPLES.put("restart_if_required", "false");
    }

    /** A global file and a VM file to start from. */
    record Corpus(String name, String global, String vm) {
    }

    static List<Corpus> corpora() {
        StringBuilder everyGlobal = new StringBuilder("# every key, host-wide ones included\n");
        StringBuilder everyVm = new StringBuilder("# every key a VM file may hold\n");
        SAMPLES.forEach((key, value) -> {
            everyGlobal.append(key).append('=').append(value).append('\n');
            if (Keys.find(key).scope() == Key.Scope.VM) {
                everyVm.append(key).append(" = ").append(value).append("   # ").append(key).append('\n');
            }
        });
        return List.of(
                new Corpus("every key", everyGlobal.toString(), everyVm.toString()),
                new Corpus("original mvmm's shipped files",
                        "check_interval=2\nfail_interval=15\nfail_threshold=30\nwait_interval=15\nlog_interval=900\n",
                        "name=nginx\nip=192.168.1.25\nportsall=80\n"),
                new Corpus("original disabled sample", "disabled_log_interval=25200\n",
                        "enabled=false\nname=test2\nip=192.168.0.107\nportsall=80\n"),
                new Corpus("packaged mvmm.conf and demo VM", packagedGlobal(),
                        "# Nothing listens on these ports\nname=postgres\nip=127.0.0.1\nportsall=18081, 18082\n"
                                + "boot_time=120\nfail_threshold=1h30m\nip = ::1\n"),
                new Corpus("backup settings", "backup_path=/srv/backup\nkeep_daily=7\nmax_chains=\n",
                        "ip=web-01.example.org\nportsany=\"80, 443\"\nremote_path=/mnt/nas/mvmm\n"
                                + "ssh_opts=-o 'ProxyJump=a b' \\\n  -p 22\nnotify_command=\"/bin/echo\" \\#x\n"));
    }

    private static String packagedGlobal() {
        return "# /etc/mvmm/mvmm.conf — global settings of mvmm; see mvmm(1) for every key.\n"
                + "#uri=qemu:///system\n#fail_threshold=30s\n#recovery_time=60s\n#action=reboot\n"
                + "#wait_interval=60s\n#max_reboots=3\n#reboot_window=1h\n#notify_command=/usr/local/bin/mvmm-notify\n"
                + "#backup_path=/var/lib/mvmm-backups\n#max_backups_per_chain=30\n#keep_daily=7\n"
                + "#remote_path=backup@nas.example:/srv/mvmm\n#ssh_opts=-i /root/.ssh/mvmm_backup\n"
                + "connect_timeout=2s\n";
    }

    @TempDir
    Path temporary;

    /** Where the files are written: in memory when the host has /dev/shm (writing is most of a case's time). */
    private Path dir;

    @BeforeEach
    void directory() throws IOException {
        Path memory = Path.of("/dev/shm");
        dir = Files.isDirectory(memory) && Files.isWritable(memory)
                ? Files.createTempDirectory(memory, "mvmm-config-fuzz-") : temporary;
    }

    @AfterEach
    void removeDirectory() throws IOException {
        if (!dir.equals(temporary)) {
            try (var files = Files.list(dir)) {
                for (Path file : (Iterable<Path>) files::iterator) {
                    Files.delete(file);
                }
            }
            Files.delete(dir);
        }
    }

    @Test
    void every_key_has_a_valid_sample_and_every_corpus_loads_cleanly() throws IOException {
        assertThat(SAMPLES.keySet()).containsExactlyInAnyOrderElementsOf(Keys.all().keySet());
        for (Corpus corpus : corpora()) {
            write(corpus.global().getBytes(StandardCharsets.UTF_8), corpus.vm().getBytes(StandardCharsets.UTF_8));
            Configuration config = new ConfigLoader(dir).load();
            assertThat(config.vms()).as(corpus.name()).allSatisfy(vm -> assertThat(vm.problems())
                    .filteredOn(ConfigProblem::isError).isEmpty());
        }
    }

    /** Values no key of a given type may take; each must take the VM (or the host) out of service. */
    private static List<String> damaged(String key, Object sample) {
        List<String> bad = new ArrayList<>(List.of(SAMPLES.get(key) + "\u0000", "\u001b[2J" + SAMPLES.get(key),
                SAMPLES.get(key) + "\u202e", "\u0085" + SAMPLES.get(key)));
        if (sample instanceof Duration) {
            bad.addAll(List.of("-5", "5x", "1.5h", "5 minutes", "99999999999999999999", "36501d", "\u0663\u0660",
                    "1s".repeat(3000) + "x", "1h30"));
        } else if (sample instanceof Integer) {
            bad.addAll(List.of("-1", "3.5", "many", "99999999999", "\uff13", "0x10"));
        } else if (sample instanceof Boolean) {
            bad.addAll(List.of("maybe", "ture", "2", "-"));
        } else if (sample instanceof List<?> list && !list.isEmpty() && list.get(0) instanceof Integer) {
            bad.addAll(List.of("0", "65536", "http", "-80", "\uff18\uff10", "80;443", "99999999999"));
        } else if (sample instanceof List<?>) {
            bad.addAll(List.of("'unclosed", "a \"b"));
        } else if (sample instanceof Path) {
            bad.addAll(List.of("relative/path", "../x", "-rf"));
        } else if (sample instanceof URI) {
            bad.addAll(List.of("no scheme", ":", "::"));
        } else if (sample instanceof LocalTime) {
            bad.addAll(List.of("24:00", "3pm", "03:60", "-1:00"));
        } else if (key.equals("ip")) {
            bad.addAll(List.of("192.168.1.300", "-oProxyCommand=x", "a b", "2001:db8:::1", "host..example", "-h"));
        } else if (key.equals("remote_path")) {
            bad.addAll(List.of("host:path", "relative", "-l@host:/srv", "user@-oProxy:/srv", "user@host:srv"));
        } else if (key.equals("action") || key.equals("hypervisor")) {
            bad.addAll(List.of("rebot", "-", "none reboot"));
        }
        return bad;
    }

    @Test
    void every_key_refuses_damaged_values_on_their_line_and_takes_the_vm_out_of_service() throws IOException {
        int cases = 0;
        List<String> failures = new ArrayList<>();
        for (Map.Entry<String, String> sample : SAMPLES.entrySet()) {
            Key<?> key = Keys.find(sample.getKey());
            for (String value : damaged(key.name(), key.type().parse(sample.getValue()))) {
                cases++;
                String line = key.name() + "=" + value;
                boolean global = key.scope() == Key.Scope.GLOBAL;
                String damagedFile = "# damaged\nip=10.0.0.1\nportsall=80\n" + line + "\n";
                write(global ? damagedFile.getBytes(StandardCharsets.UTF_8) : new byte[0],
                        (global ? "ip=10.0.0.1\nportsall=80\n" : damagedFile).getBytes(StandardCharsets.UTF_8));
                List<ConfigProblem> problems;
                try {
                    Configuration config = new ConfigLoader(dir).load();
                    VmConfig web = config.vm("web").orElseThrow();
                    if (global || web.isValid()) {
                        failures.add(ConfigFuzzTest.abbreviate(Shown.printable(line)) + ": accepted");
                        continue;
                    }
                    problems = web.problems();
                } catch (ConfigException e) {
                    problems = e.problems();
                }
                if (problems.stream().noneMatch(p -> p.isError() && p.line() == 4 && key.name().equals(p.key()))) {
                    failures.add(ConfigFuzzTest.abbreviate(Shown.printable(line)) + ": no error on line 4 naming "
                            + key.name() + ": " + problems);
                }
            }
        }
        System.out.println("config fuzz: " + cases + " damaged values, each refused on its line");
        assertThat(failures).isEmpty();
    }

    @Test
    void mutated_files_never_crash_the_loader_and_every_problem_says_where() throws IOException {
        System.out.println("config fuzz: seed " + SEED + ", " + CASES + " cases (-Dmvmm.fuzz.seed, -Dmvmm.fuzz.cases)");
        ConfigMutator mutator = new ConfigMutator();
        List<Corpus> corpora = corpora();
        Random seeds = new Random(SEED);
        List<String> failures = new ArrayList<>();
        int[] tally = new int[3];
        long started = System.nanoTime();
        int run = 0;
        for (int i = 0; i < CASES && failures.size() < REPORTED; i++, run++) {
            long caseSeed = seeds.nextLong();
            String failure = runCase(i, caseSeed, mutator, corpora, tally);
            if (failure != null) {
                failures.add(failure);
            }
        }
        System.out.printf("config fuzz: %d cases in %d ms: %d global files refused, %d VM files refused, "
                + "%d loaded valid%n", run, (System.nanoTime() - started) / 1_000_000, tally[0], tally[1], tally[2]);
        assertThat(failures).as("failing cases (seed " + SEED + ")").isEmpty();
    }

    /** Runs one case; returns a description of what went wrong, or null. */
    private String runCase(int index, long caseSeed, ConfigMutator mutator, List<Corpus> corpora, int[] tally)
            throws IOException {
        Random random = new Random(caseSeed);
        Corpus corpus = corpora.get(random.nextInt(corpora.size()));
        int target = random.nextInt(10);
        List<String> log = new ArrayList<>();
        byte[] global = corpus.global().getBytes(StandardCharsets.UTF_8);
        byte[] vm = corpus.vm().getBytes(StandardCharsets.UTF_8);
        boolean globalMutated = target < 3 || target == 9;
        if (globalMutated) {
            log.add("mvmm.conf:");
            global = mutator.mutate(random, corpus.global(), log);
        }
        if (target >= 3) {
            log.add("web.conf:");
            vm = mutator.mutate(random, corpus.vm(), log);
        }
        write(global, vm);
        files.clear();
        String where = "case " + index + " (seed " + caseSeed + ", " + corpus.name() + ", " + log + ")";
        List<String> wrong = new ArrayList<>();
        try {
            Configuration config = new ConfigLoader(dir).load();
            config.warnings().forEach(problem -> check(problem, wrong));
            for (VmConfig each : config.vms()) {
                each.problems().forEach(problem -> check(problem, wrong));
                boolean hasError = each.problems().stream().anyMatch(ConfigProblem::isError);
                if (hasError == each.isValid()) {
                    wrong.add(each.name() + ": has an error but is valid");
                }
                if (each.isValid()) {
                    sane(each.settings(), wrong);
                }
            }
            VmConfig db = config.vm("db").orElseThrow();
            if (!db.isValid() && !globalMutated) {
                wrong.add("db.conf, untouched, became invalid: " + db.problems());
            }
            tally[config.vm("web").orElseThrow().isValid() ? 2 : 1]++;
        } catch (ConfigException e) {
            tally[0]++;
            if (!globalMutated) {
                wrong.add("mvmm.conf was not mutated but the configuration was refused: " + e.getMessage());
            }
            if (e.problems().isEmpty()) {
                wrong.add("ConfigException without problems: " + e.getMessage());
            }
            e.problems().forEach(problem -> check(problem, wrong));
        } catch (Throwable e) {
            wrong.add("threw " + e.getClass().getName() + ": " + abbreviate(String.valueOf(e.getMessage())));
        }
        if (wrong.isEmpty()) {
            return null;
        }
        return where + ": " + wrong.stream().limit(3).map(ConfigFuzzTest::abbreviate).toList()
                + "\n    mvmm.conf: " + shown(global) + "\n    web.conf: " + shown(vm);
    }


    /** The lines of each file of the current case, read once. */
    private final Map<Path, List<String>> files = new java.util.HashMap<>();

    private void check(ConfigProblem problem, List<String> wrong) {
        String text = problem.toString();
        if (problem.file() == null || !problem.file().startsWith(dir)) {
            wrong.add("names no file of the configuration: " + text);
            return;
        }
        List<String> lines = files.computeIfAbsent(problem.file(), ConfigFuzzTest::physicalLines);
        if (problem.line() <= 0 || problem.line() > lines.size()) {
            wrong.add("line " + problem.line() + " is not a line of the file (1-" + lines.size() + "): " + text);
        } else if (problem.key() != null && !logicalLine(lines, problem.line()).contains(problem.key())) {
            wrong.add("key '" + problem.key() + "' is not on line " + problem.line() + ": " + text);
        }
        if (problem.key() == null && !problem.message().startsWith("cannot read")
                && !problem.message().contains("UTF-8")) {
            wrong.add("names no key: " + text);
        }
        if (!text.startsWith(problem.file() + ":" + problem.line() + ": ")) {
            wrong.add("does not start with file:line: " + text);
        }
        if (UNPRINTABLE.matcher(text).find()) {
            wrong.add("message holds raw control or invisible characters: " + text);
        }
        if (text.length() > problem.file().toString().length() + 600) {
            wrong.add("message is " + text.length() + " characters long");
        }
    }

    /** What a valid VM may be acted on with: every value inside the bounds its key documents. */
    private static void sane(Settings settings, List<String> wrong) {
        for (Key<?> key : Keys.all().values()) {
            Object value = settings.get(key);
            String problem = insane(value);
            if (problem != null) {
                wrong.add("valid VM holds " + key.name() + "=" + abbreviate(String.valueOf(value)) + ": " + problem);
            }
        }
    }

    private static String insane(Object value) {
        if (value instanceof Duration duration) {
            return duration.isNegative() || duration.compareTo(LONGEST) > 0 ? "duration out of bounds" : null;
        }
        if (value instanceof Integer count) {
            return count < 0 ? "negative count" : null;
        }
        if (value instanceof String text) {
            return CONTROL.matcher(text.replace("\t", "")).find() ? "control characters" : null;
        }
        if (value instanceof Path path) {
            boolean climbs = false;
            for (Path element : path) {
                climbs |= element.toString().equals("..") || element.toString().equals(".");
            }
            return !path.isAbsolute() || climbs ? "not a clean absolute path" : null;
        }
        if (value instanceof URI uri) {
            return uri.getScheme() == null ? "URI without scheme" : null;
        }
        if (value instanceof List<?> list) {
            for (Object item : list) {
                if (item instanceof Integer port && (port < 1 || port > 65_535)) {
                    return "port out of range";
                }
                String inner = insane(item);
                if (inner != null && !(item instanceof Integer)) {
                    return inner;
                }
            }
            return null;
        }
        return value == null || value instanceof Boolean || value instanceof LocalTime ? null
                : "unexpected type " + value.getClass();
    }

    private void write(byte[] global, byte[] vm) throws IOException {
        Files.write(dir.resolve("mvmm.conf"), global);
        Files.write(dir.resolve("web.conf"), vm);
        if (!Files.exists(dir.resolve("db.conf"))) {
            Files.writeString(dir.resolve("db.conf"), "ip=10.0.0.2\nportsall=5432\n");
        }
    }

    /** The file's lines as an operator's editor numbers them ({@code \n}, {@code \r\n} or {@code \r}). */
    static List<String> physicalLines(Path file) {
        try {
            String text = new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
            List<String> lines = new ArrayList<>(List.of(text.split("\r\n|\r|\n", -1)));
            if (!lines.isEmpty() && lines.get(lines.size() - 1).isEmpty()) {
                lines.remove(lines.size() - 1);
            }
            return lines;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** A line with the lines a trailing backslash continues it with, as an operator reads it. */
    private static String logicalLine(List<String> lines, int number) {
        StringBuilder logical = new StringBuilder(lines.get(number - 1));
        for (int i = number; logical.toString().endsWith("\\") && i < lines.size(); i++) {
            logical.setLength(logical.length() - 1);
            logical.append(lines.get(i).strip());
        }
        return logical.toString().replace("\\#", "#");
    }

    private static String shown(byte[] bytes) {
        StringBuilder out = new StringBuilder();
        String text = new String(bytes, StandardCharsets.UTF_8);
        for (int i = 0; i < text.length() && out.length() < 400; i++) {
            char c = text.charAt(i);
            out.append(c >= 0x20 && c < 0x7f ? String.valueOf(c) : String.format("\\u%04x", (int) c));
        }
        return out + (text.length() > 400 ? "... (" + bytes.length + " bytes)" : "");
    }

    private static String abbreviate(String text) {
        return text.length() > 300 ? text.substring(0, 300) + "..." : text;
    }
}
