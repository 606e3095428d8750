package rnn.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.function.Function;

import org.junit.jupiter.api.Test;

/** The API's request bodies: strict JSON types, known fields only, bounded sizes, one-line messages naming the field. */
class ApiRequestsTest {
    private static byte[] json(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static String refused(Function<byte[], ?> parser, String body) {
        ApiError error = assertThrows(ApiError.class, () -> parser.apply(json(body)), body);
        assertEquals(400, error.status());
        assertFalse(error.getMessage().contains("\n"), error.getMessage());
        return error.getMessage();
    }

    @Test
    void predictTakesAContextAndK() {
        assertEquals(new ApiRequests.Predict("Mary had", 3), ApiRequests.predict(json("{\"context\":\"Mary had\",\"k\":3}")));
        assertEquals(new ApiRequests.Predict("", 5), ApiRequests.predict(json("{\"context\":\"\"}")), "k defaults to 5");
        assertEquals(new ApiRequests.Predict("x", 5), ApiRequests.predict(json("{\"context\":\"x\",\"k\":null}")),
                "null takes the default");
    }

    @Test
    void wrongTypesAreRefusedNamingTheField() {
        assertTrue(refused(ApiRequests::predict, "{\"context\":5}").startsWith("\"context\" must be a string"));
        assertTrue(refused(ApiRequests::predict, "{\"context\":[\"a\"]}").contains("got an array"));
        assertTrue(refused(ApiRequests::predict, "{\"k\":3}").startsWith("\"context\" is required"));
        assertTrue(refused(ApiRequests::predict, "{\"context\":null}").startsWith("\"context\" is required"));
        assertTrue(refused(ApiRequests::predict, "{\"context\":\"a\",\"k\":\"3\"}").startsWith("\"k\" must be an integer"));
        assertTrue(refused(ApiRequests::predict, "{\"context\":\"a\",\"k\":3.0}").contains("got 3.0"), "3.0 is not an integer");
        assertTrue(refused(ApiRequests::generate, "{\"temperature\":\"hot\"}").startsWith("\"temperature\" must be a number"));
        assertTrue(refused(ApiRequests::generate, "{\"stream\":1}").startsWith("\"stream\" must be true or false"));
        assertTrue(refused(ApiRequests::generate, "{\"seed\":1.5}").startsWith("\"seed\" must be a 64-bit integer"));
        assertTrue(refused(ApiRequests::generate, "{\"seed\":18446744073709551616}").startsWith("\"seed\""));
        assertTrue(refused(ApiRequests::score, "{\"text\":\"a\",\"per_line\":\"yes\"}").startsWith("\"per_line\""));
    }

    @Test
    void outOfRangeValuesAreRefused() {
        assertTrue(refused(ApiRequests::predict, "{\"context\":\"a\",\"k\":0}").contains("from 1 to 1000, got 0"));
        assertTrue(refused(ApiRequests::predict, "{\"context\":\"a\",\"k\":1001}").contains("got 1001"));
        assertTrue(refused(ApiRequests::predict, "{\"context\":\"a\",\"k\":99999999999}").startsWith("\"k\""));
        assertTrue(refused(ApiRequests::generate, "{\"n\":0}").startsWith("\"n\" must be an integer from 1 to 1000"));
        assertTrue(refused(ApiRequests::generate, "{\"n\":1001}").startsWith("\"n\""));
        assertTrue(refused(ApiRequests::generate, "{\"temperature\":-0.5}").startsWith("\"temperature\""));
        assertTrue(refused(ApiRequests::generate, "{\"temperature\":1e400}").startsWith("\"temperature\""));
        assertTrue(refused(ApiRequests::generate, "{\"top_k\":0}").startsWith("\"top_k\""));
        assertTrue(refused(ApiRequests::generate, "{\"top_p\":0}").startsWith("\"top_p\" must be a number above 0"));
        assertTrue(refused(ApiRequests::generate, "{\"top_p\":1.01}").startsWith("\"top_p\""));
    }

    @Test
    void contextsAndPrimesAreBounded() {
        String longest = "a".repeat(ApiRequests.MAX_CONTEXT_CHARS);
        assertEquals(longest, ApiRequests.predict(json("{\"context\":\"" + longest + "\"}")).context());
        assertTrue(refused(ApiRequests::predict, "{\"context\":\"" + longest + "b\"}")
                .contains("10001 characters long; at most 10000"));
        assertTrue(refused(ApiRequests::generate, "{\"prime\":\"" + longest + "b\"}").startsWith("\"prime\""));
    }

    @Test
    void unknownFieldsAreRefusedSoNoRequestCanNameAFile() {
        String message = refused(ApiRequests::predict, "{\"context\":\"a\",\"model\":\"/etc\"}");
        assertEquals("unknown field \"model\"; this endpoint takes [\"context\", \"k\"]", message);
        assertTrue(refused(ApiRequests::score, "{\"text\":\"a\",\"file\":\"x\",\"path\":\"y\"}").startsWith("unknown fields"));
    }

    @Test
    void malformedBodiesAreRefused() {
        assertTrue(refused(ApiRequests::predict, "").startsWith("the body is empty"));
        assertTrue(refused(ApiRequests::predict, "[1]").startsWith("the body must be a JSON object, got an array"));
        assertTrue(refused(ApiRequests::predict, "\"text\"").contains("got a string"));
        assertTrue(refused(ApiRequests::predict, "{\"context\":").startsWith("the body is not valid JSON"));
        assertTrue(refused(ApiRequests::predict, "{\"context\":\"a\"} {}").startsWith("the body is not valid JSON"),
                "trailing content");
        assertTrue(refused(ApiRequests::predict, "{\"context\":\"a\",\"context\":\"b\"}").contains("Duplicate field"));
        assertTrue(refused(ApiRequests::predict, "[".repeat(5000)).startsWith("the body is not valid JSON"),
                "nesting depth is capped");
    }

    @Test
    void generateTakesTheOptionsOfTheCommand() {
        ApiRequests.Generate request = ApiRequests.generate(json(
                "{\"prime\":\"Mary\",\"n\":7,\"temperature\":0.5,\"top_k\":4,\"top_p\":0.9,\"seed\":-3,\"stream\":true}"));
        assertEquals("Mary", request.config().prime());
        assertEquals(7, request.config().words());
        assertEquals(0.5, request.config().temperature());
        assertEquals(4, request.config().topK());
        assertEquals(0.9, request.config().topP());
        assertEquals(-3L, request.config().seed());
        assertTrue(request.stream());
        ApiRequests.Generate defaults = ApiRequests.generate(json("{}"));
        assertEquals("", defaults.config().prime());
        assertEquals(50, defaults.config().words());
        assertEquals(1.0, defaults.config().temperature());
        assertNull(defaults.config().topK());
        assertNull(defaults.config().seed());
        assertFalse(defaults.stream());
    }

    @Test
    void scoreTakesTextAndTwoSwitches() {
        assertEquals(new ApiRequests.Score("a b\n", true, false),
                ApiRequests.score(json("{\"text\":\"a b\\n\",\"per_line\":true}")));
        assertTrue(refused(ApiRequests::score, "{}").startsWith("\"text\" is required"));
    }
}
