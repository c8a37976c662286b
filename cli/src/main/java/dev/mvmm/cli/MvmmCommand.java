package dev.mvmm.cli;

import dev.mvmm.cli.support.ExitStatus;
import dev.mvmm.cli.support.GlobalOptions;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** The root command: lists the subcommands (added by {@link Main#commandLine}). */
@Command(name = "mvmm",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        description = "Keeps the VMs of a libvirt/KVM or Proxmox host alive and backed up: health checks with "
                + "automatic reboot, maintenance mode, a loop guard, availability statistics, verified incremental "
                + "backup chains with off-site copies, restores, and clones.",
        exitCodeListHeading = "%nExit status:%n",
        exitCodeList = {
            " 0:success",
            " 1:at least one VM is unhealthy (failing, acted on, on hold)",
            "64:usage error",
            "69:hypervisor unreachable",
            "70:internal error",
            "73:an output file cannot be written",
            "74:state database or lock directory unusable",
            "75:a VM was busy (locked by another mvmm operation)",
            "78:configuration error"
        })
public final class MvmmCommand implements Callable<Integer> {

    @Mixin
    GlobalOptions options;

    @Spec
    CommandSpec spec;

    public GlobalOptions options() {
        return options;
    }

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getErr());
        return ExitStatus.USAGE.code();
    }
}
