package dev.mvmm.cli;

import picocli.CommandLine;

/** The version from the jar's manifest (the build's version), or "development". */
public final class VersionProvider implements CommandLine.IVersionProvider {

    @Override
    public String[] getVersion() {
        String version = MvmmCommand.class.getPackage().getImplementationVersion();
        return new String[] {"mvmm " + (version == null ? "development build" : version)};
    }
}
