#!/usr/bin/env bash
# InfluxDB 1.x (Debian package influxdb), bound to 127.0.0.1:8086 (HTTP) and 127.0.0.1:8088 (RPC), TSM engine.
# usage: influxdb.sh start|stop|run MODE   (run = fresh data dir, start, load, wait for compaction, size, queries, stop)
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

PEER=influxdb
PORT="${INFLUX_PORT:-8086}"
URL="http://127.0.0.1:$PORT"
DIR="$WORK/influx-data"
PIDF="$WORK/influx.pid"
VERSION="$(dpkg-query -W -f '${Version}' influxdb 2>/dev/null || echo unknown)"
DB=benchmark

start() {
    mkdir -p "$DIR"
    # reporting-disabled: no usage report leaves the machine. Snapshot/compaction cold durations are shortened so
    # the on-disk size can be measured after a full compaction within minutes (defaults: 10m and 4h).
    cat > "$WORK/influxdb.conf" <<CONF
reporting-disabled = true
bind-address = "127.0.0.1:$((PORT + 2))"
[meta]
  dir = "$DIR/meta"
[data]
  dir = "$DIR/data"
  wal-dir = "$DIR/wal"
  index-version = "inmem"
  cache-max-memory-size = "2g"
  cache-snapshot-write-cold-duration = "10s"
  compact-full-write-cold-duration = "30s"
  query-log-enabled = false
[coordinator]
  query-timeout = "0s"
[retention]
  enabled = false
[monitor]
  store-enabled = false
[http]
  enabled = true
  bind-address = "127.0.0.1:$PORT"
  log-enabled = false
  max-body-size = 0
[continuous_queries]
  enabled = false
[subscriber]
  enabled = false
CONF
    nohup influxd -config "$WORK/influxdb.conf" > "$WORK/influx.log" 2>&1 &
    echo $! > "$PIDF"
    wait_http "$URL/ping" 60
    log "$PEER started pid $(cat "$PIDF")"
}

stop() { stop_pidfile; }

q() { # q INFLUXQL
    curl -s -o "$WORK/last-response.json" -w '%{http_code} %{time_total}' --max-time "$QUERY_TIMEOUT_S" \
        -G "$URL/query" --data-urlencode "db=$DB" --data-urlencode "q=$1"
}
MAXALL="max(usage_user),max(usage_system),max(usage_idle),max(usage_nice),max(usage_iowait),max(usage_irq),max(usage_softirq),max(usage_steal),max(usage_guest),max(usage_guest_nice)"
# The TSBS InfluxDB query shapes (InfluxQL).
q_single() {
    local h f; h=$(rand_host); f=$(rand_from "$S" 3600 60)
    q "SELECT max(usage_user) FROM cpu WHERE hostname = '$h' AND time >= '$(iso "$f")' AND time < '$(iso $((f + 3600)))' GROUP BY time(1m)"
}
q_maxall() {
    local h f; h=$(rand_host); f=$(rand_from "$S" $((8 * 3600)) 3600)
    q "SELECT $MAXALL FROM cpu WHERE hostname = '$h' AND time >= '$(iso "$f")' AND time < '$(iso $((f + 8 * 3600)))' GROUP BY time(1h)"
}
q_double() {
    local f; f=$(rand_from "$S" $((12 * 3600)) 3600)
    q "SELECT mean(usage_user) FROM cpu WHERE time >= '$(iso "$f")' AND time < '$(iso $((f + 12 * 3600)))' GROUP BY time(1h), hostname"
}
q_lastpoint() { q 'SELECT * FROM cpu GROUP BY hostname ORDER BY time DESC LIMIT 1'; }

run() {
    local mode=$1 r secs points pps size
    split_data "$mode"
    S=$(data_start_s "$mode")
    stop; rm -rf "$DIR"; start
    curl -sf -XPOST "$URL/query" --data-urlencode "q=CREATE DATABASE $DB" > /dev/null
    log "$PEER $mode: loading"
    r=$(load_chunks "$mode" "$URL/write?db=$DB&precision=ns")
    read -r secs points pps <<< "$r"
    log "$PEER $mode: $points points in $secs s = $pps points/s"
    record "$PEER" "$VERSION" "$mode" ingest_points_per_s "$pps" "secs=$secs points=$points streams=$STREAMS chunk=$CHUNK_LINES"
    # 1.x has no flush endpoint: the cache is snapshotted to TSM after 10s without writes and shards are fully
    # compacted after 30s cold; wait until the data dir stops changing (bounded).
    sleep 40
    size=$(wait_stable_size 900 30 "$DIR/data" "$DIR/wal")
    log "$PEER $mode: $size bytes (data $(disk_bytes "$DIR/data"), wal $(disk_bytes "$DIR/wal"))"
    record "$PEER" "$VERSION" "$mode" bytes_on_disk "$size" "data=$(disk_bytes "$DIR/data") wal=$(disk_bytes "$DIR/wal") tsm_files=$(find "$DIR/data" -name '*.tsm' | wc -l)"
    record "$PEER" "$VERSION" "$mode" bytes_per_point "$(awk -v a="$size" -v p="$points" 'BEGIN{printf "%.3f", a/p}')"
    curl -s -G "$URL/query" --data-urlencode "db=$DB" --data-urlencode 'q=SELECT count(usage_user) FROM cpu' > "$WORK/influx-count.json"
    log "$PEER count(usage_user): $(cat "$WORK/influx-count.json")"
    run_queries "$PEER" "$VERSION" "$mode"
    record_peak_rss "$PEER" "$VERSION" "$mode" "$(cat "$PIDF")"
    stop
    rm -rf "$DIR"
}

case "${1:-}" in
    start) start ;; stop) stop ;;
    run) run "${2:?mode int|float}" ;;
    *) echo "usage: $0 start|stop|run int|float" >&2; exit 2 ;;
esac
