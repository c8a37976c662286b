package dev.mvmm.cli;

import dev.mvmm.cli.support.Context;
import dev.mvmm.cli.support.ExitStatus;
import dev.mvmm.core.backup.Archives;
import dev.mvmm.core.backup.BackupSettings;
import dev.mvmm.core.backup.ChainFolder;
import dev.mvmm.core.backup.DomainDisks;
import dev.mvmm.core.backup.Retention;
import dev.mvmm.core.backup.Tools;
import dev.mvmm.core.backup.Verification;
import dev.mvmm.core.config.Configuration;
import dev.mvmm.core.config.VmConfig;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code mvmm backup verify}. */
@Command(name = "verify", description = "Restore every stored chain of the VMs named (current and archived) into "
        + "scratch space beside it and check each image with qemu-img check.",
        mixinStandardHelpOptions = true,
        exitCodeListHeading = "%nExit status:%n",
        exitCodeList = {" 0:every chain verified", " 1:at least one chain failed, or a VM named has none",
            "64:usage error",
            "78:configuration error"})
public final class BackupVerifyCommand implements Callable<Integer> {

    @ParentCommand
    BackupCommand backup;

    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "VM", arity = "1..*", description = "VMs whose chains to verify.")
    List<String> vms = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        dev.mvmm.cli.support.VmArguments.requireSafe(spec.commandLine(), vms);
        int failures = 0;
        try (Context context = Context.of(backup.root.options())) {
            Configuration configuration = context.configuration();
            PrintWriter out = spec.commandLine().getOut();
            Tools tools = new Tools(null);
            for (String vm : vms) {
                BackupSettings settings = BackupSettings.from(configuration.vm(vm).map(VmConfig::settings)
                        .orElse(configuration.global()));
                if (settings.backupPath() == null) {
                    out.println(vm + ": no backup_path configured");
                    failures++;
                    continue;
                }
                List<Path> chains = new ArrayList<>();
                if (Files.isDirectory(settings.backupPath().resolve(vm))) {
                    chains.add(settings.backupPath().resolve(vm));
                }
                for (Retention.Item item : Archives.list(settings.backupPath(), vm)) {
                    chains.add(settings.backupPath().resolve(item.name()));
                }
                if (chains.isEmpty()) {
                    // Nothing to verify is not a verified backup: a script asking must not read success.
                    out.println(vm + ": no stored chain in " + settings.backupPath() + "; see 'mvmm backup list " + vm
                            + "'");
                    failures++;
                }
                for (Path chain : chains) {
                    ChainFolder folder = ChainFolder.read(chain, vm);
                    Path config = folder.latestConfig();
                    if (config == null) {
                        try (var files = Files.list(chain)) {
                            config = files.filter(p -> p.getFileName().toString().startsWith("vmconfig"))
                                    .findFirst().orElse(null);
                        }
                    }
                    String problem = config == null ? "no saved VM configuration in the chain"
                            : Verification.verify(tools, chain, DomainDisks.parse(Files.readString(config)).disks()
                                    .stream().filter(DomainDisks.Disk::fileBacked).toList(), false, null);
                    out.println(vm + ": " + chain.getFileName() + ": " + (problem == null ? "ok" : problem));
                    failures += problem == null ? 0 : 1;
                }
            }
            out.flush();
        }
        return failures == 0 ? ExitStatus.OK.code() : ExitStatus.VM_PROBLEM.code();
    }
}
