import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;

/**
 * A seeded synthetic corpus whose word frequencies follow Zipf's law, for the large-vocabulary and
 * large-corpus benchmarks (no corpus of that size ships with the project).
 *
 * <pre>java scripts/ZipfCorpus.java --tokens 6000000 [--types 280000] [--exponent 1.0] [--seed 1] [-o FILE]</pre>
 *
 * Word of rank r (0 = most frequent) is "w" followed by r in base 36; lines hold 5-40 words. The
 * same arguments give the same bytes on every machine. Writes to stdout unless -o is given. The
 * defaults give the issue-18 corpus shape: 6,000,000 tokens hold 262,916 distinct words.
 */
public final class ZipfCorpus {
    public static void main(String[] args) throws IOException {
        long tokens = 0;
        int types = 280_000;
        double exponent = 1.0;
        long seed = 1;
        String output = null;
        for (int i = 0; i < args.length; i++) {
            String value = i + 1 < args.length ? args[i + 1] : null;
            switch (args[i]) {
                case "--tokens" -> tokens = Long.parseLong(value);
                case "--types" -> types = Integer.parseInt(value);
                case "--exponent" -> exponent = Double.parseDouble(value);
                case "--seed" -> seed = Long.parseLong(value);
                case "-o" -> output = value;
                default -> {
                    System.err.println("ZipfCorpus: unknown argument '" + args[i] + "'");
                    System.exit(2);
                }
            }
            i++;
        }
        if (tokens <= 0 || types <= 0) {
            System.err.println("ZipfCorpus: --tokens and --types must be positive");
            System.exit(2);
        }
        // The cumulative distribution over ranks, searched by bisection for each token.
        double[] cumulative = new double[types];
        double sum = 0;
        for (int r = 0; r < types; r++) {
            sum += Math.pow(r + 1, -exponent);
            cumulative[r] = sum;
        }
        byte[][] words = new byte[types][];
        for (int r = 0; r < types; r++) {
            words[r] = ("w" + Integer.toString(r, 36)).getBytes(StandardCharsets.US_ASCII);
        }
        SplittableRandom random = new SplittableRandom(seed);
        try (OutputStream out = new BufferedOutputStream(
                output == null ? System.out : Files.newOutputStream(Path.of(output)), 1 << 20)) {
            long written = 0;
            while (written < tokens) {
                int line = (int) Math.min(5 + random.nextInt(36), tokens - written);
                for (int i = 0; i < line; i++) {
                    double u = random.nextDouble() * sum;
                    int lo = 0;
                    int hi = types - 1;
                    while (lo < hi) {
                        int mid = (lo + hi) >>> 1;
                        if (cumulative[mid] < u) {
                            lo = mid + 1;
                        } else {
                            hi = mid;
                        }
                    }
                    if (i > 0) {
                        out.write(' ');
                    }
                    out.write(words[lo]);
                }
                out.write('\n');
                written += line;
            }
        }
    }
}
