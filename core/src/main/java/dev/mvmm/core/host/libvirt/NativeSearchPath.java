package dev.mvmm.core.host.libvirt;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * Tells JNA where the system's libraries are before it looks for libvirt. Left to itself, JNA
 * runs {@code /sbin/ldconfig -p} (a process, on every start of every mvmm command that talks to
 * libvirt) to learn the directories; the same directories are listed in {@code /etc/ld.so.conf}'s
 * files, which are read here instead. An operator's own {@code jna.platform.library.path} wins.
 */
public final class NativeSearchPath {

    static final String PROPERTY = "jna.platform.library.path";

    private NativeSearchPath() {
    }

    /** Sets the property, once, before the first libvirt class is loaded. */
    public static synchronized void prepare() {
        if (System.getProperty(PROPERTY) == null) {
            System.setProperty(PROPERTY, String.join(":", directories(Path.of("/etc/ld.so.conf.d"))));
        }
    }

    /** The directories of the loader's configuration, then the standard ones, that exist. */
    static Set<String> directories(Path confDirectory) {
        Set<String> directories = new LinkedHashSet<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(confDirectory, "*.conf")) {
            for (Path file : files) {
                for (String line : Files.readAllLines(file)) {
                    String entry = line.strip();
                    if (entry.startsWith("/") && Files.isDirectory(Path.of(entry))) {
                        directories.add(entry);
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            // The standard directories below still find a distribution's libvirt.
        }
        for (String standard : new String[] {"/usr/lib64", "/lib64", "/usr/lib", "/lib"}) {
            if (Files.isDirectory(Path.of(standard))) {
                directories.add(standard);
            }
        }
        return directories;
    }
}
