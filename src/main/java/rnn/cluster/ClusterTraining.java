package rnn.cluster;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.function.UnaryOperator;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.storage.StorageLevel;
import org.nd4j.linalg.api.ndarray.INDArray;

import rnn.CancelledException;
import rnn.InvalidConfigException;
import rnn.RnnException;
import rnn.checkpoint.DirectoryCheckpointer;
import rnn.checkpoint.DirectoryLock;
import rnn.checkpoint.LatestModel;
import rnn.checkpoint.ManifestFiles;
import rnn.checkpoint.ModelStore;
import rnn.engine.LanguageModel;
import rnn.text.Corpus;
import rnn.text.LineReader;
import rnn.text.TextSource;
import rnn.text.TokenSpan;
import rnn.text.TokenizerSpec;
import rnn.text.Vocabulary;
import rnn.text.VocabularyLimits;
import rnn.train.Checkpointer;
import rnn.train.EpochResult;
import rnn.train.Progress;
import rnn.train.ResumeChanges;
import rnn.train.RunConfig;
import rnn.train.TrainConfig;
import rnn.train.Trainer;
import rnn.train.TrainingPlan;
import rnn.workflow.Training;

/**
 * Starts or resumes a training run on a Spark cluster, into the same model directory a
 * single-machine run writes: the entry point of the cluster's {@code train} command. The driver
 * (this JVM) holds the model, validates and checkpoints; the executors read the text, count the
 * vocabulary and train on their shards.
 */
public final class ClusterTraining {
    /** How long the driver waits for a standalone master to accept a connection. */
    private static final int CONNECT_TIMEOUT_MS = 10_000;

    private ClusterTraining() {
    }

    /** What a cluster run saved, and where: a local path or a Hadoop URI. */
    public record Result(String location, List<EpochResult> history) {
        public String describe() {
            return new Training.Result(Path.of("."), history).describeAs(location);
        }
    }

    public static Result start(TrainConfig config, ClusterOptions cluster, boolean force,
                               ClusterListener listener, BooleanSupplier cancelled) {
        refuseSingleMachineOptions(config);
        String output = config.run().output();
        Optional<URI> remote = RemoteModelDirectory.remoteUri(output);
        if (remote.isPresent()) {
            try (JavaSparkContext spark = connect(cluster.master());
                 RemoteModelDirectory directory = RemoteModelDirectory.create(spark.hadoopConfiguration(), remote.get(),
                         force);
                 DirectoryLock lock = DirectoryLock.acquire(directory.staging())) {
                return new Result(directory.location(), startOn(spark, config, cluster, directory.staging(),
                        publishing(directory), listener, cancelled, directory.location()));
            } catch (RnnException e) {
                throw e;
            } catch (Exception e) {
                throw failure(e);
            }
        }
        Path directory = localDirectory(output);
        try (DirectoryLock lock = DirectoryLock.acquire(directory)) {
            if (!force && Files.exists(directory.resolve(ModelStore.MANIFEST))) {
                throw new RnnException(directory + ": already holds a model; continue it with --resume "
                        + directory + ", replace it with --force, or choose another --output");
            }
            try (JavaSparkContext spark = connect(cluster.master())) {
                List<EpochResult> history = startOn(spark, config, cluster, directory, checkpointer -> checkpointer,
                        listener, cancelled, directory.toString());
                return new Result(directory.toString(), history);
            } catch (RnnException e) {
                throw e;
            } catch (Exception e) {
                throw failure(e);
            }
        }
    }

    private static List<EpochResult> startOn(JavaSparkContext spark, TrainConfig config, ClusterOptions cluster,
                                             Path directory, UnaryOperator<Checkpointer> publish,
                                             ClusterListener listener, BooleanSupplier cancelled, String location) {
        String corpus = requireReadable(spark, config.data().corpora().get(0), "CORPUS");
        String sha256 = checkedSha256(spark, corpus);
        JavaRDD<String> lines = ShardedCorpus.lines(spark, corpus);
        Vocabulary vocabulary = ShardedCorpus.countVocabulary(lines, config.data().tokenizer(), config.data().lowercase(),
                config.data().vocabularyLimits(), corpus);
        // As Trainer.start: model.json records the adaptive softmax's resolved cutoffs.
        config = config.withNetwork(config.network().resolvedFor(vocabulary.size()));
        Data data = read(spark, lines, config, cluster, vocabulary, sha256);
        LanguageModel model = Trainer.initialModel(config, vocabulary.size());
        Checkpointer checkpointer = publish.apply(new DirectoryCheckpointer(directory));
        // Built (and so checked: a batch for every worker, a validation batch) before anything is written.
        ClusterTrainer trainer = new ClusterTrainer(spark, data.shards(), config, cluster, model, Map.of(),
                Progress.start(config.optimization().lr()), data.validation(), checkpointer, listener, cancelled);
        checkpointer.begin(config, vocabulary, model, data.summary());
        if (location.equals(directory.toString())) {
            LatestModel.mark(LatestModel.MODELS_ROOT, directory);
        }
        return run(trainer, plan(config, cluster, data, model, trainer, 1), location, cancelled);
    }

