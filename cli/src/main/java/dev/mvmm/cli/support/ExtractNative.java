package dev.mvmm.cli.support;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Run once at install time ({@code java -cp mvmm.jar dev.mvmm.cli.support.ExtractNative DIR}): copies
 * sqlite-jdbc's native library for this machine into DIR, so that each run loads it from there instead
 * of extracting it into /tmp again (what sqlite-jdbc does by default).
 */
public final class ExtractNative {

    private ExtractNative() {
    }

    public static void main(String[] args) throws IOException {
        String folder = org.sqlite.util.OSInfo.getNativeLibFolderPathForCurrentOS();
        String resource = "/org/sqlite/native/" + folder + "/libsqlitejdbc.so";
        try (InputStream in = ExtractNative.class.getResourceAsStream(resource)) {
            if (in == null) {
                System.err.println("mvmm: no SQLite native library for " + folder + " in the jar");
                System.exit(1);
            }
            Path target = Path.of(args[0], "libsqlitejdbc.so");
            Path partial = Path.of(args[0], ".libsqlitejdbc.so.new");
            Files.copy(in, partial, StandardCopyOption.REPLACE_EXISTING);
            Files.move(partial, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        }
    }
}
