package io.meridian.common.rpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meridian.common.error.InvalidInputException;
import io.meridian.common.query.TagCondition;
import io.meridian.common.rpc.storage.v1.TagFilter;
import java.util.List;
import org.junit.jupiter.api.Test;

/** TagCondition to and from the wire's TagFilter: node for node, and the same bytes hand-built filters had. */
class TagConditionCodecTest {
    private static final TagCondition NESTED = new TagCondition.And(List.of(
            TagCondition.eq("hostname", "host_1"),
            TagCondition.not(TagCondition.in("region", List.of("eu", "us"))),
            new TagCondition.Or(List.of(
                    TagCondition.prefix("rack", "r1"),
                    TagCondition.regex("os", "linux.*"),
                    TagCondition.not(TagCondition.all()))),
            new TagCondition.Or(List.of(TagCondition.eq("a", ""))),
            TagCondition.in("empty", List.of())));

    @Test
    void everyKindRoundTrips() {
        List<TagCondition> kinds = List.of(
                TagCondition.all(),
                TagCondition.eq("k", "v"),
                TagCondition.in("k", List.of("a", "b")),
                TagCondition.prefix("k", "p"),
                TagCondition.regex("k", "r.+"),
                TagCondition.not(TagCondition.eq("k", "v")),
                new TagCondition.And(List.of(TagCondition.eq("k", "v"))),
                new TagCondition.Or(List.of(TagCondition.eq("k", "v"), TagCondition.all())),
                NESTED);
        for (TagCondition c : kinds) {
            assertThat(TagConditionCodec.fromWire(TagConditionCodec.toWire(c), "filter"))
                    .as(c.toString())
                    .isEqualTo(c);
        }
    }

    @Test
    void theWireBytesAreThoseOfTheHandBuiltFilter() {
        TagFilter expected = TagFilter.newBuilder()
                .setConjunction(TagFilter.Conjunction.newBuilder()
                        .addParts(TagFilter.newBuilder()
                                .setEq(TagFilter.Eq.newBuilder()
                                        .setKey("hostname")
                                        .setValue("host_1")))
                        .addParts(TagFilter.newBuilder()
                                .setNegation(TagFilter.Negation.newBuilder()
                                        .setInner(TagFilter.newBuilder()
                                                .setInSet(TagFilter.InSet.newBuilder()
                                                        .setKey("region")
                                                        .addValues("eu")
                                                        .addValues("us")))))
                        .addParts(TagFilter.newBuilder()
                                .setDisjunction(TagFilter.Disjunction.newBuilder()
                                        .addParts(TagFilter.newBuilder()
                                                .setPrefix(TagFilter.Prefix.newBuilder()
                                                        .setKey("rack")
                                                        .setPrefix("r1")))
                                        .addParts(TagFilter.newBuilder()
                                                .setRegex(TagFilter.Regex.newBuilder()
                                                        .setKey("os")
                                                        .setPattern("linux.*")))
                                        .addParts(TagFilter.newBuilder()
                                                .setNegation(TagFilter.Negation.newBuilder()
                                                        .setInner(TagFilter.newBuilder()
                                                                .setMatchAll(
                                                                        TagFilter.MatchAll.getDefaultInstance()))))))
                        .addParts(TagFilter.newBuilder()
                                .setDisjunction(TagFilter.Disjunction.newBuilder()
                                        .addParts(TagFilter.newBuilder()
                                                .setEq(TagFilter.Eq.newBuilder()
                                                        .setKey("a")
                                                        .setValue("")))))
                        .addParts(TagFilter.newBuilder()
                                .setInSet(TagFilter.InSet.newBuilder().setKey("empty"))))
                .build();
        TagFilter actual = TagConditionCodec.toWire(NESTED);
        assertThat(actual).isEqualTo(expected);
        assertThat(actual.toByteArray()).isEqualTo(expected.toByteArray());
        assertThat(TagConditionCodec.toWire(TagCondition.all()).toByteArray())
                .isEqualTo(TagFilter.newBuilder()
                        .setMatchAll(TagFilter.MatchAll.getDefaultInstance())
                        .build()
                        .toByteArray());
    }

    @Test
    void decodingRefusesWhatTheConditionCannotBeNamingTheNode() {
        assertThatThrownBy(() -> TagConditionCodec.fromWire(TagFilter.getDefaultInstance(), "leaf query filter"))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageStartingWith(
                        "missing or unknown tag filter kind [leaf query filter]: want one of match_all");
        TagFilter unsetInner = TagFilter.newBuilder()
                .setConjunction(TagFilter.Conjunction.newBuilder()
                        .addParts(TagConditionCodec.toWire(TagCondition.all()))
                        .addParts(TagFilter.newBuilder().setNegation(TagFilter.Negation.getDefaultInstance())))
                .build();
        assertThatThrownBy(() -> TagConditionCodec.fromWire(unsetInner, "filter"))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("[filter.conjunction.parts[1].negation.inner]");
        TagFilter emptyOr = TagFilter.newBuilder()
                .setDisjunction(TagFilter.Disjunction.getDefaultInstance())
                .build();
        assertThatThrownBy(() -> TagConditionCodec.fromWire(emptyOr, "filter"))
                .isInstanceOf(InvalidInputException.class)
                .hasMessage("empty tag filter list [filter.disjunction.parts]: want at least one part");
        TagFilter deep = TagConditionCodec.toWire(TagCondition.all());
        for (int i = 0; i < StorageRpc.MAX_FILTER_DEPTH; i++) {
            deep = TagFilter.newBuilder()
                    .setNegation(TagFilter.Negation.newBuilder().setInner(deep))
                    .build();
        }
        TagFilter tooDeep = deep;
        assertThatThrownBy(() -> TagConditionCodec.fromWire(tooDeep, "filter"))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageStartingWith("tag filter too deep [filter");
        assertThat(TagConditionCodec.fromWire(deep.getNegation().getInner(), "filter"))
                .as("at the bound")
                .isInstanceOf(TagCondition.Not.class);
    }
}