    /**
     * Continues a saved run (from the cluster or one machine, at the end of an epoch) on the
     * cluster, with the same allowed {@code changes} and {@code run} options as rnn train --resume;
     * {@code given} is a local directory or a Hadoop URI.
     */
    public static Result resume(String given, ResumeChanges changes, RunConfig run, ClusterOptions cluster,
                                ClusterListener listener, BooleanSupplier cancelled) {
        Optional<URI> remote = RemoteModelDirectory.remoteUri(given);
        if (remote.isPresent()) {
            try (JavaSparkContext spark = connect(cluster.master());
                 RemoteModelDirectory directory = RemoteModelDirectory.resume(spark.hadoopConfiguration(), remote.get());
                 DirectoryLock lock = DirectoryLock.acquire(directory.staging())) {
                Training.ResumePoint point = Training.resumePoint(directory.staging(), changes,
                        run.withOutput(directory.staging().toString()), listener);
                return new Result(directory.location(), resumeOn(spark, point, cluster, publishing(directory),
                        listener, cancelled, directory.location()));
            } catch (RnnException e) {
                throw e;
            } catch (Exception e) {
                throw failure(e);
            }
        }
        Path localGiven = localDirectory(given);
        ManifestFiles.read(localGiven); // refuse a non-model directory before locking (which creates it)
        Path directory = Training.realDirectoryOf(localGiven);
        try (DirectoryLock lock = DirectoryLock.acquire(directory)) {
            Training.ResumePoint point = Training.resumePoint(directory, changes, run, listener);
            refuseSingleMachineOptions(point.config());
            try (JavaSparkContext spark = connect(cluster.master())) {
                LatestModel.mark(LatestModel.MODELS_ROOT, directory);
                return new Result(directory.toString(), resumeOn(spark, point, cluster, checkpointer -> checkpointer,
                        listener, cancelled, directory.toString()));
            } catch (RnnException e) {
                throw e;
            } catch (Exception e) {
                throw failure(e);
            }
        }
    }

    private static List<EpochResult> resumeOn(JavaSparkContext spark, Training.ResumePoint point, ClusterOptions cluster,
                                              UnaryOperator<Checkpointer> publish, ClusterListener listener,
                                              BooleanSupplier cancelled, String location) {
        TrainConfig config = point.config();
        refuseSingleMachineOptions(config);
        if (point.progress().nextBatch() != 0) {
            throw new RnnException(location + ": was saved before epoch " + point.progress().epoch()
                    + " ended (--save-every, or an interruption); a cluster resumes from the end of an epoch: finish this one with "
                    + "rnn train --resume " + location + " on one machine first");
        }
        String corpus = requireReadable(spark, config.data().corpora().get(0), "CORPUS");
        String sha256 = checkedSha256(spark, corpus);
        if (!sha256.equals(point.corpusSha256())) {
            throw new RnnException(corpus + ": differs from the text this run started on ("
                    + point.corpusName() + "); resuming needs the same text");
        }
        Data data = read(spark, ShardedCorpus.lines(spark, corpus), config, cluster, point.vocabulary(), sha256);
        LanguageModel model = point.state().model();
        ClusterTrainer trainer = new ClusterTrainer(spark, data.shards(), config, cluster, model,
                point.state().optimizerState(), point.progress(), data.validation(), publish.apply(point.checkpointer()),
                listener, cancelled);
        return run(trainer, plan(config, cluster, data, model, trainer, point.progress().epoch()), location, cancelled);
    }

    /** Publishes every checkpoint the run saves in the staging directory to the remote one. */
    private static UnaryOperator<Checkpointer> publishing(RemoteModelDirectory remote) {
        return local -> new Checkpointer() {
            @Override
            public void begin(TrainConfig config, Vocabulary vocabulary, LanguageModel model, CorpusSummary corpus) {
                local.begin(config, vocabulary, model, corpus);
                remote.publish();
            }

            @Override
            public Path save(LanguageModel model, Map<String, INDArray> optimizerState,
                             Map<String, INDArray> recurrentState, Progress progress, boolean improved) {
                Path saved = local.save(model, optimizerState, recurrentState, progress, improved);
                remote.publish();
                return saved;
            }
        };
    }

