#!/usr/bin/env bash
# Benchmarks `podium build` and `podium check` on synthetic campaigns, and Hugo on an
# equivalent site, and prints a Markdown table.
#
#   scripts/bench.sh                          # sizes 1000 10000 100000, 5 runs each
#   SIZES="1000 10000" RUNS=3 scripts/bench.sh
#
# What it does:
#   1. builds podium and the generator (examples/synth.rs) in release mode;
#   2. for each size N, generates a campaign of N units into $BENCH_DIR/N (a podium site root:
#      content/ plus synth-expected.csv) with `synth --units N --seed $SEED`, and for Hugo sizes
#      the equivalent Hugo site into $BENCH_DIR/N/hugo. A size already generated with the same
#      arguments, generator source and Hugo templates is not generated again ($BENCH_DIR/N/.synth-stamp);
#   3. runs `podium check --root $BENCH_DIR/N` and `podium build --root $BENCH_DIR/N -o ...`
#      RUNS times each, and `hugo --source $BENCH_DIR/N/hugo` RUNS times for the sizes in both
#      SIZES and HUGO_SIZES, each run under `/usr/bin/time -v` and `timeout $RUN_TIMEOUT`; the
#      output folder is moved aside, `sync` flushes earlier runs' writes, and the site and the
#      program are read before each run, after dropping the page cache when free memory is low
#      (see `settle`; not timed), and the outputs are deleted at the end;
#   4. after the first podium build of each size, compares podium's data/results.csv with the
#      generator's independent computation (synth-expected.csv) and reports any difference;
#   5. prints the table (size, tool, command, median wall time, median user+sys CPU time, peak
#      RSS = the largest maximum resident set size over the runs, output files and MB) and writes
#      it to target/bench-results.md.
#
# Environment (defaults in brackets):
#   SIZES [1000 10000 100000]   unit counts to benchmark podium on
#   HUGO_SIZES [1000 10000]     unit counts (among SIZES) to benchmark Hugo on
#   RUNS [5]                    runs per command; the table shows medians
#   SEED [1]                    generator seed
#   BENCH_DIR [/tmp/podium-bench]  where sites and outputs go
#   RUN_TIMEOUT [600]           seconds one run may take before it is killed (shown as "timeout")
#   HUGO [auto]                 0 skips Hugo; otherwise Hugo runs when `hugo` is on PATH, and is
#                               installed with `apt-get install -y hugo` first when missing and root
#   MEM_LIMIT_GB []             if set, `ulimit -v` for each run (a run over it fails instead of
#                               pushing the machine into swap or the OOM killer). It limits
#                               virtual memory, not RSS: Hugo (Go) reserves far more than it uses,
#                               so leave room (podium built 1000 units under 2 GB, Hugo not under 1 GB)
#   VERIFY [1]                  0 skips the score comparison of step 4
#
# Needs bash, cargo, GNU time (`apt-get install -y time` is run when it is missing and root),
# coreutils (timeout, sort) and awk. Exit status: 0 when every run succeeded, 1 when some run
# failed or timed out or podium's scores differed (the table is written all the same).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SIZES=${SIZES:-"1000 10000 100000"}
HUGO_SIZES=${HUGO_SIZES:-"1000 10000"}
RUNS=${RUNS:-5}
SEED=${SEED:-1}
BENCH_DIR=${BENCH_DIR:-/tmp/podium-bench}
RUN_TIMEOUT=${RUN_TIMEOUT:-600}
HUGO=${HUGO:-auto}
MEM_LIMIT_GB=${MEM_LIMIT_GB:-}
VERIFY=${VERIFY:-1}
TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target}
RESULTS=$TARGET_DIR/bench-results.md

log() { printf '[bench] %s\n' "$*" >&2; }
die() { log "error: $*"; exit 2; }
is_root() { [ "$(id -u)" = 0 ]; }
apt_install() {
    # apt-get install, refreshing the package lists once if the package is not found.
    apt-get install -y -qq "$@" >/dev/null 2>&1 || { apt-get update -qq >/dev/null 2>&1 && apt-get install -y -qq "$@" >/dev/null; }
}

