# Shared settings and helpers for the peer benchmark scripts. Source it; do not run it.
# Everything listens on 127.0.0.1 only and every loop below is bounded in count and time.

set -euo pipefail

PEERS_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_DIR="$(cd "$PEERS_DIR/../.." && pwd)"
WORK="${PEERS_WORK:-/tmp/meridian-peers}"          # data dirs, chunks, logs, results
HOSTS="${HOSTS:-1000}"
HOURS="${HOURS:-24}"
CHUNK_LINES="${CHUNK_LINES:-10000}"                 # lines per HTTP write request
STREAMS="${STREAMS:-2}"                             # parallel write streams
QUERY_RUNS="${QUERY_RUNS:-50}"                      # timed runs per query shape
QUERY_WARMUP="${QUERY_WARMUP:-2}"                   # untimed runs per query shape first
QUERY_BUDGET_S="${QUERY_BUDGET_S:-150}"             # stop a shape early after this many seconds
QUERY_TIMEOUT_S="${QUERY_TIMEOUT_S:-60}"            # per-request timeout
QUESTDB_VERSION="${QUESTDB_VERSION:-9.3.4}"
RESULTS="${RESULTS:-$WORK/results.tsv}"

mkdir -p "$WORK"

log() { echo "[$(date -u +%H:%M:%S)] $*" >&2; }

# data_file MODE -> path of the line-protocol file of that value mode (int|float), hosts and hours: a file made
# for other HOSTS or HOURS is another file, never reused by mistake
data_file() { echo "${DATA_DIR:-/tmp}/cpu-$1-${HOSTS}x${HOURS}h.lp"; }

# chunk_dir MODE -> the directory of that file cut into CHUNK_LINES-line bodies
chunk_dir() { echo "$WORK/chunks-$1-${HOSTS}x${HOURS}h-${CHUNK_LINES}"; }

# make_data MODE: builds the bench jar if needed and writes the line-protocol file, prints the start ms.
make_data() {
    local mode=$1 f; f=$(data_file "$mode")
    if [[ ! -s $f ]]; then
        if [[ ! -f $REPO_DIR/bench/target/meridian-bench.jar ]]; then
            (cd "$REPO_DIR" && mvn -q -B -pl bench -am package -DskipTests)
        fi
        java -jar "$REPO_DIR/bench/target/meridian-bench.jar" tsbs-data --hosts "$HOSTS" --hours "$HOURS" \
            --values "$mode" > "$f" 2> "$WORK/gen-$mode.err"
        cat "$WORK/gen-$mode.err" >&2
    fi
}

# start_ns MODE: first timestamp of the file (ns) -> seconds
data_start_s() { head -c 2000 "$(data_file "$1")" | head -1 | awk '{print int(substr($NF,1,10))}'; }

# split_data MODE: cuts the file into CHUNK_LINES-line files (done once, outside the timed load)
split_data() {
    local mode=$1 d; d=$(chunk_dir "$1")
    if [[ ! -f $d/.done ]]; then
        rm -rf "$d"; mkdir -p "$d"
        split -l "$CHUNK_LINES" -d -a 5 "$(data_file "$mode")" "$d/c"
        touch "$d/.done"
    fi
}

# wait_http URL SECONDS: waits until URL answers 2xx
wait_http() {
    local url=$1 t=${2:-60} i
    for ((i = 0; i < t * 2; i++)); do
        if curl -sf -o /dev/null --max-time 2 "$url"; then return 0; fi
        sleep 0.5
    done
    log "timed out waiting for $url"; return 1
}

# load_chunks MODE URL: POSTs every chunk with STREAMS parallel curls. Prints "seconds points points_per_s";
# fails if any request did not answer 2xx. 'Expect:' stops curl from sending "Expect: 100-continue" for bodies over
# 1 MB: a server that does not answer it (QuestDB) would cost a 1 s curl time-out per request.
load_chunks() {
    local mode=$1 url=$2 d codes="$WORK/load-codes.txt"
    d=$(chunk_dir "$1")
    local lines points t0 t1 bad
    lines=$(wc -l < "$(data_file "$mode")")
    points=$((lines * 10))
    t0=$(date +%s.%N)
    find "$d" -name 'c*' -type f | sort | xargs -P "$STREAMS" -I{} \
        curl -s -o /dev/null -w '%{http_code}\n' --max-time 300 -H 'Content-Type: text/plain; charset=utf-8' -H 'Expect:' \
        --data-binary @{} "$url" > "$codes"
    t1=$(date +%s.%N)
    bad=$(grep -vc '^20[04]$' "$codes" || true)
    if [[ $bad != 0 ]]; then log "load: $bad of $(wc -l < "$codes") requests failed: $(sort "$codes" | uniq -c | tr '\n' ' ')"; return 1; fi
    awk -v a="$t0" -v b="$t1" -v p="$points" 'BEGIN { s = b - a; printf "%.1f %d %.0f\n", s, p, p / s }'
}

# disk_bytes DIR...: bytes allocated on disk (du blocks, not apparent size: some engines pre-size sparse files)
disk_bytes() { du -s -B1 "$@" 2>/dev/null | awk '{s += $1} END {printf "%.0f\n", s}'; }

