package dev.mvmm.cli.docs;

import dev.mvmm.cli.Main;
import dev.mvmm.core.config.Key;
import dev.mvmm.core.config.Keys;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.Deflater;
import org.asciidoctor.Asciidoctor;
import org.asciidoctor.Attributes;
import org.asciidoctor.Options;
import org.asciidoctor.SafeMode;
import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.codegen.docgen.manpage.ManPageGenerator;

/**
 * Generates the man pages (one per command, from the picocli model through picocli-codegen's AsciiDoc
 * and Asciidoctor's manpage backend) and the bash completion (picocli's AutoComplete, plus VM names
 * from the configuration directory). Run by the build; {@code DocsDriftTest} checks that the copies
 * committed in {@code man/} and {@code completions/} are what it generates.
 *
 * <p>Usage: {@code GenerateDocs OUTDIR [--gzip [CHANGELOG]]}: writes {@code OUTDIR/man/*.1} (gzipped with -9 and no
 * time stamp for the package when asked) and {@code OUTDIR/completions/mvmm}.
 */
public final class GenerateDocs {

    /** The date in the pages' headers: the date of the manual's last content change (kept fixed, no drift). */
    static final String MANUAL_DATE = "2026-11-21";

    private GenerateDocs() {
    }

    public static void main(String[] args) throws IOException {
        boolean gzip = args.length > 1 && args[1].equals("--gzip");
        generate(Path.of(args[0]), gzip);
        if (gzip && args.length > 2) {
            // The package's changelog, gzipped the same way (lintian wants it so).
            write(Path.of(args[0], "changelog"), Files.readString(Path.of(args[2])), true);
        }
    }

    public static void generate(Path out, boolean gzip) throws IOException {
        Path man = Files.createDirectories(out.resolve("man"));
        Path completions = Files.createDirectories(out.resolve("completions"));
        CommandLine commandLine = model();
        Path adoc = Files.createTempDirectory("mvmm-adoc");
        try {
            java.io.PrintStream console = System.out;
            java.io.PrintStream errors = System.err;
            System.setOut(new java.io.PrintStream(java.io.OutputStream.nullOutputStream()));
            System.setErr(new java.io.PrintStream(java.io.OutputStream.nullOutputStream()));
            try {
                // picocli-codegen reports every page it writes on stdout; the build log does not need that.
                ManPageGenerator.generateManPage(adoc.toFile(), null, new boolean[] {false}, false,
                        commandLine.getCommandSpec());
            } finally {
                System.setOut(console);
                System.setErr(errors);
            }
            try (Asciidoctor asciidoctor = Asciidoctor.Factory.create(); Stream<Path> pages = Files.list(adoc)) {
                for (Path page : pages.filter(p -> p.toString().endsWith(".adoc")).sorted().toList()) {
                    String name = page.getFileName().toString().replace(".adoc", ".1");
                    String roff = asciidoctor.convert(Files.readString(page), Options.builder().backend("manpage")
                            .standalone(true).safe(SafeMode.SAFE).attributes(Attributes.builder()
                                    .attribute("manmanual", "mvmm manual").attribute("mansource", "mvmm")
                                    .attribute("revdate", MANUAL_DATE).attribute("docdate", MANUAL_DATE).build())
                            .build());
                    write(man.resolve(name), stable(roff), gzip);
                }
            }
        } finally {
            try (Stream<Path> files = Files.walk(adoc)) {
                for (Path file : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.delete(file);
                }
            }
        }
        // A completion file is sourced, not run: no #! line.
        String script = AutoComplete.bash("mvmm", commandLine).replaceFirst("^#![^\n]*\n", "") + VM_NAMES;
        Files.writeString(completions.resolve("mvmm"), script);
    }

    /** The command tree as users get it, with the configuration keys added to mvmm(1). */
    static CommandLine model() {
        CommandLine commandLine = Main.commandLine(new PrintWriter(new StringWriter()),
                new PrintWriter(new StringWriter()));
        List<String> footer = new ArrayList<>();
        footer.add("Configuration: mvmm.conf holds global settings, <VM>.conf one VM's, overriding the global ones. "
                + "Directory: --config-dir, else $MVMM_CONFIG_DIR, else /etc/pve/mvmm on Proxmox VE, else /etc/mvmm. "
                + "Lines are key=value; # starts a comment; durations take s, m, h or d.");
        footer.add("");
        for (Key<?> key : Keys.all().values()) {
            footer.add("  " + key.name() + " (" + (key.scope() == Key.Scope.GLOBAL ? "mvmm.conf only; " : "")
                    + "default: " + (key.defaultValue() == null ? "unset" : display(key.defaultValue())) + "): "
                    + key.description());
        }
        CommandLine.Model.UsageMessageSpec usage = commandLine.getCommandSpec().usageMessage();
        usage.footerHeading("%nConfiguration keys:%n");
        usage.footer(footer.toArray(String[]::new));
        return commandLine;
    }