    private static List<EpochResult> run(ClusterTrainer trainer, TrainingPlan plan, String directory,
                                         BooleanSupplier cancelled) {
        try {
            return trainer.run(plan);
        } catch (CancelledException e) {
            throw new CancelledException(e.getMessage() + "; continue with --resume " + directory);
        } catch (RnnException e) {
            throw e;
        } catch (Exception e) {
            if (cancelled.getAsBoolean()) {
                // Ctrl-C also stops the SparkContext, which fails the round in flight.
                throw new CancelledException("interrupted; the last epoch's checkpoint is kept; continue with --resume "
                        + directory);
            }
            throw failure(e);
        }
    }

    private static TrainingPlan plan(TrainConfig config, ClusterOptions cluster, Data data, LanguageModel model,
                                     ClusterTrainer trainer, int firstEpoch) {
        return new TrainingPlan(model.config().vocabSize(), data.summary().trainTokens(),
                data.summary().validationTokens(), model.parameters().count(), trainer.batchesPerEpoch(), firstEpoch,
                config.optimization().epochs(), Trainer.describe(config, model.config()) + "; " + cluster.workers()
                + " workers, averaging every " + cluster.syncEvery() + " step" + (cluster.syncEvery() == 1 ? "" : "s"));
    }

    /** The training text as shards on the workers, the validation text on the driver, and their summary. */
    record Data(JavaRDD<int[]> shards, TokenSpan validation, Checkpointer.CorpusSummary summary) {
    }

    private static Data read(JavaSparkContext spark, JavaRDD<String> lines, TrainConfig config, ClusterOptions cluster,
                             Vocabulary vocabulary, String sha256) {
        String corpus = config.data().corpora().get(0);
        JavaRDD<int[]> encoded = ShardedCorpus.encode(spark, lines, config.data().tokenizer(), config.data().lowercase(), vocabulary)
                .persist(StorageLevel.MEMORY_AND_DISK());
        long[] offsets = ShardedCorpus.offsets(encoded);
        long total = offsets[offsets.length - 1];
        if (total == 0) {
            throw new RnnException(corpus + ": no tokens (is it empty?)");
        }
        long trainTokens = config.data().validationSplit() > 0 ? (long) (total * (1.0 - config.data().validationSplit())) : total;
        TokenSpan validation = null;
        if (config.data().validationSplit() > 0) {
            validation = TokenSpan.of(ShardedCorpus.collectRange(encoded, offsets, trainTokens, total));
        } else if (config.data().validFile() != null) {
            validation = readOnDriver(spark, config.data().validFile(), config, vocabulary);
        }
        JavaRDD<int[]> shards = ShardedCorpus.shards(encoded, offsets, trainTokens, cluster.workers());
        shards.count(); // build them now, then drop the per-partition copy
        encoded.unpersist(false);
        Checkpointer.CorpusSummary summary = new Checkpointer.CorpusSummary(corpus, total, trainTokens,
                validation == null ? 0 : validation.length(), sha256);
        return new Data(shards, validation, summary);
    }

    /** A small text (--valid) encoded on the driver, read through Hadoop's file systems like the corpus. */
    private static TokenSpan readOnDriver(JavaSparkContext spark, String file, TrainConfig config, Vocabulary vocabulary) {
        String path = requireReadable(spark, file, "--valid");
        try {
            org.apache.hadoop.fs.Path hadoopPath = new org.apache.hadoop.fs.Path(path);
            InputStream in = hadoopPath.getFileSystem(spark.hadoopConfiguration()).open(hadoopPath);
            return Corpus.read(TextSource.of(in, file), TokenizerSpec.parse(config.data().tokenizer(), config.data().lowercase())
                    .tokenizer(), vocabulary).all();
        } catch (IOException e) {
            throw new RnnException(file + ": cannot read: " + e.getMessage(), e);
        }
    }

    /**
     * SHA-256 of the corpus bytes, as a single-machine run records it, read once on the driver in
     * constant memory; the same strict UTF-8 check refuses a binary or mis-encoded text (Spark's own
     * reader would silently replace bad bytes), naming the byte and line.
     */
    private static String checkedSha256(JavaSparkContext spark, String file) {
        org.apache.hadoop.fs.Path path = new org.apache.hadoop.fs.Path(file);
        InputStream in;
        try {
            in = path.getFileSystem(spark.hadoopConfiguration()).open(path);
        } catch (IOException e) {
            throw new RnnException(file + ": cannot read: " + firstLine(e.getMessage()), e);
        }
        try (LineReader reader = TextSource.of(in, file).open()) {
            while (reader.readLine() != null) {
                // Every line is checked as it is decoded.
            }
            return reader.sha256Hex();
        }
    }

