package io.meridian.meta.store;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Records what a watch delivers and keeps the key-value state it implies. Thread-safe. */
final class RecordingListener implements WatchListener {
    private final List<MetaEvent> events = new ArrayList<>();
    private final List<MetaRange> resets = new ArrayList<>();
    private final Map<String, String> state = new TreeMap<>();

    @Override
    public synchronized void onReset(MetaRange range) {
        resets.add(range);
        state.clear();
        range.entries().forEach(e -> state.put(e.key(), e.valueUtf8()));
    }

    @Override
    public synchronized void onEvents(List<MetaEvent> batch) {
        events.addAll(batch);
        for (MetaEvent e : batch) {
            if (e.type() == MetaEvent.Type.PUT) {
                state.put(e.entry().key(), e.entry().valueUtf8());
            } else {
                state.remove(e.entry().key());
            }
        }
    }

    synchronized List<MetaEvent> events() {
        return List.copyOf(events);
    }

    synchronized List<MetaRange> resets() {
        return List.copyOf(resets);
    }

    synchronized Map<String, String> state() {
        return Map.copyOf(state);
    }

    synchronized List<Long> revisions() {
        return events.stream().map(MetaEvent::revision).toList();
    }

    synchronized List<String> putKeys() {
        return events.stream()
                .filter(e -> e.type() == MetaEvent.Type.PUT)
                .map(e -> e.entry().key())
                .toList();
    }
}
