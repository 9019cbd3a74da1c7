package io.meridian.storage.part;

import io.meridian.storage.file.FileIo;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Merges the parts of one (segment, interval) into one part: a k-way merge over their sorted block
 * indexes; blocks of the same (series, field) merge slot by slot with the field type's merge rule.
 * Not thread-safe; the shard runs one compaction at a time.
 */
final class Compactor {
    private final FileIo io;

    Compactor(FileIo io) {
        this.io = io;
    }

    /** Writes the merged part to {@code target} and returns it finished. */
    void merge(List<PartReader> inputs, Path target) {
        BlockCodec codec = new BlockCodec();
        PartReader first = inputs.get(0);
        int[] pos = new int[inputs.size()];
        try (PartWriter w =
                new PartWriter(io, target, first.intervalMs(), first.segmentStartMs(), first.slotCount(), codec)) {
            while (true) {
                long min = Long.MAX_VALUE;
                for (int k = 0; k < inputs.size(); k++) {
                    if (pos[k] < inputs.get(k).entryCount()) {
                        min = Math.min(min, key(inputs.get(k), pos[k]));
                    }
                }
                if (min == Long.MAX_VALUE) {
                    break;
                }
                List<SlotColumns> same = new ArrayList<>();
                PartReader typeSource = null;
                int typeIndex = -1;
                for (int k = 0; k < inputs.size(); k++) {
                    PartReader p = inputs.get(k);
                    if (pos[k] < p.entryCount() && key(p, pos[k]) == min) {
                        same.add(p.readBlock(pos[k], codec));
                        typeSource = p;
                        typeIndex = pos[k];
                        pos[k]++;
                    }
                }
                SlotColumns merged = same.size() == 1
                        ? same.get(0)
                        : SlotColumns.merge(
                                same.toArray(new SlotColumns[0]), same.get(0).isHistogram());
                w.add((int) (min >>> 32), (int) min, typeSource.typeAt(typeIndex), merged);
            }
            w.finish();
        }
    }

    private static long key(PartReader p, int i) {
        return ((long) p.seriesIdAt(i) << 32) | (p.fieldIdAt(i) & 0xFFFFFFFFL);
    }
}
