package rnn.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;
import rnn.InvalidConfigException;
import rnn.checkpoint.Json;
import rnn.workflow.BeamSearch;
import rnn.workflow.Generator;
import rnn.workflow.Predictor;

/** rnn predict: the most probable next words after a context. */
@Command(name = "predict", mixinStandardHelpOptions = true,
        description = {"Rank the next word after TEXT (or after each line of stdin when no TEXT is given).",
                "Prints word<TAB>probability lines; for stdin, each line's list under a line '==> LINE <==' and a "
                        + "blank line between lists. --json prints one JSON object per context.",
                "--complete N instead extends the context greedily by N words (the most probable word each step, "
                        + "never <unk>; window models re-read their last W words each step) and prints the completed "
                        + "text on one line (line breaks shown as spaces); --json prints "
                        + "{\"context\",\"completion\",\"text\",\"unknown\"}.",
                "--complete N --beam B finds the B most probable N-word continuations by beam search and prints "
                        + "log10prob<TAB>text for each, best first (--json: {\"context\",\"completions\":[{\"completion\","
                        + "\"text\",\"log10_probability\"}],\"unknown\"}). Every continuation has exactly N words; a "
                        + "line-end word does not end it. --beam 1 is the greedy completion."})
public final class PredictCommand implements Callable<Integer> {
    private static final int MAX_BEAM = 1000;

    @Spec
    CommandSpec spec;

    @Mixin
    VerbosityMixin verbosity;

    @Parameters(arity = "0..*", paramLabel = "TEXT", description = "The context; words are joined with spaces.")
    List<String> text = new ArrayList<>();

    @Option(names = {"-m", "--model"}, paramLabel = "DIR", description = "Model directory (default: the model trained last, see models/latest.path).")
    Path model;

    @Option(names = {"-k", "--top"}, paramLabel = "N", defaultValue = "5", description = "How many words to list (default 5).")
    int top;

    @Option(names = "--json", description = "One JSON object per context.")
    boolean json;

    @Option(names = "--complete", paramLabel = "N", description = "Print the context extended greedily by N words instead of the ranking.")
    Integer complete;

    @Option(names = "--beam", paramLabel = "B", description = "With --complete: the B best continuations by beam search (1 to "
            + MAX_BEAM + ").")
    Integer beam;

    private Generator generator;
    private BeamSearch beamSearch;
    /** Contexts read from stdin so far: their rankings are printed as blocks under a header. */
    private int stdinContexts = -1;

    @Override
    public Integer call() throws IOException {
        if (top < 1) {
            throw new InvalidConfigException("-k must be positive, got " + top);
        }
        if (complete != null && complete < 1) {
            throw new InvalidConfigException("--complete must be at least 1, got " + complete);
        }
        if (beam != null && complete == null) {
            throw new InvalidConfigException("--beam needs --complete N");
        }
        if (beam != null && (beam < 1 || beam > MAX_BEAM)) {
            throw new InvalidConfigException("--beam must be between 1 and " + MAX_BEAM + ", got " + beam);
        }
        Predictor predictor = Predictor.open(model);
        generator = complete == null ? null : new Generator(predictor.model());
        beamSearch = beam == null ? null : new BeamSearch(predictor.model());
        PrintWriter out = spec.commandLine().getOut();
        if (!text.isEmpty()) {
            answer(predictor, String.join(" ", text), out);
            return ExitCodes.OK;
        }
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        stdinContexts = 0;
        for (String line = in.readLine(); line != null; line = in.readLine()) {
            answer(predictor, line, out);
            out.flush(); // one answer per input line, so it can sit in a long-running pipe
            if (out.checkError()) {
                break;
            }
        }
        return ExitCodes.OK;
    }

    private void answer(Predictor predictor, String context, PrintWriter out) {
        if (generator == null) {
            print(predictor.rank(context, top), out);
            return;
        }
        if (beamSearch != null) {
            print(beamSearch.complete(context, complete, beam), out);
            return;
        }
        if (!json) {
            // Streamed as it is chosen, in constant memory (--complete 1000000000 included), one line per context.
            Generator.Streamed streamed = generator.completeStreaming(context, complete, piece -> {
                out.print(oneLine(piece));
                out.flush();
                return !out.checkError();
            });
            out.println();
            reportUnknown(streamed.unknownWords());
            return;
        }
        // The same object a whole completion would make, written as it grows, in constant memory: the greedy
        // completion is run twice, once for "completion" and once for "text" (greedy runs are repeatable).
        out.print("{\"context\":" + Json.toJson(context) + ",\"completion\":\"");
        Generator.Streamed streamed = generator.completionStreaming(context, complete, piece -> printJsonChars(piece, out));
        if (!out.checkError()) {
            out.print("\",\"text\":\"");
            generator.completeStreaming(context, complete, piece -> printJsonChars(piece, out));
        }
        out.println("\",\"unknown\":" + Json.toJson(streamed.unknownWords()) + "}");
        reportUnknown(streamed.unknownWords());
    }

    /** The characters of a JSON string literal for {@code piece}, without its quotes; false once stdout failed. */
    private static boolean printJsonChars(String piece, PrintWriter out) {
        String quoted = Json.toJson(piece);
        out.write(quoted, 1, quoted.length() - 2);
        out.flush();
        return !out.checkError();
    }

    private void reportUnknown(List<String> unknown) {
        if (!verbosity.quiet()) {
            UnknownWords.report(spec.commandLine().getErr(), "rnn predict", unknown);
        }
    }

    private void print(BeamSearch.Result result, PrintWriter out) {
        reportUnknown(result.unknownWords());
        if (json) {
            List<Map<String, Object>> completions = new ArrayList<>();
            for (BeamSearch.Hypothesis h : result.hypotheses()) {
                Map<String, Object> object = new LinkedHashMap<>();
                object.put("completion", h.completion());
                object.put("text", h.text());
                object.put("log10_probability", h.log10Probability());
                completions.add(object);
            }
            Map<String, Object> object = new LinkedHashMap<>();
            object.put("context", result.context());
            object.put("completions", completions);
            object.put("unknown", result.unknownWords());
            out.println(Json.toJson(object));
            return;
        }
        printHeader(result.context(), out);
        for (BeamSearch.Hypothesis h : result.hypotheses()) {
            out.printf(Locale.ROOT, "%.6f\t%s%n", h.log10Probability(), oneLine(h.text()));
        }
    }

    /**
     * Several lines of stdin get several blocks of lines: each starts with "==> CONTEXT <==" (as
     * head and tail head each file), and a blank line comes between them. TEXT keeps the plain list.
     */
    private void printHeader(String context, PrintWriter out) {
        if (stdinContexts < 0) {
            return;
        }
        if (stdinContexts++ > 0) {
            out.println();
        }
        out.println("==> " + TokenEscaping.escape(context) + " <==");
    }

    /** Line breaks shown as spaces, so that each result stays on one output line. */
    private static String oneLine(String text) {
        return text.replace("\r\n", " ").replace('\n', ' ').replace('\r', ' ');
    }

    private void print(Predictor.Ranking ranking, PrintWriter out) {
        reportUnknown(ranking.unknownWords());
        if (json) {
            out.println(Json.toJson(ranking.fields()));
            return;
        }
        printHeader(ranking.context(), out);
        for (Predictor.Candidate c : ranking.candidates()) {
            out.printf(Locale.ROOT, "%s\t%.6f%n", TokenEscaping.escape(c.token()), c.probability());
        }
    }
}