[[ $RUNS =~ ^[1-9][0-9]*$ ]] || die "RUNS must be a positive whole number (got '$RUNS')"
for n in $SIZES $HUGO_SIZES; do [[ $n =~ ^[1-9][0-9]*$ ]] || die "sizes must be positive whole numbers (got '$n')"; done

# --- tools ------------------------------------------------------------------------------------
if ! /usr/bin/time -v true >/dev/null 2>&1; then
    if is_root; then log "installing GNU time"; apt_install time; else die "GNU time (/usr/bin/time) is missing: apt-get install time"; fi
fi
HUGO_BIN=
if [ "$HUGO" != 0 ]; then
    if ! command -v hugo >/dev/null 2>&1 && is_root; then
        log "installing hugo"
        apt_install hugo || log "could not install hugo; skipping Hugo"
    fi
    if command -v hugo >/dev/null 2>&1; then HUGO_BIN=$(command -v hugo); else log "hugo not available; skipping Hugo"; fi
fi

log "building podium and the generator (release)"
(cd "$ROOT" && cargo build --release --quiet --bin podium --example synth)
PODIUM=$TARGET_DIR/release/podium
SYNTH=$TARGET_DIR/release/examples/synth
if [ ! -x "$PODIUM" ] || [ ! -x "$SYNTH" ]; then die "release binaries not found in $TARGET_DIR/release"; fi

# --- helpers ----------------------------------------------------------------------------------
in_list() { local x=$1; shift; for y in "$@"; do [ "$x" = "$y" ] && return 0; done; return 1; }

# Generator source and Hugo templates, so that a changed generator regenerates.
GEN_HASH=$(cd "$ROOT" && find examples/synth.rs scripts/hugo-site -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum | sha256sum | cut -c1-16)

generate() { # N WITH_HUGO(0|1)
    local n=$1 with_hugo=$2 dir=$BENCH_DIR/$1
    local args=(--units "$n" --out "$dir" --seed "$SEED")
    [ "$with_hugo" = 1 ] && args+=(--hugo "$dir/hugo")
    local stamp="synth ${args[*]} src=$GEN_HASH"
    if [ -f "$dir/.synth-stamp" ] && [ "$(cat "$dir/.synth-stamp")" = "$stamp" ]; then
        log "N=$n: already generated ($dir)"
        return
    fi
    log "N=$n: generating into $dir"
    mkdir -p "$dir"
    rm -f "$dir/.synth-stamp"
    "$SYNTH" "${args[@]}"
    printf '%s\n' "$stamp" >"$dir/.synth-stamp"
}

# Seconds from GNU time's "h:mm:ss" or "m:ss.ss".
to_seconds() { awk -F: '{ if (NF == 3) print $1 * 3600 + $2 * 60 + $3; else print $1 * 60 + $2 }' <<<"$1"; }
median() { sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) print "-"; else if (NR % 2) printf "%.2f\n", v[(NR + 1) / 2]; else printf "%.2f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

ROWS=()
NOTES=()
FAILED=0

# Earlier outputs are moved aside, not deleted, before each run, and deleted when the script
# ends: ext4 skips inodes freed in the last minutes when it allocates new ones, so a run that
# starts right after deleting ~100,000 files pays seconds of kernel time for the deletion
# (seen in perf as `recently_deleted`), which would be measured against whichever tool ran next.
TRASH=$BENCH_DIR/trash
trap 'rm -rf "$TRASH"' EXIT
retire() { # PATH...: moves each existing path into $TRASH
    local p
    for p in "$@"; do
        if [ -e "$p" ]; then mkdir -p "$TRASH" && mv "$p" "$TRASH/$(date +%s%N)-$RANDOM"; fi
    done
}

