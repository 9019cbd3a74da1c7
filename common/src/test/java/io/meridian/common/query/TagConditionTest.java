package io.meridian.common.query;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meridian.common.error.InvalidInputException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The tag predicate of a query: factories, validation, the EXPLAIN text, value rewriting. */
class TagConditionTest {
    @Test
    void printsTheTextExplainShows() {
        assertThat(TagCondition.all()).hasToString("all");
        assertThat(TagCondition.eq("hostname", "host_1")).hasToString("hostname='host_1'");
        assertThat(TagCondition.in("region", List.of("eu", "us"))).hasToString("region IN [eu, us]");
        assertThat(TagCondition.prefix("hostname", "host_")).hasToString("hostname LIKE 'host_%'");
        assertThat(TagCondition.regex("hostname", "h.*")).hasToString("hostname ~ 'h.*'");
        TagCondition nested = TagCondition.and(List.of(
                TagCondition.eq("a", "1"),
                TagCondition.not(TagCondition.or(List.of(TagCondition.eq("b", "2"), TagCondition.prefix("c", "x"))))));
        assertThat(nested).hasToString("(a='1' AND NOT((b='2' OR c LIKE 'x%')))");
    }

    @Test
    void aSinglePartIsThePartAndNoPartIsRefused() {
        TagCondition eq = TagCondition.eq("a", "1");
        assertThat(TagCondition.and(List.of(eq))).isSameAs(eq);
        assertThat(TagCondition.or(List.of(eq))).isSameAs(eq);
        assertThat(TagCondition.and(List.of(eq, eq))).isInstanceOf(TagCondition.And.class);
        assertThatThrownBy(() -> TagCondition.and(List.of()))
                .isInstanceOf(InvalidInputException.class)
                .hasMessage("empty tag condition [and]: got no parts; want at least one (all() for every series)");
        assertThatThrownBy(() -> new TagCondition.Or(List.of()))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("empty tag condition [or]");
        assertThatThrownBy(() -> TagCondition.eq("a", null)).isInstanceOf(NullPointerException.class);
    }

    @Test
    void listsAreCopiedImmutably() {
        List<String> values = new ArrayList<>(List.of("x"));
        TagCondition.In in = new TagCondition.In("k", values);
        values.add("y");
        assertThat(in.values()).containsExactly("x");
        List<TagCondition> parts = new ArrayList<>(List.of(TagCondition.eq("a", "1"), TagCondition.eq("b", "2")));
        TagCondition.And and = new TagCondition.And(parts);
        parts.clear();
        assertThat(and.parts()).hasSize(2);
        assertThatThrownBy(() -> and.parts().add(TagCondition.all())).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void mapValuesRewritesEveryEqAndInValueAndNothingElse() {
        TagCondition c = new TagCondition.And(List.of(
                TagCondition.eq("a", "?1"),
                TagCondition.not(TagCondition.in("b", List.of("?2", "x"))),
                new TagCondition.Or(List.of(TagCondition.prefix("c", "?3"), TagCondition.regex("d", "?4"))),
                TagCondition.all()));
        TagCondition mapped = c.mapValues(v -> v.startsWith("?") ? "v" + v.substring(1) : v);
        assertThat(mapped)
                .isEqualTo(new TagCondition.And(List.of(
                        TagCondition.eq("a", "v1"),
                        TagCondition.not(TagCondition.in("b", List.of("v2", "x"))),
                        new TagCondition.Or(List.of(TagCondition.prefix("c", "?3"), TagCondition.regex("d", "?4"))),
                        TagCondition.all())));
        TagCondition single = new TagCondition.And(List.of(TagCondition.eq("a", "?1")));
        assertThat(single.mapValues(v -> "z"))
                .as("the shape is kept, a one-part And included")
                .isEqualTo(new TagCondition.And(List.of(TagCondition.eq("a", "z"))));
    }
}
