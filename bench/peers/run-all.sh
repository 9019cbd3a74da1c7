#!/usr/bin/env bash
# Runs every peer, one at a time, for both value modes, ROUNDS times (rounds FIRST_ROUND..). Results: $WORK/results-rN.tsv.
# usage: run-all.sh [peer ...]   (default: victoria-metrics influxdb questdb)
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
ROUNDS="${ROUNDS:-1}"
FIRST_ROUND="${FIRST_ROUND:-1}"   # to add rounds to an earlier run
MODES="${MODES:-int float}"
peers=("$@"); ((${#peers[@]})) || peers=(victoria-metrics influxdb questdb)
for m in $MODES; do make_data "$m"; split_data "$m"; done
for ((round = FIRST_ROUND; round < FIRST_ROUND + ROUNDS; round++)); do
    for p in "${peers[@]}"; do
        for m in $MODES; do
            log "round $round: $p $m"
            RESULTS="$WORK/results-r$round.tsv" "$PEERS_DIR/$p.sh" run "$m" || log "round $round: $p $m FAILED"
        done
    done
    for m in $MODES; do RESULTS="$WORK/results-r$round.tsv" "$PEERS_DIR/answers.sh" "$m" "${peers[@]}"; done
done
"$PEERS_DIR/summarize.sh" "$WORK"/results-r*.tsv
