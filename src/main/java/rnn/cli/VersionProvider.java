package rnn.cli;

import picocli.CommandLine.IVersionProvider;

/** Version from the jar manifest; touches nothing heavy so `rnn --version` starts fast. */
final class VersionProvider implements IVersionProvider {
    @Override
    public String[] getVersion() {
        String version = Main.class.getPackage().getImplementationVersion();
        return new String[] {
                "rnn " + (version == null ? "(development build)" : version),
                "Java " + System.getProperty("java.version") + " on " + System.getProperty("os.name")
                        + " " + System.getProperty("os.arch"),
        };
    }
}