    private static String display(Object value) {
        if (value instanceof java.time.Duration duration) {
            return dev.mvmm.core.config.Durations.format(duration);
        }
        if (value instanceof List<?> list) {
            return list.isEmpty() ? "none" : list.toString();
        }
        return value.toString();
    }

    /**
     * Asciidoctor's pages as mandoc accepts them too: without the groff-only link styling block (mso,
     * LINKSTYLE), without a paragraph macro right after a section heading, without trailing blanks.
     */
    static String stable(String roff) {
        StringBuilder out = new StringBuilder();
        boolean groffBlock = false;
        boolean table = false;
        String previous = "";
        for (String line : roff.split("\n", -1)) {
            if (line.startsWith(".if \\n[.g] \\{\\")) {
                groffBlock = true;
                continue;
            }
            if (groffBlock) {
                groffBlock = !line.equals(".\\}");
                continue;
            }
            if (line.equals(".sp") && previous.startsWith(".SH ")) {
                continue;
            }
            String trimmed = line.stripTrailing();
            table = trimmed.startsWith(".TS") || table && !trimmed.startsWith(".TE");
            out.append(table ? trimmed : wrap(trimmed)).append('\n');
            previous = trimmed;
        }
        return out.toString().stripTrailing() + "\n";
    }

    /** Breaks a long text line at blanks (roff joins them again); a piece that would read as a request is escaped. */
    static String wrap(String line) {
        if (line.length() <= 80 || line.startsWith(".") || line.startsWith("'") || line.startsWith(" ")) {
            return line;
        }
        StringBuilder out = new StringBuilder();
        StringBuilder current = new StringBuilder();
        for (String word : line.split(" ")) {
            if (current.length() > 0 && current.length() + 1 + word.length() > 78) {
                out.append(current).append('\n');
                current.setLength(0);
            }
            if (current.length() > 0) {
                current.append(' ');
            } else if (word.startsWith(".") || word.startsWith("'")) {
                current.append("\\&");
            }
            current.append(word);
        }
        return out.append(current).toString();
    }

    private static void write(Path file, String text, boolean gzip) throws IOException {
        if (!gzip) {
            Files.writeString(file, text);
            return;
        }
        Files.write(file.resolveSibling(file.getFileName() + ".gz"), gzip(text.getBytes(StandardCharsets.UTF_8)));
    }

    /**
     * gzip -9n: no name, no time stamp, and the header's "maximum compression" flag, which lintian checks
     * (java.util.zip.GZIPOutputStream always writes 0 there).
     */
    static byte[] gzip(byte[] data) throws IOException {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        out.write(new byte[] {0x1f, (byte) 0x8b, 8, 0, 0, 0, 0, 0, 2, 3});
        Deflater deflater = new Deflater(Deflater.BEST_COMPRESSION, true);
        try (java.util.zip.DeflaterOutputStream deflate = new java.util.zip.DeflaterOutputStream(out, deflater)) {
            deflate.write(data);
        }
        deflater.end();
        java.util.zip.CRC32 crc = new java.util.zip.CRC32();
        crc.update(data);
        java.nio.ByteBuffer trailer = java.nio.ByteBuffer.allocate(8).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        trailer.putInt((int) crc.getValue()).putInt(data.length);
        byte[] body = out.toByteArray();
        byte[] all = java.util.Arrays.copyOf(body, body.length + 8);
        System.arraycopy(trailer.array(), 0, all, body.length, 8);
        return all;
    }

    /**
     * VM names for commands that take them: the {@code <VM>.conf} files of the configuration directory
     * (read without starting Java, so a tab press is instant).
     */
    static final String VM_NAMES = """

            # mvmm: complete VM names from the configuration directory's <VM>.conf files.
            _mvmm_vm_names() {
                local dir=${MVMM_CONFIG_DIR:-}
                if [ -z "$dir" ]; then
                    if [ -d /etc/pve/mvmm ]; then dir=/etc/pve/mvmm; else dir=/etc/mvmm; fi
                fi
                local f
                for f in "$dir"/*.conf; do
                    [ -e "$f" ] || continue
                    f=${f##*/}
                    [ "$f" = mvmm.conf ] || printf '%s\\n' "${f%.conf}"
                done
            }

            _mvmm_with_vm_names() {
                _complete_mvmm "$@"
                local cur=${COMP_WORDS[COMP_CWORD]}
                local first=${COMP_WORDS[1]:-}
                case "$cur" in -*) return ;; esac
                case "$first" in
                    check|backup|restore|patch|replicate|stats|maintenance)
                        local name
                        while IFS= read -r name; do
                            COMPREPLY+=("$name")
                        done < <(compgen -W "$(_mvmm_vm_names)" -- "$cur")
                        ;;
                esac
            }
            complete -F _mvmm_with_vm_names -o default mvmm
            """;
}