# Before each run: the previous runs' written pages are flushed, and the site and the program
# are read so that no run reads its input or its own code from disk. When free memory runs low
# the page cache is dropped first (as root): each 10k build adds ~1.5 GB to the cache, and once
# it filled the memory the kernel had to reclaim pages during the runs, and the same binary's
# system time went from ~2 to ~4.6 s over six runs. Not before every run: right after a drop,
# `podium check` at 10k took 0.50-0.57 s instead of 0.41-0.47 s (system time 0.4-0.6 s instead
# of ~0.2 s; five alternating runs of each of two binaries, both ways).
settle() { # N PROGRAM
    sync
    local free_kb
    free_kb=$(awk '/^MemFree:/ { print $2 }' /proc/meminfo)
    if [ "${free_kb:-0}" -lt $((4 * 1024 * 1024)) ] && [ -w /proc/sys/vm/drop_caches ]; then
        echo 3 >/proc/sys/vm/drop_caches
    fi
    find "$BENCH_DIR/$1" -type f -print0 | xargs -0 cat >/dev/null
    cat "$(command -v "$2")" >/dev/null
}

# measure N TOOL COMMAND OUTDIR -- argv...: runs argv RUNS times and appends a table row.
measure() {
    local n=$1 tool=$2 cmd=$3 out=$4; shift 5
    local walls=() cpus=() rss_max=0 status=ok tf log rc
    tf=$(mktemp) log=$(mktemp)
    for ((r = 1; r <= RUNS; r++)); do
        [ "$out" != - ] && retire "$out"
        # The previous run's ~2 GB (at 10k) of dirty pages would otherwise be written back
        # during this run and throttle its writes: untimed, each run starts with none.
        settle "$n" "$1"
        rc=0
        (
            [ -n "$MEM_LIMIT_GB" ] && ulimit -v $((MEM_LIMIT_GB * 1024 * 1024))
            exec /usr/bin/time -v -o "$tf" timeout --kill-after=10 "$RUN_TIMEOUT" "$@"
        ) >"$log" 2>&1 || rc=$?
        if [ "$rc" != 0 ]; then
            # timeout exits 124 when it stopped the command, 137 when the command was killed
            # (by timeout's --kill-after, or by the kernel's OOM killer).
            local secs
            secs=$(to_seconds "$(sed -n 's/.*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' "$tf" 2>/dev/null)" 2>/dev/null || echo 0)
            if [ "$rc" = 124 ] || { [ "$rc" = 137 ] && awk -v s="${secs:-0}" -v t="$RUN_TIMEOUT" 'BEGIN { exit !(s >= t) }'; }; then
                status="timeout (${RUN_TIMEOUT}s)"
            elif [ "$rc" = 137 ]; then
                status="killed after ${secs}s (out of memory?)"
            else
                status="failed (exit $rc)"
            fi
            log "N=$n $tool $cmd run $r: $status; last output:"
            tail -n 5 "$log" >&2
            FAILED=1
            break
        fi
        local wall user sys rss
        wall=$(to_seconds "$(sed -n 's/.*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' "$tf")")
        user=$(sed -n 's/.*User time (seconds): //p' "$tf")
        sys=$(sed -n 's/.*System time (seconds): //p' "$tf")
        rss=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$tf")
        walls+=("$wall")
        cpus+=("$(awk -v u="$user" -v s="$sys" 'BEGIN { printf "%.2f", u + s }')")
        ((rss > rss_max)) && rss_max=$rss
        log "N=$n $tool $cmd run $r/$RUNS: wall ${wall}s cpu ${cpus[-1]}s rss $((rss / 1024))MB"
        if [ "$r" = 1 ]; then
            # The tool's own summary line, once.
            local summary
            summary=$(grep -E '^(checked|built) ' "$log" | tail -n 1 || true)
            [ -z "$summary" ] && summary=$(grep -E 'Total in|Pages +\|' "$log" | tr -s ' ' | paste -sd ' ' || true)
            [ -n "$summary" ] && NOTES+=("N=$n $tool $cmd: $summary")
        fi
    done
    local files=- mb=-
    if [ "$out" != - ] && [ -d "$out" ] && [ "$status" = ok ]; then
        files=$(find "$out" -type f | wc -l)
        mb=$(du -sm "$out" | cut -f1)
    fi
    local wall_med cpu_med rss_mb
    if [ "$status" = ok ]; then
        wall_med=$(printf '%s\n' "${walls[@]}" | median)
        cpu_med=$(printf '%s\n' "${cpus[@]}" | median)
        rss_mb=$(awk -v k="$rss_max" 'BEGIN { printf "%.0f", k / 1024 }')
    else
        wall_med=$status cpu_med=- rss_mb=-
    fi
    ROWS+=("| $n | $tool | $cmd | $wall_med | $cpu_med | $rss_mb | $files | $mb |")
    rm -f "$tf" "$log"
}

