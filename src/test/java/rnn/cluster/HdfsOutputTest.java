package rnn.cluster;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.StringWriter;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.hdfs.MiniDFSCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;

import rnn.checkpoint.DirectoryCheckpointer;
import rnn.checkpoint.ManifestFiles;
import rnn.checkpoint.ModelManifest;
import rnn.cli.ClusterMain;
import rnn.cli.Main;

/**
 * The corpus and the model directory on HDFS: a real NameNode and DataNode (Hadoop's
 * MiniDFSCluster, in this JVM, on loopback) under Spark's local mode.
 */
class HdfsOutputTest {
    private static final List<String> SMALL = List.of("--hidden", "16", "--embedding", "8", "--window", "5",
            "--batch-size", "8", "--max-batches", "6", "--validation-split", "0.1", "--seed", "3",
            "--workers", "2", "--sync-every", "2", "--master", "local[2]", "-q");

    @TempDir
    static Path temp;
    private static MiniDFSCluster hdfs;
    private static FileSystem fs;
    private static String root;

    @BeforeAll
    static void startHdfs() throws IOException {
        Configuration conf = new Configuration();
        File base = temp.resolve("hdfs").toFile();
        conf.set(MiniDFSCluster.HDFS_MINIDFS_BASEDIR, base.getAbsolutePath());
        hdfs = new MiniDFSCluster.Builder(conf, base).numDataNodes(1).build();
        hdfs.waitActive();
        fs = hdfs.getFileSystem();
        root = hdfs.getURI().toString();
        try (OutputStream out = fs.create(new org.apache.hadoop.fs.Path(root + "/data/corpus.txt"))) {
            Files.copy(Path.of("corpora/sample.txt"), out);
        }
    }

    @AfterAll
    static void stopHdfs() {
        if (hdfs != null) {
            hdfs.shutdown();
        }
    }

    /**
     * A run into hdfs://, resumed from hdfs://, ends with the weights of the same run written to a
     * local directory in one go; the remote directory is a complete model with no lock or partial
     * file left, and rnn predict uses a copy of it.
     */
    @Test
    void trainsIntoHdfsAndResumesFromIt() throws IOException {
        String corpus = root + "/data/corpus.txt";
        String remote = root + "/models/resumed";
        Path local = temp.resolve("local");
        assertEquals(0, rnnSpark("train", corpus, "-o", local.toString(), "--epochs", "2"));
        assertEquals(0, rnnSpark("train", corpus, "-o", remote, "--epochs", "1"));
        assertEquals(1, remoteManifest(remote).progress().history().size());
        assertEquals(0, rnnSpark("train", "--resume", remote, "--epochs", "2", "-q", "--master", "local[2]",
                "--workers", "2", "--sync-every", "2", "--max-batches", "6"));

        List<String> names = new ArrayList<>();
        for (FileStatus status : fs.listStatus(new org.apache.hadoop.fs.Path(remote))) {
            names.add(status.getPath().getName());
        }
        assertEquals(List.of("history.json", "last.safetensors", "loss.png", "model.json", "model.safetensors",
                "vocab.json"), names.stream().sorted().toList(), "no .lock, no partial file left");
        Path copy = download(remote, temp.resolve("copy"));
        assertEquals(2, ManifestFiles.read(copy).progress().history().size());
        Map<String, INDArray> expected = finalWeights(local);
        Map<String, INDArray> actual = finalWeights(copy);
        assertEquals(expected.keySet(), actual.keySet());
        expected.forEach((name, value) -> assertArrayEquals(value.data().asFloat(), actual.get(name).data().asFloat(),
                name + ": a resume from HDFS continues bit for bit"));
        assertEquals(0, ClusterTrainingTest.run(Main.commandLine(), new StringWriter(), new StringWriter(),
                "predict", "-m", copy.toString(), "Mary had a little"));
    }

