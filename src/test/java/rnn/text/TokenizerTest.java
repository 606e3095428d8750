package rnn.text;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import rnn.InvalidConfigException;

class TokenizerTest {
    private static Tokenizer tokenizer(String spec) {
        return TokenizerSpec.parse(spec, false).tokenizer();
    }

    private static Tokenizer lower(String spec) {
        return TokenizerSpec.parse(spec, true).tokenizer();
    }

    /** Tokens of a whole text, line ends included. */
    private static List<String> stream(Tokenizer tokenizer, String text) {
        List<String> tokens = new ArrayList<>();
        TokenStream.forEach(TextSource.of(new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)), "t"),
                tokenizer, token -> tokens.add(token));
        return tokens;
    }

    @Test
    void wordSplitsUnicodeWordsAndPunctuation() {
        assertEquals(List.of("naïve", "café", "東京", "Ünïcödé", "!"), tokenizer("word").tokenize("naïve café 東京 Ünïcödé!"));
        assertEquals(List.of("Hello", ",", "world", "(", "3", ")", ".", "$", "5"),
                tokenizer("word").tokenize("Hello, world (3). $5"));
    }

    @Test
    void wordKeepsCombiningMarksInnerApostrophesHyphensAndUnk() {
        String decomposed = "cafe\u0301"; // e + combining acute accent
        assertEquals(List.of(decomposed, "don't", "well-known", "rock'n'roll", "<unk>"),
                tokenizer("word").tokenize(decomposed + " don't well-known rock'n'roll <unk>"));
        assertEquals(List.of("'", "quoted", "'", "-", "-", "x", "-"), tokenizer("word").tokenize("'quoted' -- x-"));
        assertEquals(List.of("<", "un", ">"), tokenizer("word").tokenize("<un>"));
    }

    @Test
    void wordTreatsSymbolsAndEmojiAsTokensAndNoBreakSpaceAsSpace() {
        assertEquals(List.of("I", "❤\uFE0F", "🍕", "a", "b"), tokenizer("word").tokenize("I ❤\uFE0F🍕 a\u00A0b"));
    }

    @Test
    void wordAndRegexEmitNoLineEndToken() {
        assertEquals(List.of("a", "b", "c"), stream(tokenizer("word"), "a\r\n\nb c\n"));
        assertEquals(List.of("a", "b", "c"), stream(tokenizer("regex:\\w+"), "a.\r\n\nb, c\n"));
        assertEquals(Optional.empty(), tokenizer("word").lineEndToken());
        assertEquals(Optional.empty(), tokenizer("regex:\\w+").lineEndToken());
    }

    @Test
    void regexTokensAreTheMatchesWithUnicodeWordClass() {
        assertEquals(List.of("Mary", "had", "a", "little", "lamb"), tokenizer("regex:\\w+").tokenize("Mary had a little lamb."));
        assertEquals(List.of("naïve", "東京"), tokenizer("regex:\\w+").tokenize("naïve, 東京!"));
        assertEquals(List.of("a", "b"), tokenizer("regex:\\w*").tokenize("a, b"), "empty matches are skipped");
    }

    @Test
    void whitespaceAddsEosAfterEveryLineIncludingEmptyOnes() {
        assertEquals(List.of("the", "cat", "<eos>", "<eos>", "sat", "<eos>", "<unk>", "<eos>"),
                stream(tokenizer("whitespace"), " the  cat \r\n\r\nsat\t\n<unk>"));
        assertEquals(List.of("a,", "b"), tokenizer("whitespace").tokenize("a,\u00A0b\u3000"));
        assertEquals(Optional.of("<eos>"), tokenizer("whitespace").lineEndToken());
    }

    @Test
    void charTokensAreCodePointsAndLineEndsAreNewlines() {
        assertEquals(List.of("a", "😀", "é", "\n", "\n", "e", "\u0301", "\n"),
                stream(tokenizer("char"), "a😀é\r\n\r\ne\u0301"));
        assertEquals(Optional.of("\n"), tokenizer("char").lineEndToken());
        assertEquals(List.of("\uD83D"), tokenizer("char").tokenize("\uD83D"), "a lone surrogate is one token");
    }

    @Test
    void lowercaseAppliesToEveryKind() {
        assertEquals(List.of("ünïcödé", "straße", "<eos>"), stream(lower("whitespace"), "ÜNÏCÖDÉ Straße"));
        assertEquals(List.of("hello", ",", "i"), lower("word").tokenize("HELLO, I"));
        assertEquals(List.of("ab"), lower("regex:[a-z]+").tokenize("AB"));
        assertEquals(List.of("a", "b"), lower("char").tokenize("AB"));
    }

    @Test
    void sinkCanStopTokenizing() {
        List<String> seen = new ArrayList<>();
        assertFalse(tokenizer("word").tokenize("a b c d", token -> seen.add(token) && seen.size() < 2));
        assertEquals(List.of("a", "b"), seen);
        for (String spec : List.of("whitespace", "char", "regex:\\w")) {
            List<String> few = new ArrayList<>();
            assertFalse(tokenizer(spec).tokenize("a b c d", token -> few.add(token) && few.size() < 2), spec);
            assertEquals(2, few.size(), spec);
        }
        assertTrue(tokenizer("word").tokenize("a b", token -> true));
    }

    @Test
    void streamStopsWhenTheSinkSays() {
        TokenStream.Summary summary = TokenStream.forEach(
                TextSource.of(new ByteArrayInputStream("a b\nc d\ne f\n".getBytes(StandardCharsets.UTF_8)), "t"),
                tokenizer("whitespace"), token -> !token.equals("<eos>"));
        assertFalse(summary.complete());
        assertEquals(3, summary.tokens());
        assertEquals(1, summary.lines());
        assertEquals(null, summary.sha256());
    }

    @Test
    void detokenizeUndoesEachKind() {
        assertEquals("Hello, world (yes) [a]!", tokenizer("word").detokenize(
                List.of("Hello", ",", "world", "(", "yes", ")", "[", "a", "]", "!")));
        assertEquals("\"The train is better anyway,\" said Tom. \"You can look.\"", tokenizer("word").detokenize(
                List.of("\"", "The", "train", "is", "better", "anyway", ",", "\"", "said", "Tom", ".", "\"", "You",
                        "can", "look", ".", "\"")));
        assertEquals("'Hi,' said \u201cBob\u201d \u2018now\u2019.", tokenizer("word").detokenize(
                List.of("'", "Hi", ",", "'", "said", "\u201c", "Bob", "\u201d", "\u2018", "now", "\u2019", ".")));
        assertEquals("a b", tokenizer("regex:\\w+").detokenize(List.of("a", "b")));
        assertEquals("the cat\nsat\n", tokenizer("whitespace").detokenize(List.of("the", "cat", "<eos>", "sat", "<eos>")));
        assertEquals("a😀\nb", tokenizer("char").detokenize(List.of("a", "😀", "\n", "b")));
    }

    @ParameterizedTest
    @ValueSource(strings = {"word", "whitespace", "char", "regex:\\w+", "regex:[^ ]+:x"})
    void specPrintsTheValueItWasParsedFrom(String value) {
        TokenizerSpec spec = TokenizerSpec.parse(value, true);
        assertEquals(value, spec.cliValue());
        assertEquals(spec, TokenizerSpec.parse(spec.cliValue(), spec.lowercase()));
        assertEquals(value + ", lowercase", spec.toString());
        assertEquals(spec.withLowercase(false), TokenizerSpec.parse(value, false));
        assertEquals(spec, spec.tokenizer().spec());
    }

    @Test
    void specKindsAndDefault() {
        assertEquals(TokenizerSpec.Kind.REGEX, TokenizerSpec.parse("regex:\\w+", false).kind());
        assertEquals("\\w+", TokenizerSpec.parse("regex:\\w+", false).pattern());
        assertEquals(TokenizerSpec.WORD, TokenizerSpec.parse("word", false));
    }

    @Test
    void badSpecsNameTheOption() {
        InvalidConfigException error = assertThrows(InvalidConfigException.class, () -> TokenizerSpec.parse("words", false));
        assertEquals("--tokenizer 'words' is not one of: word, whitespace, char, regex:PATTERN", error.getMessage());
        error = assertThrows(InvalidConfigException.class, () -> TokenizerSpec.parse("regex:[a-", false));
        assertTrue(error.getMessage().startsWith("--tokenizer 'regex:[a-': invalid regular expression: "), error.getMessage());
        assertFalse(error.getMessage().contains("\n"));
        error = assertThrows(InvalidConfigException.class, () -> TokenizerSpec.parse("regex:", false));
        assertTrue(error.getMessage().startsWith("--tokenizer regex: needs a pattern"));
        assertThrows(InvalidConfigException.class, () -> new TokenizerSpec(TokenizerSpec.Kind.WORD, "x", false));
    }
}
