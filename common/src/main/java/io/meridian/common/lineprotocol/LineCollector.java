package io.meridian.common.lineprotocol;

import java.util.ArrayList;
import java.util.List;

/** A visitor that copies every line into a {@link ParsedPoint}: for tests and slow paths only. */
public final class LineCollector implements LineVisitor {
    private final List<ParsedPoint> points = new ArrayList<>();

    @Override
    public void line(LineView line) {
        List<ParsedPoint.Tag> tags = new ArrayList<>(line.tagCount());
        for (int i = 0; i < line.tagCount(); i++) {
            tags.add(new ParsedPoint.Tag(
                    line.tagKey(i).toString(), line.tagValue(i).toString()));
        }
        List<ParsedPoint.Field> fields = new ArrayList<>(line.fieldCount());
        for (int i = 0; i < line.fieldCount(); i++) {
            fields.add(new ParsedPoint.Field(
                    line.fieldKey(i).toString(), line.fieldKind(i), line.fieldValue(i), line.fieldLong(i)));
        }
        points.add(new ParsedPoint(line.measurement().toString(), tags, fields, line.timestampMs()));
    }

    /** The lines so far, in body order. */
    public List<ParsedPoint> points() {
        return List.copyOf(points);
    }

    /** Parses a whole body with a fresh parser; for tests. */
    public static List<ParsedPoint> parseAll(
            LineProtocolParser parser, byte[] body, Precision precision, long defaultTimeMs) {
        LineCollector c = new LineCollector();
        parser.parse(body, 0, body.length, precision, defaultTimeMs, c).throwIfErrors();
        return c.points();
    }
}
