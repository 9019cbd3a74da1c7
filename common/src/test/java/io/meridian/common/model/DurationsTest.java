package io.meridian.common.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meridian.common.error.InvalidInputException;
import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

/** The one duration grammar, as configuration, DDL and the engine's API read it. */
class DurationsTest {

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            500ms    | 500     | 500ms
            10s      | 10000   | 10s
            90s      | 90000   | 90s
            5m       | 300000  | 5m
            ' 5m '   | 300000  | 5m
            1h       | 3600000 | 1h
            30d      | 2592000000 | 30d
            2w       | 1209600000 | 14d
            3650d    | 315360000000 | 3650d
            """)
    void readsEveryUnitAndPrintsTheLargestExactOne(String text, long millis, String printed) {
        Duration d = Durations.parse("retention", text);
        assertThat(d.toMillis()).isEqualTo(millis);
        assertThat(Durations.format(d)).isEqualTo(printed);
        assertThat(Durations.parseAllowingZero(text)).isEqualTo(d);
    }

    @ParameterizedTest
    @NullAndEmptySource
    @ValueSource(strings = {"10", "s", "-1s", "1.5h", "10 s", "10 sec", "10S", "1y", "h1", "999999999999999w"})
    void refusesWhatIsNotAWholeNumberAndAUnitNamingTheValue(String text) {
        assertThatThrownBy(() -> Durations.parse("retention", text))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageStartingWith("invalid retention [retention=" + text + "]")
                .hasMessageContaining("ms, s, m, h, d or w");
        assertThatThrownBy(() -> Durations.parseAllowingZero(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("got '" + text + "'");
    }

    @ParameterizedTest
    @ValueSource(strings = {"0s", "0ms", "0d"})
    void zeroIsAConfigurationValueButNotAnInterval(String text) {
        assertThat(Durations.parseAllowingZero(text)).isZero();
        assertThat(Durations.format(Durations.parseAllowingZero(text))).isEqualTo("0s");
        assertThatThrownBy(() -> Durations.parse("interval", text))
                .isInstanceOf(InvalidInputException.class)
                .hasMessage("invalid interval [interval=" + text + "]: must be positive");
    }
}
