package rnn.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.concurrent.Callable;

import org.junit.jupiter.api.Test;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Running out of memory is an error like any other: exit 1 and one line, not a JVM stack trace. */
class OutOfMemoryTest {
    @Command(name = "hungry")
    static final class Hungry implements Callable<Integer> {
        @Override
        public Integer call() {
            throw new OutOfMemoryError("Java heap space");
        }
    }

    @Test
    void outOfMemoryExitsOneWithOneLine() {
        CommandLine cmd = Main.commandLine();
        cmd.addSubcommand(new Hungry());
        StringWriter err = new StringWriter();
        cmd.setOut(new PrintWriter(new StringWriter()));
        cmd.setErr(new PrintWriter(err));
        int code = cmd.execute("hungry");
        cmd.getErr().flush();
        assertEquals(1, code, err.toString());
        assertEquals("rnn hungry: out of memory; give Java more with RNN_JAVA_OPTS=-Xmx8g, or use a smaller model or batch",
                err.toString().strip());
    }
}
