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
echo "| peer | version | values | ingest points/s | bytes/point | peak RSS MiB | single-groupby-1-1-1 ms | cpu-max-all-1 ms | double-groupby-1 ms | lastpoint ms | answers agree | rounds |"
echo "|---|---|---|---:|---:|---:|---:|---:|---:|---:|---|---:|"
echo "$long" | awk -F'\t' '{ k = $1 "\t" $2 "\t" $3; keys[k] = 1; v[k, $4] = $5; r[k] = ($6 > r[k]) ? $6 : r[k]
    if ($4 ~ /^answers_agree:/) { asked[k]++; agreed[k] += ($5 == 1) } }
END {
    for (k in keys) {
        split(k, p, "\t")
        rss = v[k, "peak_rss_bytes"] == "" ? "" : sprintf("%.0f", v[k, "peak_rss_bytes"] / 1048576)
        agree = asked[k] ? agreed[k] "/" asked[k] " shapes" : ""
        printf "| %s | %s | %s | %.0f | %.3f | %s | %s | %s | %s | %s | %s | %d |\n", p[1], p[2], p[3],
            v[k, "ingest_points_per_s"], v[k, "bytes_per_point"], rss, v[k, "query_ms:single-groupby-1-1-1"],
            v[k, "query_ms:cpu-max-all-1"], v[k, "query_ms:double-groupby-1"], v[k, "query_ms:lastpoint"], agree, r[k]
    }
}' | sort
echo
# Meridian against the best of the other peers, figure by figure (> 1 is better for ingest, < 1 for the rest)
echo "| values | figure | Meridian | best peer | Meridian / best |"
echo "|---|---|---:|---|---:|"
echo "$long" | awk -F'\t' '
    function fmt(x) { return x >= 1000 ? sprintf("%.0f", x) : sprintf("%.4g", x) }
    $4 == "ingest_points_per_s" || $4 == "bytes_per_point" || $4 == "peak_rss_bytes" || $4 ~ /^query_ms:/ {
        if ($1 == "meridian") { m[$3, $4] = $5; figs[$3, $4] = 1; next }
        higher = ($4 == "ingest_points_per_s")
        if (!(($3, $4) in best) || (higher ? $5 > best[$3, $4] : $5 < best[$3, $4])) { best[$3, $4] = $5; who[$3, $4] = $1 }
    }
    END {
        for (f in figs) {
            split(f, p, SUBSEP)
            if (!(f in best) || best[f] == 0) continue
            printf "| %s | %s | %s | %s %s | %.2f |\n", p[1], p[2], fmt(m[f]), who[f], fmt(best[f]), m[f] / best[f]
        }
    }' | sort
echo
echo "| peer | version | values | metric | median over rounds | rounds | each round |"
echo "|---|---|---|---|---:|---:|---|"
echo "$long" | awk -F'\t' '{ printf "| %s | %s | %s | %s | %s | %s | %s |\n", $1, $2, $3, $4, $5, $6, $7 }'
