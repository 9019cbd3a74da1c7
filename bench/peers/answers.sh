#!/usr/bin/env bash
# Do the peers answer the same? The last timed run of each query shape asked every peer the same question (the
# random host and range come from one seeded sequence, common.sh), and its answer is kept as
# $WORK/sample-<peer>-<mode>-<shape>.json. This turns each into "key<TAB>value" lines and compares every peer with
# the first one named (Meridian in run-all.sh), key by key, values within 1e-6 relative:
#   single-groupby-1-1-1  key = bucket start (epoch s)            value = max(usage_user)
#   cpu-max-all-1         key = bucket start/field                value = max(field)
#   double-groupby-1      key = bucket start/hostname             value = avg(usage_user)
#   lastpoint             key = hostname                          value = the last usage_user
# VictoriaMetrics stamps a bucket with its end (its windows are (t - step, t]), so its keys are t - step.
# Prints one line per shape and peer, and records answers_agree:<shape> (1 or 0) with the differing keys counted.
# usage: answers.sh MODE PEER...
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

# normalize PEER SHAPE FILE: prints the answer's "key<TAB>value" lines, sorted
normalize() {
    local peer=$1 shape=$2 file=$3 step
    case $shape in single-groupby-1-1-1) step=60 ;; *) step=3600 ;; esac
    case $peer in
        meridian) # POST /api/v1/sql: {"columns":[{"name":...}],"rows":[[...]]}
            jq -r --arg shape "$shape" '
                def epoch: sub("\\.[0-9]+Z$"; "Z") | fromdateiso8601;
                [.columns[].name] as $c | .rows[] |
                if $shape == "single-groupby-1-1-1" then "\(.[0] | epoch)\t\(.[1])"
                elif $shape == "cpu-max-all-1" then . as $r | range(1; $c | length) | "\($r[0] | epoch)/\($c[.])\t\($r[.])"
                elif $shape == "double-groupby-1" then "\(.[0] | epoch)/\(.[1])\t\(.[2])"
                else "\(.[0])\t\(.[1])" end' "$file" ;;
        questdb) # /exec: {"columns":[...],"dataset":[[...]]}
            jq -r --arg shape "$shape" '
                def epoch: sub("\\.[0-9]+Z$"; "Z") | fromdateiso8601;
                [.columns[].name | sub("^max\\((?<f>.*)\\)$"; "\(.f)")] as $c | .dataset[] |
                if $shape == "single-groupby-1-1-1" then "\(.[0] | epoch)\t\(.[1])"
                elif $shape == "cpu-max-all-1" then . as $r | range(1; $c | length) | "\($r[0] | epoch)/\($c[.])\t\($r[.])"
                elif $shape == "double-groupby-1" then "\(.[0] | epoch)/\(.[1])\t\(.[2])"
                else . as $r | "\($r[$c | index("hostname")])\t\($r[$c | index("usage_user")])" end' "$file" ;;
        influxdb) # /query: {"results":[{"series":[{"name","tags","columns","values"}]}]}
            jq -r --arg shape "$shape" '
                def epoch: sub("\\.[0-9]+Z$"; "Z") | fromdateiso8601;
                # max(a), max(b) come back as columns max, max_1, ...: named by their place in the query
                ["time", "usage_user", "usage_system", "usage_idle", "usage_nice", "usage_iowait", "usage_irq",
                    "usage_softirq", "usage_steal", "usage_guest", "usage_guest_nice"] as $fields |
                .results[0].series[] | . as $s |
                (if $shape == "cpu-max-all-1" then $fields else .columns end) as $c | .values[] |
                if $shape == "single-groupby-1-1-1" then "\(.[0] | epoch)\t\(.[1])"
                elif $shape == "cpu-max-all-1" then . as $r | range(1; $c | length) | "\($r[0] | epoch)/\($c[.])\t\($r[.])"
                elif $shape == "double-groupby-1" then "\(.[0] | epoch)/\($s.tags.hostname)\t\(.[1])"
                else "\($s.tags.hostname)\t\(.[$c | index("usage_user")])" end' "$file" ;;
        victoria-metrics) # query_range / query: {"data":{"result":[{"metric":{...},"values":[[t,"v"]]}]}}
            jq -r --arg shape "$shape" --argjson step "$step" '
                def start: (. + 0.5 | floor) - $step;
                .data.result[] | .metric as $m |
                if $shape == "single-groupby-1-1-1" then .values[] | "\(.[0] | start)\t\(.[1])"
                elif $shape == "cpu-max-all-1" then .values[] | "\(.[0] | start)/\($m.__name__ | sub("^cpu_"; ""))\t\(.[1])"
                elif $shape == "double-groupby-1" then .values[] | "\(.[0] | start)/\($m.hostname)\t\(.[1])"
                elif $m.__name__ == "cpu_usage_user" then "\($m.hostname)\t\(.value[1])"
                else empty end' "$file" ;;
        *) return 1 ;;
    esac | LC_ALL=C sort
}

# compare REF OTHER: prints "keys differing" (a key missing on either side, or a value off by more than 1e-6 relative)
compare() {
    LC_ALL=C join -t $'\t' -a 1 -a 2 -e MISSING -o 0,1.2,2.2 "$1" "$2" | awk -F'\t' '
        $2 == "MISSING" || $3 == "MISSING" { bad++; next }
        { d = $2 - $3; if (d < 0) d = -d; m = ($2 < 0 ? -$2 : $2); if (m < 1) m = 1; if (d > 1e-6 * m) bad++ }
        END { print bad + 0, NR }'
}

mode=${1:?mode int|float}; shift
peers=("$@")
ref=${peers[0]:?peers}
for shape in single-groupby-1-1-1 cpu-max-all-1 double-groupby-1 lastpoint; do
    reff="$WORK/answer-$ref-$mode-$shape.tsv"
    sample="$WORK/sample-$ref-$mode-$shape.json"
    [[ -s $sample ]] || { log "answers: no $ref answer for $shape"; continue; }
    normalize "$ref" "$shape" "$sample" > "$reff"
    for p in "${peers[@]:1}"; do
        sample="$WORK/sample-$p-$mode-$shape.json"
        [[ -s $sample ]] || continue
        normalize "$p" "$shape" "$sample" > "$WORK/answer-$p-$mode-$shape.tsv" || { log "answers: cannot read $p"; continue; }
        read -r bad keys <<< "$(compare "$reff" "$WORK/answer-$p-$mode-$shape.tsv")"
        ok=$([[ $bad == 0 && $keys -gt 0 ]] && echo 1 || echo 0)
        echo "answers $mode $shape: $p against $ref: $keys keys, $bad differ"
        ver=$(awk -F'\t' -v p="$p" -v m="$mode" '$2 == p && $4 == m { v = $3 } END { print v }' "$RESULTS" 2>/dev/null || true)
        record "$p" "${ver:-unknown}" "$mode" "answers_agree:$shape" "$ok" "against $ref: $keys keys, $bad differ"
    done
done
