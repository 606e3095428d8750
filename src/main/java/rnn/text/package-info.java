/**
 * Text in, token ids out: reading UTF-8 text, tokenizers, the vocabulary, encoding a corpus and
 * cutting it into training windows or parallel streams.
 *
 * <p>This package never prints and never imports ND4J: the {@code vocab} and {@code windows}
 * commands use it alone and must start fast. Errors are {@link rnn.RnnException}s whose one-line
 * messages name the file or the command-line option at fault.
 */
package rnn.text;
