package io.meridian.storage.memtable;

/** Stable merge sort of parallel (timestamp, value) arrays by timestamp. */
final class PointSort {
    private PointSort() {}

    static void sort(long[] ts, double[] vs, int n) {
        long[] tTmp = new long[n];
        double[] vTmp = new double[n];
        for (int width = 1; width < n; width <<= 1) {
            for (int lo = 0; lo < n; lo += 2 * width) {
                int mid = Math.min(lo + width, n);
                int hi = Math.min(lo + 2 * width, n);
                if (mid >= hi || ts[mid - 1] <= ts[mid]) {
                    System.arraycopy(ts, lo, tTmp, lo, hi - lo);
                    System.arraycopy(vs, lo, vTmp, lo, hi - lo);
                    continue;
                }
                int i = lo;
                int j = mid;
                int k = lo;
                while (i < mid && j < hi) {
                    if (ts[j] < ts[i]) {
                        tTmp[k] = ts[j];
                        vTmp[k++] = vs[j++];
                    } else {
                        tTmp[k] = ts[i];
                        vTmp[k++] = vs[i++];
                    }
                }
                while (i < mid) {
                    tTmp[k] = ts[i];
                    vTmp[k++] = vs[i++];
                }
                while (j < hi) {
                    tTmp[k] = ts[j];
                    vTmp[k++] = vs[j++];
                }
            }
            System.arraycopy(tTmp, 0, ts, 0, n);
            System.arraycopy(vTmp, 0, vs, 0, n);
        }
    }
}
