package io.meridian.connector.flink.table;

import io.meridian.connector.flink.MeridianSink;
import io.meridian.connector.flink.MeridianSinkBuilder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;
import org.apache.flink.configuration.ReadableConfig;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.table.api.ValidationException;
import org.apache.flink.table.catalog.Column;
import org.apache.flink.table.catalog.ResolvedSchema;
import org.apache.flink.table.connector.ChangelogMode;
import org.apache.flink.table.connector.sink.DynamicTableSink;
import org.apache.flink.table.connector.sink.SinkV2Provider;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.factories.DynamicTableSinkFactory;
import org.apache.flink.table.factories.FactoryUtil;
import org.apache.flink.table.types.logical.LogicalType;
import org.apache.flink.table.types.logical.LogicalTypeFamily;
import org.apache.flink.table.types.logical.LogicalTypeRoot;

/**
 * Flink SQL and the Table API: {@code CREATE TABLE cpu (ts TIMESTAMP(3), host STRING, usage DOUBLE) WITH
 * ('connector' = 'meridian', 'etcd.endpoints' = 'http://127.0.0.1:2379', 'database' = 'metrics')}, then
 * {@code INSERT INTO cpu ...}. The table is a metric: the TIMESTAMP column is the time, STRING columns are tags,
 * numeric columns are fields. Insert-only (a time series is appended to; updates and deletes are refused).
 */
public final class MeridianTableFactory implements DynamicTableSinkFactory {
    public static final String IDENTIFIER = "meridian";

    static final ConfigOption<String> ETCD = ConfigOptions.key("etcd.endpoints")
            .stringType()
            .noDefaultValue()
            .withDescription("etcd client URLs of the Meridian cluster, comma-separated.");
    static final ConfigOption<String> DATABASE =
            ConfigOptions.key("database").stringType().noDefaultValue().withDescription("The database to write to.");
    static final ConfigOption<String> METRIC = ConfigOptions.key("metric")
            .stringType()
            .noDefaultValue()
            .withDescription("The metric; default: the table's name.");
    static final ConfigOption<String> META_ROOT =
            ConfigOptions.key("meta.root").stringType().defaultValue("/meridian");
    static final ConfigOption<String> IDC =
            ConfigOptions.key("idc").stringType().defaultValue("default");
    static final ConfigOption<String> SINK_ID = ConfigOptions.key("sink.id")
            .stringType()
            .noDefaultValue()
            .withDescription("Names the writers on the storage nodes; default: meridian-<table>.");
    static final ConfigOption<String> TIME_COLUMN = ConfigOptions.key("time-column")
            .stringType()
            .noDefaultValue()
            .withDescription("The time column; default: the table's only TIMESTAMP / TIMESTAMP_LTZ column.");
    static final ConfigOption<String> TAG_COLUMNS = ConfigOptions.key("tag-columns")
            .stringType()
            .noDefaultValue()
            .withDescription("Comma-separated tag columns; default: every string column.");
    static final ConfigOption<DeliveryGuarantee> GUARANTEE = ConfigOptions.key("sink.delivery-guarantee")
            .enumType(DeliveryGuarantee.class)
            .noDefaultValue()
            .withDescription("exactly-once or at-least-once; default: exactly once when the job checkpoints.");
    static final ConfigOption<Integer> BATCH_POINTS =
            ConfigOptions.key("sink.max-batch-points").intType().defaultValue(20_000);
    static final ConfigOption<Duration> BATCH_DELAY =
            ConfigOptions.key("sink.max-batch-delay").durationType().defaultValue(Duration.ofMillis(200));

    @Override
    public String factoryIdentifier() {
        return IDENTIFIER;
    }

    @Override
    public Set<ConfigOption<?>> requiredOptions() {
        return Set.of(ETCD, DATABASE);
    }

    @Override
    public Set<ConfigOption<?>> optionalOptions() {
        return Set.of(METRIC, META_ROOT, IDC, SINK_ID, TIME_COLUMN, TAG_COLUMNS, GUARANTEE, BATCH_POINTS, BATCH_DELAY);
    }