    /** The path as Hadoop should read it, once it is known to be a readable file; errors name {@code option}. */
    private static String requireReadable(JavaSparkContext spark, String file, String option) {
        Configuration hadoop = spark.hadoopConfiguration();
        try {
            org.apache.hadoop.fs.Path path = new org.apache.hadoop.fs.Path(file);
            FileSystem fs = path.getFileSystem(hadoop);
            FileStatus status = fs.getFileStatus(path);
            if (status.isDirectory()) {
                throw new RnnException(file + ": is a directory, not a text file");
            }
            try (InputStream probe = fs.open(path)) {
                probe.read();
            }
            return file;
        } catch (FileNotFoundException e) {
            throw new RnnException(file + ": no such file (" + option + ", as the cluster's file system sees it)");
        } catch (IOException | IllegalArgumentException e) {
            throw new RnnException(file + ": cannot read it (" + option + "): " + firstLine(e.getMessage()));
        }
    }

    /** Options a cluster run cannot honour, refused before anything starts. */
    private static void refuseSingleMachineOptions(TrainConfig config) {
        List<String> corpora = config.data().corpora();
        if (corpora.size() != 1) {
            throw new InvalidConfigException("a cluster trains on one CORPUS path, got " + corpora.size()
                    + "; put the texts in one file");
        }
        if (corpora.get(0).equals(TextSource.STDIN) || TextSource.STDIN.equals(config.data().validFile())) {
            throw new InvalidConfigException("- (stdin) cannot be read by a cluster; give a path the workers can read");
        }
        if (config.run().saveEvery() > 0) {
            throw new InvalidConfigException("--save-every is not supported on a cluster, which saves after every epoch");
        }
    }

    /** The model directory on the driver: a plain path or a file: URI (other URIs are remote). */
    private static Path localDirectory(String output) {
        try {
            URI uri = new URI(output);
            if ("file".equals(uri.getScheme())) {
                return Path.of(uri);
            }
        } catch (URISyntaxException | IllegalArgumentException e) {
            // Not a URI: a plain path.
        }
        return Path.of(output);
    }

    /**
     * A Spark context for {@code master}, or for the master spark-submit set; a standalone master
     * that does not answer is reported within seconds instead of after Spark's minute of retries.
     */
    static JavaSparkContext connect(String master) {
        SparkConf conf = new SparkConf().setAppName("rnn train");
        if (master != null) {
            conf.setMaster(master);
        }
        if (!conf.contains("spark.master")) {
            throw new InvalidConfigException("no Spark master: give --master URL, or submit with spark-submit --master URL");
        }
        String url = conf.get("spark.master");
        if (url.startsWith("spark://")) {
            for (String hostPort : url.substring("spark://".length()).split(",")) {
                probe(url, hostPort);
            }
        }
        try {
            JavaSparkContext spark = new JavaSparkContext(conf);
            spark.setLogLevel("WARN");
            return spark;
        } catch (RuntimeException e) {
            throw new RnnException("--master " + url + ": cannot start a Spark application: " + firstLine(e.getMessage()), e);
        }
    }

    private static void probe(String url, String hostPort) {
        int colon = hostPort.lastIndexOf(':');
        String host = colon < 0 ? hostPort : hostPort.substring(0, colon);
        int port;
        try {
            port = colon < 0 ? 7077 : Integer.parseInt(hostPort.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new InvalidConfigException("--master " + url + ": '" + hostPort + "' is not host:port");
        }
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(host, port), CONNECT_TIMEOUT_MS);
        } catch (IOException e) {
            throw new RnnException("--master " + url + ": cannot reach the master at " + host + ":" + port + " ("
                    + firstLine(e.getMessage()) + ")");
        }
    }

    /** A one-line message for a failure inside Spark: the innermost cause that says something. */
    static RnnException failure(Exception e) {
        if (e instanceof RnnException rnn) {
            return rnn;
        }
        Throwable cause = e;
        while (cause.getCause() != null && cause.getCause() != cause) {
            cause = cause.getCause();
            if (cause instanceof RnnException rnn) {
                return rnn;
            }
        }
        return new RnnException("the cluster job failed: " + firstLine(cause.getClass().getSimpleName() + ": " + cause.getMessage()), e);
    }

    static String firstLine(String message) {
        if (message == null) {
            return "";
        }
        int end = message.indexOf('\n');
        return end < 0 ? message : message.substring(0, end);
    }
}
