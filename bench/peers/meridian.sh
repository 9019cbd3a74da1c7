#!/usr/bin/env bash
# Meridian itself, as a peer: `bin/meridian standalone` from this checkout (direct mode unless MERIDIAN_MODE=kafka),
# a fresh data directory, on 127.0.0.1:$MERIDIAN_PEER_PORT. Its heap is the standalone's default unless
# MERIDIAN_STANDALONE_JAVA_OPTS says otherwise. Same data, same loader and the same random query parameters as
# the other peers (common.sh); the TSBS shapes written as plain SQL over POST /api/v1/sql.
# usage: meridian.sh start|stop|run MODE
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

PEER=meridian
PORT="${MERIDIAN_PEER_PORT:-18480}"
URL="http://127.0.0.1:$PORT"
DIR="$WORK/meridian-data"
PIDF="$WORK/meridian.pid"
MODE_FLAG=$([[ ${MERIDIAN_MODE:-direct} == kafka ]] && echo "" || echo "--direct")
VERSION="$(git -C "$REPO_DIR" rev-parse --short HEAD 2>/dev/null || echo unknown)${MODE_FLAG:+ direct}"

start() {
    mkdir -p "$DIR"
    # shellcheck disable=SC2086 # MODE_FLAG is one word or none
    setsid nohup "$REPO_DIR/bin/meridian" standalone $MODE_FLAG --data-dir "$DIR" --http-port "$PORT" \
        > "$WORK/meridian.log" 2>&1 &
    echo $! > "$PIDF"
    wait_http "$URL/health/ready" 300
    log "$PEER started pid $(cat "$PIDF")"
}

stop() { stop_pidfile; }

q() { # q SQL
    curl -s -o "$WORK/last-response.json" -w '%{http_code} %{time_total}' --max-time "$QUERY_TIMEOUT_S" \
        -H 'Content-Type: text/plain' --data-binary "$1" "$URL/api/v1/sql?db=benchmark"
}
ts() { echo "TIMESTAMP '$(date -u -d "@$1" '+%F %T')'"; }
FIELDS=(usage_user usage_system usage_idle usage_nice usage_iowait usage_irq usage_softirq usage_steal usage_guest
    usage_guest_nice)
MAXALL=$(for f in "${FIELDS[@]}"; do printf 'MAX(%s) AS %s, ' "$f" "$f"; done | sed 's/, $//')
LASTALL=$(for f in "${FIELDS[@]}"; do printf 'LAST(%s) AS %s, ' "$f" "$f"; done | sed 's/, $//')
# The TSBS shapes as plain SQL (FLOOR(ts TO ...) buckets, aggregates aliased by their field; EXPLAIN shows them
# fully pushed to the leaves).
q_single() {
    local h f; h=$(rand_host); f=$(rand_from "$S" 3600 60)
    q "SELECT FLOOR(ts TO MINUTE) AS minute, MAX(usage_user) AS usage_user FROM cpu WHERE hostname = '$h' AND ts >= $(ts "$f") AND ts < $(ts $((f + 3600))) GROUP BY FLOOR(ts TO MINUTE) ORDER BY minute"
}
q_maxall() {
    local h f; h=$(rand_host); f=$(rand_from "$S" $((8 * 3600)) 3600)
    q "SELECT FLOOR(ts TO HOUR) AS hour, $MAXALL FROM cpu WHERE hostname = '$h' AND ts >= $(ts "$f") AND ts < $(ts $((f + 8 * 3600))) GROUP BY FLOOR(ts TO HOUR) ORDER BY hour"
}
q_double() {
    local f; f=$(rand_from "$S" $((12 * 3600)) 3600)
    q "SELECT FLOOR(ts TO HOUR) AS hour, hostname, AVG(usage_user) AS usage_user FROM cpu WHERE ts >= $(ts "$f") AND ts < $(ts $((f + 12 * 3600))) GROUP BY FLOOR(ts TO HOUR), hostname ORDER BY hour, hostname"
}
q_lastpoint() { q "SELECT hostname, $LASTALL FROM cpu GROUP BY hostname"; }

run() {
    local mode=$1 r secs points pps size pid
    split_data "$mode"
    S=$(data_start_s "$mode")
    stop; rm -rf "$DIR"; start
    pid=$(cat "$PIDF")
    # a retention that keeps the generated day, wherever it lies in the past
    curl -sf -XPOST "$URL/api/v1/databases" \
        -d '{"name":"benchmark","shards":2,"replicas":1,"intervals":[{"interval":"10s","retention":"3650d"}]}' \
        > /dev/null || { log "$PEER: CREATE DATABASE failed"; return 1; }
    log "$PEER $mode: loading"
    r=$(load_chunks "$mode" "$URL/write?db=benchmark&precision=ns")
    read -r secs points pps <<< "$r"
    log "$PEER $mode: $points points in $secs s = $pps points/s (acknowledged = fsynced to the WAL)"
    record "$PEER" "$VERSION" "$mode" ingest_points_per_s "$pps" "secs=$secs points=$points streams=$STREAMS chunk=$CHUNK_LINES"
    # at rest, as the peers are measured: flush every memtable as parts (POST /api/v1/databases/{db}/flush, what
    # VictoriaMetrics' /internal/force_flush is), then wait (bounded) until background merges stop changing the dir
    curl -sf -XPOST "$URL/api/v1/databases/benchmark/flush" > "$WORK/meridian-flush.json" \
        || log "$PEER: flush failed: $(cat "$WORK/meridian-flush.json")"
    log "$PEER $mode: flushed $(jq -r .points "$WORK/meridian-flush.json" 2>/dev/null) points"
    size=$(wait_stable_size 600 15 "$DIR/storage")
    log "$PEER $mode: storage $size bytes after the load"
    record "$PEER" "$VERSION" "$mode" bytes_on_disk "$size" "storage dir after a flush; $(wal_bytes) of it WAL"
    record "$PEER" "$VERSION" "$mode" bytes_per_point "$(awk -v a="$size" -v p="$points" 'BEGIN{printf "%.3f", a/p}')" \
        "after a flush, WAL included"
    curl -s "$URL/api/v1/sql?db=benchmark" -H 'Content-Type: text/plain' --data-binary 'SELECT COUNT(*) FROM cpu' \
        > "$WORK/meridian-count.json" || true
    log "$PEER rows: $(cat "$WORK/meridian-count.json")"
    run_queries "$PEER" "$VERSION" "$mode"
    record "$PEER" "$VERSION" "$mode" peak_rss_bytes "$(awk '/^VmHWM/ {print $2 * 1024}' "/proc/$pid/status")" \
        "VmHWM of the standalone JVM (etcd not included)"
    stop
    rm -rf "$DIR"
}

wal_bytes() { find "$DIR/storage" -type d -name wal -print0 | xargs -0 -r du -s -B1 | awk '{s += $1} END {printf "%.0f", s}'; }

case "${1:-}" in
    start) start ;; stop) stop ;;
    run) run "${2:?mode int|float}" ;;
    *) echo "usage: $0 start|stop|run int|float" >&2; exit 2 ;;
esac
