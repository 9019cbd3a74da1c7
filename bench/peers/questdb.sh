#!/usr/bin/env bash
# QuestDB (Maven Central org.questdb:questdb, run from the jar as a standalone server), HTTP on 127.0.0.1:9000;
# ILP over HTTP for writes, SQL over /exec for queries. PG wire, ILP/TCP, ILP/UDP, the min HTTP server and
# telemetry are switched off.
# usage: questdb.sh start|stop|run MODE   (run = fresh root dir, start, load, wait for WAL apply, size, queries, stop)
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

PEER=questdb
PORT="${QDB_PORT:-9000}"
URL="http://127.0.0.1:$PORT"
DIR="$WORK/questdb-root"
PIDF="$WORK/questdb.pid"
JAR="${QUESTDB_JAR:-$HOME/.m2/repository/org/questdb/questdb/$QUESTDB_VERSION/questdb-$QUESTDB_VERSION.jar}"
VERSION="$QUESTDB_VERSION"
QDB_HEAP="${QDB_HEAP:-4g}"

start() {
    [[ -f $JAR ]] || { log "no $JAR: run install.sh"; return 1; }
    mkdir -p "$DIR/conf"
    cat > "$DIR/conf/server.conf" <<CONF
http.bind.to=127.0.0.1:$PORT
http.net.bind.to=127.0.0.1:$PORT
http.min.enabled=false
http.min.net.bind.to=127.0.0.1:$((PORT + 3))
pg.enabled=false
pg.net.bind.to=127.0.0.1:8812
line.tcp.enabled=false
line.tcp.net.bind.to=127.0.0.1:9009
line.udp.enabled=false
line.udp.bind.to=127.0.0.1:9009
telemetry.enabled=false
CONF
    nohup java -Xms1g -Xmx"$QDB_HEAP" -XX:+UseParallelGC -p "$JAR" -m io.questdb/io.questdb.ServerMain -d "$DIR" \
        > "$WORK/questdb.log" 2>&1 &
    echo $! > "$PIDF"
    wait_http "$URL/exec?query=select%201" 90
    log "$PEER started pid $(cat "$PIDF")"
}

stop() { stop_pidfile; }

q() { # q SQL
    curl -s -o "$WORK/last-response.json" -w '%{http_code} %{time_total}' --max-time "$QUERY_TIMEOUT_S" \
        -G "$URL/exec" --data-urlencode "query=$1"
}
sql() { curl -s -G "$URL/exec" --data-urlencode "query=$1"; }
MAXALL="max(usage_user), max(usage_system), max(usage_idle), max(usage_nice), max(usage_iowait), max(usage_irq), max(usage_softirq), max(usage_steal), max(usage_guest), max(usage_guest_nice)"
# The TSBS QuestDB query shapes (SQL with SAMPLE BY / LATEST ON).
q_single() {
    local h f; h=$(rand_host); f=$(rand_from "$S" 3600 60)
    q "SELECT timestamp, max(usage_user) FROM cpu WHERE hostname = '$h' AND timestamp >= '$(iso "$f")' AND timestamp < '$(iso $((f + 3600)))' SAMPLE BY 1m"
}
q_maxall() {
    local h f; h=$(rand_host); f=$(rand_from "$S" $((8 * 3600)) 3600)
    q "SELECT timestamp, $MAXALL FROM cpu WHERE hostname = '$h' AND timestamp >= '$(iso "$f")' AND timestamp < '$(iso $((f + 8 * 3600)))' SAMPLE BY 1h"
}
q_double() {
    local f; f=$(rand_from "$S" $((12 * 3600)) 3600)
    q "SELECT timestamp, hostname, avg(usage_user) FROM cpu WHERE timestamp >= '$(iso "$f")' AND timestamp < '$(iso $((f + 12 * 3600)))' SAMPLE BY 1h"
}
q_lastpoint() { q 'SELECT * FROM cpu LATEST ON timestamp PARTITION BY hostname'; }

