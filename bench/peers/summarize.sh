#!/usr/bin/env bash
# Summarizes results-*.tsv files into a markdown table (median over rounds of each figure).
# usage: summarize.sh results-r1.tsv [results-r2.tsv ...]
awk -F'\t' 'FNR > 1 { k = $2 "\t" $3 "\t" $4 "\t" $5; n[k]++; v[k, n[k]] = $6 }
END {
    for (k in n) {
        m = n[k]; for (i = 1; i <= m; i++) a[i] = v[k, i] + 0
        for (i = 2; i <= m; i++) { x = a[i]; j = i - 1; while (j > 0 && a[j] > x) { a[j + 1] = a[j]; j-- } a[j + 1] = x }
        med = (m % 2) ? a[(m + 1) / 2] : (a[m / 2] + a[m / 2 + 1]) / 2
        all = ""; for (i = 1; i <= m; i++) all = all (i > 1 ? "," : "") v[k, i]
        print k "\t" med "\t" m "\t" all
    }
}' "$@" | sort | awk -F'\t' 'BEGIN { print "| peer | version | mode | metric | median over runs | runs | each run |"; print "|---|---|---|---|---|---|---|" }
{ printf "| %s | %s | %s | %s | %s | %s | %s |\n", $1, $2, $3, $4, $5, $6, $7 }'
