package dev.mvmm.cli.support;

import dev.mvmm.core.store.MaintenanceRepository;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** The VM names a command takes; an empty list means the whole host (or every VM). */
public final class VmSelection {

    @Spec(Spec.Target.MIXEE)
    CommandSpec mixee;

    @Parameters(paramLabel = "VM", arity = "0..*", description = "VMs (default: the whole host).")
    List<String> vms = new ArrayList<>();

    public List<String> names() {
        return vms;
    }

    /** The names, or the global scope when none is given. */
    public List<String> scopes() {
        return vms.isEmpty() ? List.of(MaintenanceRepository.GLOBAL) : vms;
    }

    /** Rejects unsafe names and warns about unconfigured ones. */
    public void validate(Context context) {
        VmArguments.validate(mixee.commandLine(), context, vms);
    }
}
