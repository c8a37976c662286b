package dev.mvmm.cli.support;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Run once at install time ({@code java -cp mvmm.jar dev.mvmm.cli.support.ExtractNative DIR}): copies
 * the two native libraries the jar carries for this machine into DIR, so that each run loads them
 * from there instead of writing them out again: sqlite-jdbc's (which it would extract into /tmp) and
 * JNA's dispatch library (which JNA would extract into ~/.cache/JNA, load and delete on every run
 * that talks to libvirt).
 */
public final class ExtractNative {

    private ExtractNative() {
    }

    public static void main(String[] args) throws IOException {
        Path directory = Path.of(args[0]);
        String sqlite = org.sqlite.util.OSInfo.getNativeLibFolderPathForCurrentOS();
        copy("/org/sqlite/native/" + sqlite + "/libsqlitejdbc.so", directory, "libsqlitejdbc.so",
                "SQLite native library for " + sqlite);
        // The name JNA looks for in jna.boot.library.path; the resource is the one JNA itself would unpack.
        String jna = System.mapLibraryName("jnidispatch");
        copy("/com/sun/jna/" + com.sun.jna.Platform.RESOURCE_PREFIX + "/" + jna, directory, jna,
                "JNA native library for " + com.sun.jna.Platform.RESOURCE_PREFIX);
    }

    private static void copy(String resource, Path directory, String name, String what) throws IOException {
        try (InputStream in = ExtractNative.class.getResourceAsStream(resource)) {
            if (in == null) {
                System.err.println("mvmm: no " + what + " in the jar");
                System.exit(1);
            }
            Path partial = directory.resolve("." + name + ".new");
            Files.copy(in, partial, StandardCopyOption.REPLACE_EXISTING);
            Files.move(partial, directory.resolve(name), StandardCopyOption.REPLACE_EXISTING,
                    StandardCopyOption.ATOMIC_MOVE);
        }
    }
}
