package io.meridian.storage.memtable;

/**
 * Stable sort of parallel (timestamp, value) arrays by timestamp: a natural merge sort. A memtable buffer's points
 * arrive as sorted runs (each write request's rows of a series are in time order; concurrent requests interleave
 * them), so the sort finds those runs first and merges neighbours pass after pass, alternating between the arrays
 * and a scratch pair rather than copying back after every pass. Two runs already in order are copied, not merged.
 * An ordered buffer costs one scan; {@code r} runs cost {@code ceil(log2 r)} passes.
 */
final class PointSort {
    private PointSort() {}

    static void sort(long[] ts, double[] vs, int n) {
        int runs = 1;
        for (int i = 1; i < n; i++) {
            if (ts[i] < ts[i - 1]) {
                runs++;
            }
        }
        if (runs == 1) {
            return;
        }
        // bounds[r] is where run r starts; bounds[runs] = n
        int[] bounds = new int[runs + 1];
        for (int i = 1, r = 1; i < n; i++) {
            if (ts[i] < ts[i - 1]) {
                bounds[r++] = i;
            }
        }
        bounds[runs] = n;
        long[] fromTs = ts;
        double[] fromVs = vs;
        long[] toTs = new long[n];
        double[] toVs = new double[n];
        while (runs > 1) {
            int merged = 0;
            for (int r = 0; r < runs; r += 2) {
                int lo = bounds[r];
                int mid = bounds[Math.min(r + 1, runs)];
                int hi = bounds[Math.min(r + 2, runs)];
                merge(fromTs, fromVs, lo, mid, hi, toTs, toVs);
                bounds[merged++] = lo; // r >= 2 * merged: the bounds still to be read are not overwritten
            }
            bounds[merged] = n;
            runs = merged;
            long[] t = fromTs;
            fromTs = toTs;
            toTs = t;
            double[] v = fromVs;
            fromVs = toVs;
            toVs = v;
        }
        if (fromTs != ts) {
            System.arraycopy(fromTs, 0, ts, 0, n);
            System.arraycopy(fromVs, 0, vs, 0, n);
        }
    }

    /** Merges the sorted {@code [lo, mid)} and {@code [mid, hi)} of the first pair into the second; ties keep order. */
    private static void merge(long[] ts, double[] vs, int lo, int mid, int hi, long[] outTs, double[] outVs) {
        if (mid >= hi || ts[mid - 1] <= ts[mid]) {
            System.arraycopy(ts, lo, outTs, lo, hi - lo);
            System.arraycopy(vs, lo, outVs, lo, hi - lo);
            return;
        }
        int i = lo;
        int j = mid;
        int k = lo;
        while (i < mid && j < hi) {
            if (ts[j] < ts[i]) {
                outTs[k] = ts[j];
                outVs[k++] = vs[j++];
            } else {
                outTs[k] = ts[i];
                outVs[k++] = vs[i++];
            }
        }
        int left = mid - i;
        System.arraycopy(ts, i, outTs, k, left);
        System.arraycopy(vs, i, outVs, k, left);
        k += left;
        System.arraycopy(ts, j, outTs, k, hi - j);
        System.arraycopy(vs, j, outVs, k, hi - j);
    }
}
