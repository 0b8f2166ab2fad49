package org.foobarstack.trace;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class FieldTest {

    @Test
    void bitFieldsReadLikeWireshark() {
        assertThat(Field.bits(16, 0x8000, 0x8180)).isEqualTo("1... .... .... ....");
        assertThat(Field.bits(16, 0x7800, 0x8180)).isEqualTo(".000 0... .... ....");
        assertThat(Field.bits(16, 0x000f, 0x8183)).isEqualTo(".... .... .... 0011");
        assertThat(Field.bits(8, 0x01, 0x01)).isEqualTo(".... ...1");
    }

    @Test
    void shiftingMovesEveryRangedFieldButNotInfoFields() {
        Field tree = Field.group("Header", 0, 12, "", List.of(Field.of("ID", 0, 2, "1"), Field.info("note", "x")));

        Field moved = tree.shifted(2);

        assertThat(moved.offset()).isEqualTo(2);
        assertThat(moved.child("ID").offset()).isEqualTo(2);
        assertThat(moved.child("note").hasOffset()).isFalse();
    }
}
