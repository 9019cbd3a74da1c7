package io.meridian.sql;

import io.meridian.common.error.ErrorCode;
import io.meridian.common.error.InvalidInputException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import org.apache.calcite.DataContext;
import org.apache.calcite.linq4j.Enumerable;
import org.apache.calcite.linq4j.Linq4j;
import org.apache.calcite.plan.RelOptUtil;
import org.apache.calcite.rel.type.RelDataType;
import org.apache.calcite.rel.type.RelDataTypeFactory;
import org.apache.calcite.rex.RexCall;
import org.apache.calcite.rex.RexDynamicParam;
import org.apache.calcite.rex.RexInputRef;
import org.apache.calcite.rex.RexLiteral;
import org.apache.calcite.rex.RexNode;
import org.apache.calcite.schema.FilterableTable;
import org.apache.calcite.schema.impl.AbstractTable;
import org.apache.calcite.sql.SqlKind;
import org.apache.calcite.sql.type.SqlTypeFamily;
import org.apache.calcite.sql.type.SqlTypeName;

/**
 * {@code information_schema.tag_values(database, metric, tag, value)}: the distinct values of each tag key, read
 * from the catalog ({@link Catalog#tagValues}) when a statement runs. The analogue of InfluxQL's
 * {@code SHOW TAG VALUES FROM m WITH KEY = "k"}.
 *
 * <p>A listing is a cluster-wide call per (database, metric, tag), so the scan takes the equality conjuncts on
 * {@code database}, {@code metric} and {@code tag} (a literal or a bound parameter, on either side, in any order)
 * from the filter Calcite hands over ({@link FilterableTable}) and asks for that combination only; a column
 * without one is enumerated from the catalog (databases, their metrics, the metrics' tag keys). Every other condition, including those on
 * {@code value}, is left to Calcite above the scan. Calcite does not show a table its statement's LIMIT, so the
 * bounds hold for the whole listing:
 * <ul>
 *   <li>at most {@code maxValues} values per (database, metric, tag): the catalog is asked for one more, and a
 *       longer listing fails the statement with {@link ErrorCode#LIMIT_EXCEEDED} naming the three, never a cut
 *       list;</li>
 *   <li>at most {@code maxListings} (database, metric, tag) listings per scan, so a scan without filters over a
 *       large catalog fails the same way instead of calling every shard for every tag key.</li>
 * </ul>
 */
final class TagValuesTable extends AbstractTable implements FilterableTable {
    static final List<String> COLUMNS = List.of("database", "metric", "tag", "value");
    private static final int DATABASE = 0;
    private static final int METRIC = 1;
    private static final int TAG = 2;

    private final Catalog catalog;
    private final int maxValues;
    private final int maxListings;

    /**
     * @param maxValues   bound on the values of one (database, metric, tag), below {@link Integer#MAX_VALUE}
     * @param maxListings bound on the (database, metric, tag) listings one scan asks for
     */
    TagValuesTable(Catalog catalog, int maxValues, int maxListings) {
        this.catalog = Objects.requireNonNull(catalog, "catalog");
        if (maxValues < 1 || maxValues == Integer.MAX_VALUE || maxListings < 1) {
            throw new IllegalArgumentException("invalid tag value bounds [maxValues=" + maxValues + ", maxListings="
                    + maxListings + "]: want 1 <= maxValues < 2^31-1 and maxListings >= 1");
        }
        this.maxValues = maxValues;
        this.maxListings = maxListings;
    }

    @Override
    public RelDataType getRowType(RelDataTypeFactory f) {
        RelDataTypeFactory.Builder b = f.builder();
        COLUMNS.forEach(c -> b.add(c, f.createTypeWithNullability(f.createSqlType(SqlTypeName.VARCHAR), false)));
        return b.build();
    }

