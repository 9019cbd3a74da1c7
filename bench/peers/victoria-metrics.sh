#!/usr/bin/env bash
# VictoriaMetrics (Debian package victoria-metrics), single node, bound to 127.0.0.1:8428.
# usage: victoria-metrics.sh start|stop|run MODE   (run = fresh data dir, start, load, flush/merge, size, queries, stop)
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

PEER=victoria-metrics
PORT="${VM_PORT:-8428}"
URL="http://127.0.0.1:$PORT"
DIR="$WORK/vm-data"
PIDF="$WORK/vm.pid"
VERSION="$(dpkg-query -W -f '${Version}' victoria-metrics 2>/dev/null || echo unknown)"

start() {
    mkdir -p "$DIR"
    # -search.disableCache: no rollup result cache, every timed query reads storage.
    # -retentionPeriod=100y: the data set is in the past, keep it. Other listeners (graphite, opentsdb, influx TCP)
    # are off unless their flags are given.
    nohup victoria-metrics -httpListenAddr="127.0.0.1:$PORT" -storageDataPath="$DIR" -retentionPeriod=100y \
        -search.disableCache -search.maxSamplesPerQuery=1000000000 -search.maxQueryDuration=120s \
        > "$WORK/vm.log" 2>&1 &
    echo $! > "$PIDF"
    wait_http "$URL/health" 60
    log "$PEER started pid $(cat "$PIDF")"
}

stop() { stop_pidfile; }

q() { # q PATH QUERY [extra --data-urlencode args...]
    local path=$1 query=$2; shift 2
    curl -s -o "$WORK/last-response.json" -w '%{http_code} %{time_total}' --max-time "$QUERY_TIMEOUT_S" \
        "$URL$path" --data-urlencode "query=$query" --data-urlencode nocache=1 "$@"
}
FIELDS='usage_user|usage_system|usage_idle|usage_nice|usage_iowait|usage_irq|usage_softirq|usage_steal|usage_guest|usage_guest_nice'
# The TSBS VictoriaMetrics query shapes (MetricsQL over /api/v1/query_range).
q_single() {
    local h f; h=$(rand_host); f=$(rand_from "$S" 3600 60)
    q /api/v1/query_range "max(max_over_time(cpu_usage_user{hostname='$h'}[1m])) by (__name__)" \
        --data-urlencode "start=$((f + 59)).999" --data-urlencode "end=$((f + 3599)).999" --data-urlencode step=60s
}
q_maxall() {
    local h f; h=$(rand_host); f=$(rand_from "$S" $((8 * 3600)) 3600)
    q /api/v1/query_range "max(max_over_time({__name__=~'cpu_($FIELDS)', hostname='$h'}[1h])) by (__name__)" \
        --data-urlencode "start=$((f + 3599)).999" --data-urlencode "end=$((f + 8 * 3600 - 1)).999" --data-urlencode step=1h
}
q_double() {
    local f; f=$(rand_from "$S" $((12 * 3600)) 3600)
    q /api/v1/query_range "avg(avg_over_time(cpu_usage_user[1h])) by (hostname)" \
        --data-urlencode "start=$((f + 3599)).999" --data-urlencode "end=$((f + 12 * 3600 - 1)).999" --data-urlencode step=1h
}
# lastpoint: PromQL has no unbounded "latest"; an instant query at the end of the data with a 10m look-back
# returns the last sample of each of the 10,000 series (every host x field).
q_lastpoint() {
    q /api/v1/query "last_over_time({__name__=~'cpu_($FIELDS)'}[10m])" --data-urlencode "time=$((S + HOURS * 3600))"
}
# Windows: max_over_time(x[1m]) evaluated at t covers (t-1m, t], so the steps run from from+step to from+span, each
# 1 ms early: the step at from+step-1ms covers [from, from+step) of raw samples, the bucket of the SQL/InfluxQL shapes
# (without the 1 ms it would take the sample on the bucket's end instead of the one on its start; answers.sh compares).

run() {
    local mode=$1 r secs points pps size1 size2
    split_data "$mode"
    S=$(data_start_s "$mode")
    stop; rm -rf "$DIR"; start
    log "$PEER $mode: loading"
    r=$(load_chunks "$mode" "$URL/write?db=benchmark&precision=ns")
    read -r secs points pps <<< "$r"
    log "$PEER $mode: $points points in $secs s = $pps points/s"
    record "$PEER" "$VERSION" "$mode" ingest_points_per_s "$pps" "secs=$secs points=$points streams=$STREAMS chunk=$CHUNK_LINES"
    curl -sf "$URL/internal/force_flush" > /dev/null || log "force_flush not supported"
    size1=$(wait_stable_size 120 10 "$DIR")
    log "$PEER $mode: after flush $size1 bytes"
    curl -sf "$URL/internal/force_merge?partition_prefix=$(date -u -d "@$S" +%Y_%m)" > /dev/null || log "force_merge failed"
    sleep 5
    size2=$(wait_stable_size 600 15 "$DIR")
    log "$PEER $mode: after force_merge $size2 bytes"
    record "$PEER" "$VERSION" "$mode" bytes_on_disk "$size2" "after_flush=$size1 data=$(disk_bytes "$DIR/data") indexdb=$(disk_bytes "$DIR/indexdb")"
    record "$PEER" "$VERSION" "$mode" bytes_per_point "$(awk -v a="$size2" -v p="$points" 'BEGIN{printf "%.3f", a/p}')"
    # sanity: number of series and one sample query
    curl -s "$URL/api/v1/series/count" > "$WORK/vm-series-count.json" || true
    log "$PEER series: $(cat "$WORK/vm-series-count.json")"
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