# Compares podium's data/results.csv with the generator's synth-expected.csv.
verify_scores() { # N OUTDIR
    local n=$1 out=$2 exp=$BENCH_DIR/$1/synth-expected.csv got=$2/data/results.csv
    [ -f "$got" ] || { NOTES+=("N=$n: no data/results.csv to verify"); return; }
    # podium: period,unit,name,cluster,total,rank,cluster_rank,tier,bonus,penalty,<criteria>
    # synth:  period,unit,total,bonus,penalty,<criteria>   (names never hold commas or quotes)
    if cmp -s <(sed '1s/^\xEF\xBB\xBF//' "$got" | awk -F, 'NR > 1 { s = $1 "," $2 "," $5 "," $9 "," $10; for (i = 11; i <= NF; i++) s = s "," $i; print s }' | LC_ALL=C sort) \
        <(awk 'NR > 1' "$exp" | LC_ALL=C sort); then
        NOTES+=("N=$n: podium's scores (data/results.csv) match the generator's independent computation ($(($(wc -l <"$exp") - 1)) unit-periods)")
    else
        NOTES+=("N=$n: **podium's scores differ from the generator's computation** (compare $got with $exp)")
        FAILED=1
    fi
}

# --- runs -------------------------------------------------------------------------------------
read -ra SIZE_LIST <<<"$SIZES"
read -ra HUGO_LIST <<<"$HUGO_SIZES"
mkdir -p "$BENCH_DIR/out"
for n in "${SIZE_LIST[@]}"; do
    with_hugo=0
    [ -n "$HUGO_BIN" ] && in_list "$n" "${HUGO_LIST[@]}" && with_hugo=1
    # Keep an existing Hugo site: regenerating only to drop it would waste time.
    [ "$with_hugo" = 0 ] && [ -d "$BENCH_DIR/$n/hugo" ] && grep -q -- '--hugo' "$BENCH_DIR/$n/.synth-stamp" 2>/dev/null && with_hugo=1
    generate "$n" "$with_hugo"
    site=$BENCH_DIR/$n
    out=$BENCH_DIR/out/$n-podium
    measure "$n" podium check - -- "$PODIUM" check --root "$site"
    measure "$n" podium build "$out" -- "$PODIUM" build --root "$site" -o "$out"
    if [ "$VERIFY" != 0 ]; then
        # The last build's output is still there.
        verify_scores "$n" "$out"
    fi
    retire "$out"
    if [ -n "$HUGO_BIN" ] && in_list "$n" "${HUGO_LIST[@]}"; then
        hout=$BENCH_DIR/out/$n-hugo
        measure "$n" hugo build "$hout" -- "$HUGO_BIN" --source "$site/hugo" --destination "$hout"
        retire "$hout" "$site/hugo/resources" "$site/hugo/.hugo_build.lock"
    fi
done

# --- report -----------------------------------------------------------------------------------
commit=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)
git -C "$ROOT" diff --quiet HEAD -- src Cargo.toml Cargo.lock 2>/dev/null || commit="$commit (with uncommitted changes)"
{
    echo "## podium benchmark"
    echo
    echo "$(date -u +%Y-%m-%dT%H:%MZ); podium $commit; $(nproc) cores, $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo) memory;" \
        "RUNS=$RUNS, SEED=$SEED${HUGO_BIN:+; $("$HUGO_BIN" version | awk '{ print $1, $2 }')}"
    echo
    echo "| size | tool | command | median wall s | median CPU s | peak RSS MB | output files | output MB |"
    echo "|---:|---|---|---:|---:|---:|---:|---:|"
    printf '%s\n' "${ROWS[@]}"
    if [ "${#NOTES[@]}" -gt 0 ]; then
        echo
        printf -- '- %s\n' "${NOTES[@]}"
    fi
} | tee "$RESULTS"
log "written to $RESULTS"
exit "$FAILED"