    @Test
    void refusesAModelWithoutForceAndADirectoryHoldingOtherFiles() throws IOException {
        String corpus = root + "/data/corpus.txt";
        String remote = root + "/models/twice";
        assertEquals(0, rnnSpark("train", corpus, "-o", remote, "--epochs", "1"));
        StringWriter err = new StringWriter();
        assertEquals(1, rnnSpark(err, "train", corpus, "-o", remote, "--epochs", "1"));
        assertTrue(err.toString().contains(remote + ": already holds a model"), err.toString());
        assertEquals(0, rnnSpark("train", corpus, "-o", remote, "--epochs", "1", "--force"));

        String other = root + "/users/notes";
        writeRemote(other + "/notes.txt", "mine\n");
        err = new StringWriter();
        assertEquals(1, rnnSpark(err, "train", corpus, "-o", other, "--epochs", "1"));
        assertTrue(err.toString().contains("is not empty and holds no model (notes.txt)"), err.toString());
        assertEquals("mine\n", readRemote(other + "/notes.txt"));
    }

    /** A lock a live run holds keeps a second driver out; one a dead driver on this host left is taken over. */
    @Test
    void aLiveLockIsRespectedAndADeadOneTakenOver() throws IOException {
        String corpus = root + "/data/corpus.txt";
        String remote = root + "/models/locked";
        String host = InetAddress.getLocalHost().getHostName();
        writeRemote(remote + "/.lock", host + " " + ProcessHandle.current().pid() + " 2026-01-01T00:00:00Z\n");
        StringWriter err = new StringWriter();
        assertEquals(1, rnnSpark(err, "train", corpus, "-o", remote, "--epochs", "1"));
        assertTrue(err.toString().contains(remote + ": is in use by another run"), err.toString());
        assertFalse(fs.exists(new org.apache.hadoop.fs.Path(remote + "/model.json")));

        writeRemote(remote + "/.lock", host + " " + deadPid() + " 2026-01-01T00:00:00Z\n");
        assertEquals(0, rnnSpark("train", corpus, "-o", remote, "--epochs", "1"));
        assertTrue(fs.exists(new org.apache.hadoop.fs.Path(remote + "/model.json")));
        assertFalse(fs.exists(new org.apache.hadoop.fs.Path(remote + "/.lock")));
    }

    private static long deadPid() throws IOException {
        Process process = new ProcessBuilder("true").start();
        try {
            process.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return process.pid();
    }

    private static ModelManifest remoteManifest(String remote) throws IOException {
        return ManifestFiles.read(download(remote, Files.createTempDirectory(temp, "manifest")));
    }

    private static Path download(String remote, Path to) throws IOException {
        Files.createDirectories(to);
        for (FileStatus status : fs.listStatus(new org.apache.hadoop.fs.Path(remote))) {
            try (InputStream in = fs.open(status.getPath())) {
                Files.copy(in, to.resolve(status.getPath().getName()));
            }
        }
        return to;
    }

    private static void writeRemote(String file, String text) throws IOException {
        try (OutputStream out = fs.create(new org.apache.hadoop.fs.Path(file), true)) {
            out.write(text.getBytes(StandardCharsets.UTF_8));
        }
    }

    private static String readRemote(String file) throws IOException {
        try (InputStream in = fs.open(new org.apache.hadoop.fs.Path(file))) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static Map<String, INDArray> finalWeights(Path directory) {
        return DirectoryCheckpointer.readResume(directory, ManifestFiles.read(directory))
                .model().parameters().values();
    }

    private static int rnnSpark(String... args) {
        return rnnSpark(new StringWriter(), args);
    }

    private static int rnnSpark(StringWriter err, String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        if (!all.contains("--resume")) {
            all.addAll(SMALL);
        }
        int code = ClusterTrainingTest.run(ClusterMain.commandLine(), new StringWriter(), err, all.toArray(new String[0]));
        if (code != 0) {
            System.err.println(err);
        }
        return code;
    }
}
