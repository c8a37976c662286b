# Shared by the benchmark scripts: services on 127.0.0.1 and a test-driver host of N VMs.
# Source it; it defines start_listeners and make_host and cleans up on exit.

bench_work=$(mktemp -d)
bench_listeners=
bench_cleanup() {
    [ -n "$bench_listeners" ] && kill "$bench_listeners" 2>/dev/null
    rm -rf "$bench_work"
}
trap bench_cleanup EXIT

# start_listeners OPEN CLOSED: fills the array "ports" (OPEN listening ports, then CLOSED dead ones).
start_listeners() {
    java scripts/bench/Listeners.java "$1" "$2" >"$bench_work/ports" &
    bench_listeners=$!
    for _ in $(seq 1 300); do grep -q ready "$bench_work/ports" 2>/dev/null && break; sleep 0.1; done
    mapfile -t ports < <(grep -v ready "$bench_work/ports")
}

# make_host NAME COUNT [extra mvmm.conf lines...]: a test-driver node file and a configuration
# directory in $bench_work/NAME; every tenth VM gets a closed port (needs 900 open + 100 closed).
# Fills the array "vm_ports": VM i (vm$i) is probed on ${vm_ports[i]}.
make_host() {
    local dir=$bench_work/$1 count=$2 i
    shift 2
    vm_ports=()
    for ((i = 0; i < count; i++)); do
        vm_ports+=("${ports[$(( i % 10 == 9 ? 900 + (i / 10) % 100 : i % 900 ))]}")
    done
    mkdir -p "$dir/conf"
    {
        echo "<node>"
        for ((i = 0; i < count; i++)); do
            echo "<domain type='test'><name>vm$i</name><memory>65536</memory><os><type>hvm</type></os></domain>"
        done
        echo "</node>"
    } >"$dir/node.xml"
    { printf 'connect_timeout=1s\nuri=test://%s\n' "$dir/node.xml"; printf '%s\n' "$@"; } >"$dir/conf/mvmm.conf"
    for ((i = 0; i < count; i++)); do
        printf 'ip=127.0.0.1\nportsall=%s\n' "${vm_ports[i]}" >"$dir/conf/vm$i.conf"
    done
}
