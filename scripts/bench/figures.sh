# Sourced by the benches: one timed run of a command, and samples printed as median, min and max.
# timed needs GNU time (/usr/bin/time).

# timed FILE CMD...: runs CMD once and appends "wall_ms cpu_ms rss_kib" to FILE. CPU is user plus
# system time, that of the children it waited for included (virtnbdbackup under mvmm); RSS is the
# largest process's peak. CMD's output is discarded, its stderr kept in $timed_err when that is set.
timed() {
    local file=$1 start end user sys rss
    shift
    [ -x /usr/bin/time ] || { echo "bench: install time (GNU time)" >&2; exit 1; }
    start=$(date +%s%N)
    /usr/bin/time -f '%U %S %M' -o "$file.time" "$@" >/dev/null 2>"${timed_err:-/dev/null}" || true
    end=$(date +%s%N)
    read -r user sys rss < <(tail -n 1 "$file.time")   # after "Command exited with non-zero status"
    awk -v w=$(( (end - start) / 1000 )) -v u="$user" -v s="$sys" -v m="$rss" \
        'BEGIN{printf "%.1f %.0f %d\n", w / 1000, (u + s) * 1000, m}' >>"$file"
}

# sample FILE RUNS CMD...: one warm-up run of CMD, then RUNS timed ones into FILE (emptied first).
sample() {
    local file=$1 runs=$2 r
    shift 2
    "$@" >/dev/null 2>&1 || true
    : >"$file"
    for ((r = 0; r < runs; r++)); do
        timed "$file" "$@"
    done
}

# stat_of FILE COLUMN [SCALE]: "median min max" of a column of numbers, each times SCALE.
stat_of() {
    awk -v c="$2" '{print $c}' "$1" | sort -n \
        | awk -v k="${3:-1}" '{a[NR]=(k == 1 ? $1 : $1 * k)} END{printf "%s %s %s\n", a[int((NR+1)/2)], a[1], a[NR]}'
}

# table_head: the header over rows printed by row.
table_head() {
    printf '%-44s %20s  %20s  %17s\n' "" "wall ms" "CPU ms" "RSS MiB"
}

# row LABEL FILE: median, min and max of wall time, CPU time and peak RSS of the samples in FILE.
row() {
    local wm wn wx cm cn cx rm rn rx
    read -r wm wn wx < <(stat_of "$2" 1)
    read -r cm cn cx < <(stat_of "$2" 2)
    read -r rm rn rx < <(stat_of "$2" 3)
    printf '%-44s %6.0f %6.0f %6.0f  %6.0f %6.0f %6.0f  %5.0f %5.0f %5.0f\n' "$1" "$wm" "$wn" "$wx" "$cm" "$cn" "$cx" \
        "$(( rm / 1024 ))" "$(( rn / 1024 ))" "$(( rx / 1024 ))"
}

# ratio LABEL A B: the medians of samples A over those of B (wall, CPU, RSS).
ratio() {
    local a b ca cb ra rb
    a=$(stat_of "$2" 1 | cut -d' ' -f1); b=$(stat_of "$3" 1 | cut -d' ' -f1)
    ca=$(stat_of "$2" 2 | cut -d' ' -f1); cb=$(stat_of "$3" 2 | cut -d' ' -f1)
    ra=$(stat_of "$2" 3 | cut -d' ' -f1); rb=$(stat_of "$3" 3 | cut -d' ' -f1)
    awk -v l="$1" -v a="$a" -v b="$b" -v ca="$ca" -v cb="$cb" -v ra="$ra" -v rb="$rb" \
        'BEGIN{printf "  %-42s wall x%.2f, CPU x%.2f, RSS x%.2f\n", l, a / b, (cb > 0 ? ca / cb : 0), (rb > 0 ? ra / rb : 0)}'
}
