#!/usr/bin/env bash
# Summarizes results-rN.tsv files (one per round) into markdown: a wide table (median over rounds of each figure)
# and a long one with every round's value.
# usage: summarize.sh results-r1.tsv [results-r2.tsv ...]
set -euo pipefail
long=$(awk -F'\t' 'FNR > 1 { k = $2 "\t" $3 "\t" $4 "\t" $5; n[k]++; v[k, n[k]] = $6 }
END {
    for (k in n) {
        m = n[k]; for (i = 1; i <= m; i++) a[i] = v[k, i] + 0
        for (i = 2; i <= m; i++) { x = a[i]; j = i - 1; while (j > 0 && a[j] > x) { a[j + 1] = a[j]; j-- } a[j + 1] = x }
        med = (m % 2) ? a[(m + 1) / 2] : (a[m / 2] + a[m / 2 + 1]) / 2
        all = ""; for (i = 1; i <= m; i++) all = all (i > 1 ? ", " : "") v[k, i]
        print k "\t" med "\t" m "\t" all
    }
}' "$@" | sort)
echo "| peer | version | values | ingest points/s | bytes/point | single-groupby-1-1-1 ms | cpu-max-all-1 ms | double-groupby-1 ms | lastpoint ms | rounds |"
echo "|---|---|---|---:|---:|---:|---:|---:|---:|---:|"
echo "$long" | awk -F'\t' '{ k = $1 "\t" $2 "\t" $3; keys[k] = 1; v[k, $4] = $5; r[k] = ($6 > r[k]) ? $6 : r[k] }
END {
    for (k in keys) {
        split(k, p, "\t")
        printf "| %s | %s | %s | %.0f | %.3f | %s | %s | %s | %s | %d |\n", p[1], p[2], p[3], v[k, "ingest_points_per_s"],
            v[k, "bytes_per_point"], v[k, "query_ms:single-groupby-1-1-1"], v[k, "query_ms:cpu-max-all-1"],
            v[k, "query_ms:double-groupby-1"], v[k, "query_ms:lastpoint"], r[k]
    }
}' | sort
echo
echo "| peer | version | values | metric | median over rounds | rounds | each round |"
echo "|---|---|---|---|---:|---:|---|"
echo "$long" | awk -F'\t' '{ printf "| %s | %s | %s | %s | %s | %s | %s |\n", $1, $2, $3, $4, $5, $6, $7 }'