    @Override
    public Enumerable<Object[]> scan(DataContext root, List<RexNode> filters) {
        String[] wanted = new String[TAG + 1];
        boolean contradiction = false;
        for (Iterator<RexNode> it = filters.iterator(); it.hasNext(); ) {
            // Calcite hands the WHERE clause over as one AND: narrow by each equality in it, and take the filter
            // away only when the scan enforces all of it (else Calcite checks it again, which is harmless)
            boolean enforced = true;
            for (RexNode conjunct : RelOptUtil.conjunctions(it.next())) {
                Equality e = equality(conjunct, root);
                if (e == null) {
                    enforced = false;
                    continue;
                }
                if (wanted[e.column()] != null && !wanted[e.column()].equals(e.value())) {
                    contradiction = true; // e.g. tag = 'a' AND tag = 'b'
                }
                wanted[e.column()] = e.value();
            }
            if (enforced) {
                it.remove();
            }
        }
        if (contradiction) {
            return Linq4j.emptyEnumerable();
        }
        List<Object[]> rows = new ArrayList<>();
        int listings = 0;
        for (String db : databases(wanted[DATABASE])) {
            for (String metric : metrics(db, wanted[METRIC])) {
                for (String tag : tags(db, metric, wanted[TAG])) {
                    if (++listings > maxListings) {
                        throw tooManyListings(wanted);
                    }
                    List<String> values = catalog.tagValues(db, metric, tag, maxValues + 1);
                    if (values.size() > maxValues) {
                        throw tooManyValues(db, metric, tag);
                    }
                    values.forEach(v -> rows.add(new Object[] {db, metric, tag, v}));
                }
            }
        }
        return Linq4j.asEnumerable(rows);
    }

    private List<String> databases(String wanted) {
        if (wanted != null) {
            return catalog.database(wanted).map(Catalog.Database::name).stream().toList();
        }
        return catalog.databases().stream().map(Catalog.Database::name).toList();
    }

    private List<String> metrics(String db, String wanted) {
        return wanted != null ? List.of(wanted) : catalog.metrics(db);
    }

    private List<String> tags(String db, String metric, String wanted) {
        return wanted != null
                ? List.of(wanted)
                : catalog.metric(db, metric).map(Catalog.Metric::tagKeys).orElse(List.of());
    }

    private InvalidInputException tooManyValues(String db, String metric, String tag) {
        return new InvalidInputException(
                ErrorCode.LIMIT_EXCEEDED,
                "too many tag values [database=" + db + ", metric="
                        + metric + ", tag=" + tag + "]: more than " + maxValues
                        + "; read the values seen in a time range instead:"
                        + " SELECT DISTINCT \"" + tag + "\" FROM \"" + db + "\".\"" + metric + "\" WHERE ts >= ...");
    }

    private InvalidInputException tooManyListings(String[] wanted) {
        return new InvalidInputException(
                ErrorCode.LIMIT_EXCEEDED,
                "too many tag keys to list [table="
                        + InformationSchema.NAME + ".tag_values, database=" + orAll(wanted[DATABASE]) + ", metric="
                        + orAll(wanted[METRIC]) + ", tag=" + orAll(wanted[TAG]) + "]: more than " + maxListings
                        + "; filter with WHERE database = '...' AND metric = '...' AND tag = '...'");
    }

    private static String orAll(String v) {
        return v == null ? "*" : v;
    }

    /** {@code column = value} on database, metric or tag. */
    private record Equality(int column, String value) {}

    /** The equality a conjunct states, or null when it is anything else (then Calcite evaluates it). */
    private static Equality equality(RexNode filter, DataContext root) {
        if (filter.getKind() != SqlKind.EQUALS) {
            return null;
        }
        List<RexNode> ops = ((RexCall) filter).getOperands();
        RexNode ref = ops.get(0) instanceof RexInputRef ? ops.get(0) : ops.get(1);
        RexNode constant = ref == ops.get(0) ? ops.get(1) : ops.get(0);
        if (!(ref instanceof RexInputRef r) || r.getIndex() > TAG) {
            return null;
        }
        String value = constantString(constant, root);
        return value == null ? null : new Equality(r.getIndex(), value);
    }

    /**
     * The string a literal or a bound parameter holds, looking through a cast to a variable-length character type
     * (which keeps the value); null for anything else, including a cast to {@code CHAR(n)}, which pads.
     */
    private static String constantString(RexNode node, DataContext root) {
        if (node.getKind() == SqlKind.CAST) {
            if (node.getType().getSqlTypeName() != SqlTypeName.VARCHAR) {
                return null;
            }
            node = ((RexCall) node).getOperands().get(0);
        }
        if (!SqlTypeFamily.CHARACTER.contains(node.getType())) {
            return null;
        }
        if (node instanceof RexLiteral literal) {
            return literal.getValueAs(String.class);
        }
        if (node instanceof RexDynamicParam param) {
            Object v = root.get("?" + param.getIndex());
            return v instanceof String s ? s : null;
        }
        return null;
    }
}