# wait_stable_size SECONDS INTERVAL DIR...: polls the size until two polls in a row are equal; bounded; prints size
wait_stable_size() {
    local t=$1 iv=$2; shift 2
    local prev=-1 cur same=0 end=$((SECONDS + t))
    while ((SECONDS < end)); do
        cur=$(disk_bytes "$@")
        if [[ $cur == "$prev" ]]; then same=$((same + 1)); else same=0; fi
        ((same >= 2)) && break
        prev=$cur; sleep "$iv"
    done
    disk_bytes "$@"
}

# stop_pidfile: stops the server whose pid is in $PIDF (SIGTERM, up to 60 s, then SIGKILL); logs as $PEER
stop_pidfile() {
    [[ -f $PIDF ]] || return 0
    local pid; pid=$(cat "$PIDF")
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 60); do kill -0 "$pid" 2>/dev/null || break; sleep 1; done
    kill -9 "$pid" 2>/dev/null || true
    rm -f "$PIDF"; log "$PEER stopped"
}

iso() { date -u -d "@$1" +%Y-%m-%dT%H:%M:%SZ; }

# median / p90 of a file of seconds, printed in ms
stats_ms() {
    sort -g "$1" | awk '{v[NR] = $1 * 1000} END {
        if (NR == 0) { print "NA NA NA 0"; exit }
        m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
        p = v[int(NR * 0.9 + 0.999)]; if (p == "") p = v[NR]
        printf "%.1f %.1f %.1f %d\n", m, p, v[1], NR }'
}

# time_query SHAPE OUTFILE CMD...: runs "CMD" (a function that builds and sends one random query and prints
# curl's "%{http_code} %{time_total}") QUERY_WARMUP + QUERY_RUNS times within QUERY_BUDGET_S; writes times.
time_shape() {
    local shape=$1 out=$2 fn=$3 i r code t end
    : > "$out"
    for ((i = 0; i < QUERY_WARMUP; i++)); do QN=$((100000 + i)); "$fn" > /dev/null || true; done
    end=$((SECONDS + QUERY_BUDGET_S))
    for ((i = 0; i < QUERY_RUNS && SECONDS < end; i++)); do
        QN=$((i + 1))
        r=$("$fn") || { log "$shape: request failed"; continue; }
        code=${r% *}; t=${r#* }
        if [[ $code != 200 ]]; then log "$shape: HTTP $code"; continue; fi
        echo "$t" >> "$out"
    done
    QN=0; "$fn" > /dev/null || log "$shape: the answer query failed" # untimed: its answer is the one answers.sh compares
}

# record PEER VERSION MODE METRIC VALUE [NOTE]
record() {
    [[ -s $RESULTS ]] || printf 'utc\tpeer\tversion\tmode\tmetric\tvalue\tnote\n' > "$RESULTS"
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$(date -u +%FT%TZ)" "$1" "$2" "$3" "$4" "$5" "${6:-}" >> "$RESULTS"
}

# record_peak_rss PEER VERSION MODE PID: the server's peak resident memory (VmHWM) so far
record_peak_rss() {
    record "$1" "$2" "$3" peak_rss_bytes "$(awk '/^VmHWM/ {print $2 * 1024}' "/proc/$4/status")" "VmHWM of pid $4"
}

# run_queries PEER VERSION MODE: times the four shapes with functions q_single, q_maxall, q_double, q_lastpoint
# that the peer script defines (each prints curl's "%{http_code} %{time_total}").
run_queries() {
    local peer=$1 ver=$2 mode=$3 s f st
    for s in single-groupby-1-1-1:q_single cpu-max-all-1:q_maxall double-groupby-1:q_double lastpoint:q_lastpoint; do
        f="$WORK/times-$peer-$mode-${s%%:*}.txt"
        time_shape "${s%%:*}" "$f" "${s#*:}"
        cp "$WORK/last-response.json" "$WORK/sample-$peer-$mode-${s%%:*}.json" 2>/dev/null || true
        log "$peer $mode ${s%%:*}: last response $(wc -c < "$WORK/last-response.json") bytes: $(head -c 300 "$WORK/last-response.json")"
        st=$(stats_ms "$f")
        log "$peer $mode ${s%%:*}: median/p90/min ms, runs = $st"
        record "$peer" "$ver" "$mode" "query_ms:${s%%:*}" "$(echo "$st" | cut -d' ' -f1)" \
            "p90=$(echo "$st" | cut -d' ' -f2) min=$(echo "$st" | cut -d' ' -f3) runs=$(echo "$st" | cut -d' ' -f4)"
    done
}

# Query parameters: the QN-th query of a shape (time_shape sets QN) asks every peer the same question. A hash of QN,
# not $RANDOM: bash reseeds RANDOM in every subshell, and each query runs in one ($(...)).
mix() { # mix N SALT -> a pseudo-random non-negative integer
    local x=$(( ($1 * 2654435761 + $2 * 40503 + 12345) & 0x7fffffff ))
    x=$(( ((x ^ (x >> 15)) * 2246822519) & 0x7fffffff ))
    echo $(( x ^ (x >> 13) ))
}
rand_host() { echo "host_$(( $(mix "$QN" 1) % HOSTS ))"; }
# rand_from START_S SPAN_S STEP_S: an aligned start so that [from, from + span) stays inside the data
rand_from() { local n=$(( (HOURS * 3600 - $2) / $3 )); echo $(( $1 + ($(mix "$QN" 2) % (n + 1)) * $3 )); }
