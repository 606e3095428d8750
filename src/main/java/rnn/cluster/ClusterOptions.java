package rnn.cluster;

import rnn.InvalidConfigException;

/**
 * The settings only a cluster run has, validated here; messages name the option.
 *
 * @param master    the Spark master URL, or null to take it from spark-submit
 * @param workers   data-parallel workers, one contiguous shard of the training text each ({@code --workers})
 * @param syncEvery K, local steps each worker runs between two averagings ({@code --sync-every})
 */
public record ClusterOptions(String master, int workers, int syncEvery) {
    public ClusterOptions {
        if (workers < 1) {
            throw new InvalidConfigException("--workers must be positive, got " + workers);
        }
        if (syncEvery < 1) {
            throw new InvalidConfigException("--sync-every must be positive, got " + syncEvery);
        }
    }
}
