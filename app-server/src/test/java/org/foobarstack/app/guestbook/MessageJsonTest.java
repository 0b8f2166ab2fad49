package org.foobarstack.app.guestbook;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class MessageJsonTest {

    private final ObjectMapper mapper = new ObjectMapper();
    private final MessageJson json = new MessageJson(mapper.getFactory());
    private final Message ada = new Message(7, "ada", "say \"hi\" <b>&</b> \u00e9\n\u2028", "2026-11-22T05:08:57.550Z");
    private final Message bob = new Message(6, "bob", "second", "2026-11-22T05:08:56Z");

    @Test
    void aMessageIsItsFourFieldsInOrder() {
        assertThat(new String(json.message(bob), StandardCharsets.UTF_8))
                .isEqualTo("{\"id\":6,\"author\":\"bob\",\"body\":\"second\",\"createdAt\":\"2026-11-22T05:08:56Z\"}");
    }

    @Test
    void aPageListsItsMessagesThenHowToGetTheNextOne() {
        assertThat(new String(json.page(List.of(ada, bob), 2, null, 6L), StandardCharsets.UTF_8))
                .startsWith("{\"messages\":[{\"id\":7,")
                .endsWith("}],\"limit\":2,\"before\":null,\"nextBefore\":6}");
        assertThat(new String(json.page(List.of(), 20, 3L, null), StandardCharsets.UTF_8))
                .isEqualTo("{\"messages\":[],\"limit\":20,\"before\":3,\"nextBefore\":null}");
    }

    /** The hand-written shape is byte for byte what data binding makes of the same values, escapes included. */
    @Test
    void theBytesAreWhatDataBindingWrites() throws Exception {
        assertThat(json.message(ada)).isEqualTo(mapper.writeValueAsBytes(ada));
        Map<String, Object> page = new LinkedHashMap<>();
        page.put("messages", List.of(ada, bob));
        page.put("limit", 20);
        page.put("before", 9L);
        page.put("nextBefore", null);
        assertThat(json.page(List.of(ada, bob), 20, 9L, null)).isEqualTo(mapper.writeValueAsBytes(page));
        assertThat(mapper.readTree(json.message(ada)).get("body").asText()).isEqualTo(ada.body());
    }
}