run() {
    local mode=$1 r secs points pps size i st
    split_data "$mode"
    S=$(data_start_s "$mode")
    stop; rm -rf "$DIR"; start
    log "$PEER $mode: loading"
    r=$(load_chunks "$mode" "$URL/write?precision=n")
    read -r secs points pps <<< "$r"
    log "$PEER $mode: $points points in $secs s = $pps points/s (acknowledged = committed to the WAL)"
    record "$PEER" "$VERSION" "$mode" ingest_points_per_s "$pps" "secs=$secs points=$points streams=$STREAMS chunk=$CHUNK_LINES"
    # WAL tables: wait (bounded) until the apply job has caught up, then squash the split partitions that in-order
    # appends leave behind (ALTER TABLE ... SQUASH PARTITIONS, itself a WAL transaction), wait for the apply again,
    # then for the WAL purge and a stable size.
    local t0=$SECONDS
    wait_applied; log "$PEER $mode: WAL applied $((SECONDS - t0)) s after the last ack"
    record "$PEER" "$VERSION" "$mode" wal_apply_lag_s "$((SECONDS - t0))" "seconds from last ack until writerTxn = sequencerTxn"
    log "$PEER $mode: before squash $(disk_bytes "$DIR/db") bytes, partitions: $(sql "SELECT count() FROM table_partitions('cpu')" | jq -c .dataset)"
    sql "ALTER TABLE cpu SQUASH PARTITIONS" > "$WORK/questdb-squash.json"; log "$PEER squash: $(cat "$WORK/questdb-squash.json")"
    wait_applied
    # VACUUM TABLE asks the purge job to delete partition versions that the squash superseded.
    sql "VACUUM TABLE cpu" > "$WORK/questdb-vacuum.json"; log "$PEER vacuum: $(cat "$WORK/questdb-vacuum.json")"
    sleep 30
    size=$(wait_stable_size 300 15 "$DIR/db")
    log "$PEER $mode: db $size bytes, table dir $(disk_bytes "$(tdir)"), wal $(wal_bytes)"
    record "$PEER" "$VERSION" "$mode" bytes_on_disk_live "$size" "table_dir=$(disk_bytes "$(tdir)") wal=$(wal_bytes) apparent=$(du -s --apparent-size -B1 "$DIR/db" | cut -f1)"
    sql "SELECT count() FROM cpu" > "$WORK/questdb-count.json"; log "$PEER count: $(cat "$WORK/questdb-count.json")"
    sql "SHOW COLUMNS FROM cpu" > "$WORK/questdb-columns.json"
    run_queries "$PEER" "$VERSION" "$mode"
    record_peak_rss "$PEER" "$VERSION" "$mode" "$(cat "$PIDF")"
    stop
    # At rest: the writer closed (files truncated to their used length; VACUUM has removed superseded partition
    # versions), the whole db dir (the table, its remaining WAL segments, QuestDB's small sys tables).
    size=$(disk_bytes "$DIR/db")
    log "$PEER $mode: stopped: db $size bytes, table dir $(disk_bytes "$(tdir)"), wal $(wal_bytes)"
    record "$PEER" "$VERSION" "$mode" bytes_on_disk "$size" "after squash, vacuum and stop: whole db dir; table_dir=$(disk_bytes "$(tdir)") wal=$(wal_bytes) partition_dirs=$(ls -d "$(tdir)"/20* | wc -l)"
    record "$PEER" "$VERSION" "$mode" bytes_per_point "$(awk -v a="$size" -v p="$points" 'BEGIN{printf "%.3f", a/p}')"
    rm -rf "$DIR"
}

tdir() { find "$DIR/db" -maxdepth 1 -type d -name 'cpu*' | head -1; }
wal_bytes() { du -s -B1 "$(tdir)"/wal* 2>/dev/null | awk '{s += $1} END {printf "%.0f\n", s}'; }
wait_applied() { # bounded: 600 s
    local i st
    for ((i = 0; i < 600; i++)); do
        st=$(sql "SELECT sequencerTxn, writerTxn FROM wal_tables() WHERE name = 'cpu'")
        if echo "$st" | jq -e '.dataset[0][0] == .dataset[0][1]' > /dev/null 2>&1; then return 0; fi
        sleep 1
    done
    log "WAL apply did not catch up: $st"
}

case "${1:-}" in
    start) start ;; stop) stop ;;
    run) run "${2:?mode int|float}" ;;
    *) echo "usage: $0 start|stop|run int|float" >&2; exit 2 ;;
esac