    @Override
    public DynamicTableSink createDynamicTableSink(Context context) {
        FactoryUtil.TableFactoryHelper helper = FactoryUtil.createTableFactoryHelper(this, context);
        helper.validate();
        ReadableConfig o = helper.getOptions();
        String table = context.getObjectIdentifier().getObjectName();
        String metric = o.getOptional(METRIC).orElse(table);
        ResolvedSchema schema = context.getCatalogTable().getResolvedSchema();
        RowPointConverter converter = converter(table, metric, schema, o);
        MeridianSinkBuilder<RowData> b = MeridianSink.forPoints(o.get(DATABASE), converter)
                .setEtcdEndpoints(
                        Arrays.stream(o.get(ETCD).split(",")).map(String::trim).toArray(String[]::new))
                .setMetaRoot(o.get(META_ROOT))
                .setIdc(o.get(IDC))
                .setSinkId(o.getOptional(SINK_ID).orElse("meridian-" + table.replaceAll("[^A-Za-z0-9_.:-]", "_")))
                .setMaxBatchPoints(o.get(BATCH_POINTS))
                .setMaxBatchDelay(o.get(BATCH_DELAY));
        o.getOptional(GUARANTEE).ifPresent(b::setDeliveryGuarantee);
        try {
            return new Sink(b.build());
        } catch (IllegalArgumentException e) {
            throw new ValidationException("invalid option of meridian table " + table + ": " + e.getMessage(), e);
        }
    }

    /** Which column is the time, which are tags and which are fields; refuses a schema it cannot map. */
    static RowPointConverter converter(String table, String metric, ResolvedSchema schema, ReadableConfig o) {
        List<Column> physical =
                schema.getColumns().stream().filter(Column::isPhysical).toList();
        List<String> tagNames = o.getOptional(TAG_COLUMNS)
                .map(s -> Arrays.stream(s.split(","))
                        .map(String::trim)
                        .filter(x -> !x.isEmpty())
                        .toList())
                .orElse(null);
        RowPointConverter.ColumnRef time = null;
        List<RowPointConverter.ColumnRef> tags = new ArrayList<>();
        List<RowPointConverter.ColumnRef> fields = new ArrayList<>();
        String timeName = o.getOptional(TIME_COLUMN).orElse(null);
        for (int i = 0; i < physical.size(); i++) {
            Column c = physical.get(i);
            LogicalType t = c.getDataType().getLogicalType();
            var ref = new RowPointConverter.ColumnRef(i, c.getName(), RowData.createFieldGetter(t, i));
            boolean isTime = t.is(LogicalTypeRoot.TIMESTAMP_WITHOUT_TIME_ZONE)
                    || t.is(LogicalTypeRoot.TIMESTAMP_WITH_LOCAL_TIME_ZONE);
            if (timeName != null ? c.getName().equals(timeName) : isTime) {
                if (!isTime) {
                    throw new ValidationException("meridian table " + table + ": time-column " + timeName + " is " + t
                            + "; want TIMESTAMP or TIMESTAMP_LTZ");
                }
                if (time != null) {
                    throw new ValidationException("meridian table " + table + ": more than one TIMESTAMP column ("
                            + time.name() + ", " + c.getName() + "); name the time with 'time-column'");
                }
                time = ref;
            } else if (tagNames != null ? tagNames.contains(c.getName()) : t.is(LogicalTypeFamily.CHARACTER_STRING)) {
                tags.add(ref);
            } else if (t.is(LogicalTypeFamily.NUMERIC)) {
                fields.add(ref);
            } else {
                throw new ValidationException("meridian table " + table + ": column " + c.getName() + " is " + t
                        + "; a column is the time (TIMESTAMP), a tag (STRING) or a field (a number)");
            }
        }
        if (time == null) {
            throw new ValidationException("meridian table " + table + ": no time column; add a TIMESTAMP(3) column");
        }
        if (fields.isEmpty()) {
            throw new ValidationException("meridian table " + table + ": no field column; add a numeric column");
        }
        if (tagNames != null) {
            for (String n : tagNames) {
                if (tags.stream().noneMatch(r -> r.name().equals(n))) {
                    throw new ValidationException("meridian table " + table + ": tag-columns names " + n
                            + ", which is not a column of the table");
                }
            }
        }
        return new RowPointConverter(metric, time, tags, fields);
    }

    /** The table sink: insert-only, writing through {@link MeridianSink}. */
    private record Sink(MeridianSink<RowData> sink) implements DynamicTableSink {
        @Override
        public ChangelogMode getChangelogMode(ChangelogMode requested) {
            return ChangelogMode.insertOnly();
        }

        @Override
        public SinkRuntimeProvider getSinkRuntimeProvider(Context context) {
            return SinkV2Provider.of(sink);
        }

        @Override
        public DynamicTableSink copy() {
            return new Sink(sink);
        }

        @Override
        public String asSummaryString() {
            return "Meridian";
        }
    }
}
