package org.foobarstack.trace;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashSet;
import java.util.Set;
import org.foobarstack.trace.TraceContext.TraceparentException;
import org.foobarstack.trace.TraceContext.Violation;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class TraceContextTest {

    private static final String SPEC_EXAMPLE = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

    @Test
    void parsesTheSpecExampleAndWritesItBack() {
        TraceContext context = TraceContext.parse(SPEC_EXAMPLE);

        assertThat(context.traceId()).isEqualTo("4bf92f3577b34da6a3ce929d0e0e4736");
        assertThat(context.parentId()).isEqualTo("00f067aa0ba902b7");
        assertThat(context.sampled()).isTrue();
        assertThat(context.requestId()).isEqualTo("4bf92f35");
        assertThat(context.toHeader()).isEqualTo(SPEC_EXAMPLE);
    }

    @Test
    void acceptsAHigherVersionWithExtraFieldsAndKeepsTheKnownOnes() {
        TraceContext context = TraceContext.parse("cc-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00-extra");

        assertThat(context.traceId()).isEqualTo("4bf92f3577b34da6a3ce929d0e0e4736");
        assertThat(context.sampled()).isFalse();
        assertThat(context.toHeader()).startsWith("00-");
    }

    @ParameterizedTest(name = "{1}: {0}")
    @CsvSource({
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7, TOO_SHORT",
        "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01, VERSION_FF",
        "0g-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01, VERSION_NOT_HEX",
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-, VERSION_00_LENGTH",
        "01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01x, FUTURE_VERSION_SEPARATOR",
        "00_4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01, SEPARATOR",
        "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01, TRACE_ID_NOT_HEX",
        "00-00000000000000000000000000000000-00f067aa0ba902b7-01, TRACE_ID_ZERO",
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902bz-01, PARENT_ID_NOT_HEX",
        "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01, PARENT_ID_ZERO",
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-0X, FLAGS_NOT_HEX",
    })
    void rejectsEachBrokenRuleNamingItsSection(String header, Violation expected) {
        assertThatThrownBy(() -> TraceContext.parse(header))
                .isInstanceOfSatisfying(TraceparentException.class,
                        e -> assertThat(e.violation()).isEqualTo(expected))
                .hasMessageContaining(expected.section());
    }

    @Test
    void invalidOrMissingHeadersStartAFreshTrace() {
        assertThat(TraceContext.parseOrFresh(null).traceId()).hasSize(32);
        TraceContext restarted = TraceContext.parseOrFresh("00-00000000000000000000000000000000-00f067aa0ba902b7-01");
        assertThat(restarted.traceId()).isNotEqualTo("00000000000000000000000000000000").hasSize(32);
        assertThat(TraceContext.parseOrFresh(SPEC_EXAMPLE).traceId()).isEqualTo("4bf92f3577b34da6a3ce929d0e0e4736");
    }

    @Test
    void freshContextsAreValidHeadersAndDoNotRepeat() {
        Set<String> ids = new HashSet<>();
        for (int i = 0; i < 1000; i++) {
            TraceContext context = TraceContext.fresh();
            assertThat(TraceContext.parse(context.toHeader())).isEqualTo(context);
            ids.add(context.traceId());
        }
        assertThat(ids).hasSize(1000);
    }

    @Test
    void aChildKeepsTheTraceIdAndFlagsWithANewParentId() {
        TraceContext parent = TraceContext.parse(SPEC_EXAMPLE);
        TraceContext child = parent.child();

        assertThat(child.traceId()).isEqualTo(parent.traceId());
        assertThat(child.flags()).isEqualTo(parent.flags());
        assertThat(child.parentId()).isNotEqualTo(parent.parentId()).hasSize(16);
    }
}
