#!/usr/bin/env bash
# The front doors against VictoriaMetrics in one run (issue 15): Prometheus remote-write ingest, and the latency of
# a Grafana time-series panel (InfluxQL over /query, as Grafana's InfluxDB data source sends it) against
# VictoriaMetrics' equivalent PromQL query_range. Needs a running Meridian broker (MERIDIAN_URL, e.g. a standalone)
# and starts VictoriaMetrics itself (Debian package) on 127.0.0.1:$VM_PORT with a fresh data directory.
#   HOSTS=100 HOURS=24 bench/peers/front-doors.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

MERIDIAN_URL="${MERIDIAN_URL:-http://127.0.0.1:8080}"
VM_PORT="${VM_PORT:-8428}"
VM_URL="http://127.0.0.1:$VM_PORT"
PROM_MINUTES="${PROM_MINUTES:-30}"
JAR="$REPO_DIR/bench/target/meridian-bench.jar"

VM_DIR="$WORK/front-doors-vm"
rm -rf "$VM_DIR"; mkdir -p "$VM_DIR"
victoria-metrics -httpListenAddr="127.0.0.1:$VM_PORT" -storageDataPath="$VM_DIR" -retentionPeriod=100y \
    -search.disableCache > "$WORK/front-doors-vm.log" 2>&1 &
VM_PID=$!
trap 'kill $VM_PID 2>/dev/null || true' EXIT
wait_http "$VM_URL/health" 60

ddl() { curl -s -o /dev/null -w '%{http_code}' -XPOST "$MERIDIAN_URL/api/v1/databases" -d "$1"; }

# 1. Prometheus remote write, the same bodies to both, three rounds (a fresh Meridian database each round)
for round in 1 2 3; do
    ddl '{"name":"prom'$round'","shards":2,"replicas":1,"intervals":[{"interval":"10s","retention":"30d"}]}' >/dev/null
    java -Xmx2g -jar "$JAR" prom-write --minutes "$PROM_MINUTES" \
        "$MERIDIAN_URL/api/v1/prom/write?db=prom$round" "$VM_URL/api/v1/write" | tee -a "$WORK/front-doors-prom.txt"
done

# 2. a Grafana panel over HOSTS hosts x HOURS h: load the TSBS cpu-only data into both, then time the panel query
make_data float
split_data float
ddl '{"name":"tsbs","shards":2,"replicas":1,"intervals":[{"interval":"10s","retention":"30d"}]}' >/dev/null
load() { # load URL
    local t0; t0=$(date +%s.%N)
    ls "$(chunk_dir float)"/c* | xargs -P "$STREAMS" -I{} curl -s -o /dev/null -w '%{http_code}\n' \
        --data-binary @{} "$1" | sort | uniq -c >&2
    echo "$(date +%s.%N) - $t0" | bc
}
log "loading Meridian"; M_LOAD=$(load "$MERIDIAN_URL/write?db=tsbs&precision=ns")
log "loading VictoriaMetrics"; V_LOAD=$(load "$VM_URL/write?precision=ns")
curl -s "$VM_URL/internal/force_flush" >/dev/null
S=$(data_start_s float)
RANDOM=42
# untimed panel queries first: both servers just took a load (Meridian may still flush and compact it) and the
# panel's code path is cold. Two figures: after PANEL_WARMUP queries (a JVM still compiling the query path, as
# just after a restart), and after PANEL_WARM more (steady state, what a dashboard refreshing all day meets; the JIT
# compiles Calcite's execution path for the first ~3,000 panel queries). VictoriaMetrics gets the same queries.
PANEL_WARMUP="${PANEL_WARMUP:-200}"
PANEL_WARM="${PANEL_WARM:-3000}"
panel_times() { # panel_times meridian|vm WARMUP -> one time_total per line of the last QUERY_RUNS
    local h f i
    for ((i = 0; i < QUERY_RUNS + $2; i++)); do
        h="host_$((RANDOM % HOSTS))"; f=$((S + (RANDOM % (HOURS - 1)) * 3600))
        if [[ $1 == meridian ]]; then
            curl -s -o "$WORK/front-doors-last-meridian.json" -w '%{time_total}\n' -G "$MERIDIAN_URL/query" \
                --data-urlencode db=tsbs --data-urlencode epoch=ms --data-urlencode "q=SELECT max(\"usage_user\") FROM \"cpu\" WHERE (\"hostname\"::tag = '$h') AND time >= $((f * 1000))ms and time <= $(((f + 3600) * 1000 - 1))ms GROUP BY time(1m) fill(null)"
        else
            curl -s -o "$WORK/front-doors-last-vm.json" -w '%{time_total}\n' "$VM_URL/api/v1/query_range" \
                --data-urlencode "query=max(max_over_time(cpu_usage_user{hostname='$h'}[1m]))" \
                --data-urlencode "start=$((f + 60))" --data-urlencode "end=$((f + 3600))" --data-urlencode step=60s \
                --data-urlencode nocache=1
        fi
    done | tail -n "$QUERY_RUNS"
}
median() { sort -g | awk '{a[NR]=$1} END {print (NR % 2 ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2) * 1000}'; }
M_MED=$(panel_times meridian "$PANEL_WARMUP" | median)
V_MED=$(panel_times vm "$PANEL_WARMUP" | median)
M_WARM=$(panel_times meridian "$PANEL_WARM" | median)
V_WARM=$(panel_times vm "$PANEL_WARM" | median)
grep -q '"values":\[\[' "$WORK/front-doors-last-meridian.json" || log "Meridian's last panel answer has no values"
grep -q '"values":\[\[' "$WORK/front-doors-last-vm.json" || log "VictoriaMetrics' last panel answer has no values"
printf 'load s: meridian %.1f, victoria-metrics %.1f (%s hosts x %s h, %s streams)\n' "$M_LOAD" "$V_LOAD" "$HOSTS" "$HOURS" "$STREAMS"
printf 'grafana panel median ms (%s runs after %s warm-up queries): meridian /query %.2f, victoria-metrics query_range %.2f, ratio %.2f\n' \
    "$QUERY_RUNS" "$PANEL_WARMUP" "$M_MED" "$V_MED" "$(echo "$M_MED / $V_MED" | bc -l)"
printf 'grafana panel median ms (%s runs after %s more, warm): meridian /query %.2f, victoria-metrics query_range %.2f, ratio %.2f\n' \
    "$QUERY_RUNS" "$PANEL_WARM" "$M_WARM" "$V_WARM" "$(echo "$M_WARM / $V_WARM" | bc -l)"
