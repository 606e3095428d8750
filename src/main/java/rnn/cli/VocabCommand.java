package rnn.cli;

import java.io.PrintWriter;
import java.util.concurrent.Callable;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import rnn.text.TextSource;
import rnn.text.Vocabulary;
import rnn.text.VocabularyBuilder;
import rnn.text.VocabularyLimits;

/** rnn vocab: the vocabulary a model trained on this text would use, one id per line. */
@Command(name = "vocab", mixinStandardHelpOptions = true,
        description = {
            "Print the vocabulary of a text as token<TAB>count lines in id order: <unk> first (always, so line N "
                    + "is id N-1; its count is the literal <unk>s plus every token cut off), then by frequency, "
                    + "ties in token order.",
            "Tabs, newlines and backslashes in tokens are written as \\t, \\n and \\\\."})
public final class VocabCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    VerbosityMixin verbosity;

    @Mixin
    TokenizerMixin tokenizer;

    @Parameters(index = "0", paramLabel = "CORPUS|-", description = "UTF-8 text file, or - for stdin.")
    String corpus;

    @Option(names = "--min-count", paramLabel = "N", defaultValue = "1",
            description = "Tokens seen fewer than N times become <unk> (default: ${DEFAULT-VALUE}).")
    int minCount;

    @Option(names = "--max-vocab", paramLabel = "N",
            description = "Keep at most N ids, <unk> included; the rarest tokens become <unk> (default: no limit).")
    Integer maxVocab;

    @Override
    public Integer call() {
        VocabularyLimits limits = new VocabularyLimits(minCount, maxVocab == null ? Integer.MAX_VALUE : maxVocab);
        TextSource source = TextSource.of(corpus);
        Vocabulary vocabulary = VocabularyBuilder.build(source, tokenizer.spec().tokenizer(), limits);

        PrintWriter out = spec.commandLine().getOut();
        StringBuilder line = new StringBuilder();
        for (int id = 0; id < vocabulary.size(); id++) {
            line.setLength(0);
            TokenEscaping.append(line, vocabulary.token(id)).append('\t').append(vocabulary.count(id)).append('\n');
            out.append(line);
            if (id % 1024 == 1023 && out.checkError()) {
                break; // stdout closed (e.g. | head): nobody reads the rest
            }
        }
        if (verbosity.level() >= 1) {
            spec.commandLine().getErr().println(source.name() + ": " + vocabulary.totalCount() + " tokens, "
                    + vocabulary.size() + " ids, " + vocabulary.count(Vocabulary.UNKNOWN_ID) + " <unk>");
        }
        return ExitCodes.OK;
    }
}
