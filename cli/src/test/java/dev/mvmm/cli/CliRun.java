package dev.mvmm.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** One in-process run of the command line, with what it printed. */
record CliRun(int status, String out, String err) {

    static CliRun of(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int status = Main.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
        return new CliRun(status, out.toString(), err.toString());
    }

    /**
     * A run against {@code dir}: its {@code conf/mvmm.conf} holding {@code conf}, and its state
     * database; the two options go before {@code command} (the subcommand's words), then {@code args}.
     */
    static CliRun inDirectory(Path dir, List<String> conf, List<String> command, String... args) throws IOException {
        Files.createDirectories(dir.resolve("conf"));
        Files.write(dir.resolve("conf/mvmm.conf"), conf);
        List<String> all = new ArrayList<>(List.of("--config-dir=" + dir.resolve("conf"),
                "--state=" + dir.resolve("state.db")));
        all.addAll(command);
        all.addAll(List.of(args));
        return of(all.toArray(String[]::new));
    }

    /**
     * The same command line in a JVM of its own, through {@code Main.main}: for what is set once per
     * process, as the log level, and for the log itself, which goes to the process's stderr.
     */
    static CliRun inOwnProcess(String... args) throws IOException, InterruptedException {
        return inOwnProcess(java.util.Map.of(), args);
    }

    /** @param environment set in the process's environment, over this one's */
    static CliRun inOwnProcess(java.util.Map<String, String> environment, String... args)
            throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "-cp", System.getProperty("java.class.path"), Main.class.getName()));
        command.addAll(List.of(args));
        Path out = Files.createTempFile("mvmm-run", ".out");
        Path err = Files.createTempFile("mvmm-run", ".err");
        try {
            ProcessBuilder builder = new ProcessBuilder(command).redirectOutput(out.toFile())
                    .redirectError(err.toFile()).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
            builder.environment().putAll(environment);
            Process process = builder.start();
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
                throw new AssertionError(command + " did not finish in 60s");
            }
            return new CliRun(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                    Files.readString(err, StandardCharsets.UTF_8));
        } finally {
            Files.delete(out);
            Files.delete(err);
        }
    }

    @Override
    public String toString() {
        return "exit " + status + "\n--- stdout\n" + out + "--- stderr\n" + err;
    }
}
