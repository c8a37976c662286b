package dev.mvmm.core.config;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The whole validated configuration of a host. */
public record Configuration(Path directory, Settings global, List<VmConfig> vms, List<ConfigProblem> warnings) {

    public Configuration {
        vms = List.copyOf(vms);
        warnings = List.copyOf(warnings);
    }

    public Optional<VmConfig> vm(String name) {
        return vms.stream().filter(vm -> vm.name().equals(name)).findFirst();
    }

    public List<String> vmNames() {
        List<String> names = new ArrayList<>(vms.size());
        vms.forEach(vm -> names.add(vm.name()));
        return names;
    }

    /** The VMs named, in the order given, or every VM when none is named. */
    public Map<String, Optional<VmConfig>> select(List<String> names) {
        Map<String, Optional<VmConfig>> selected = new LinkedHashMap<>();
        if (names.isEmpty()) {
            vms.forEach(vm -> selected.put(vm.name(), Optional.of(vm)));
        } else {
            names.forEach(name -> selected.put(name, vm(name)));
        }
        return selected;
    }
}
