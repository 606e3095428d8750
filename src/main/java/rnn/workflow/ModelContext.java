package rnn.workflow;

import rnn.checkpoint.ModelManifest;
import rnn.text.TokenizerSpec;

/**
 * How a saved model reads text, from its model.json alone (no weights, no ND4J): its tokenizer,
 * and whether it carries its state through the whole text (a stream model, trained with
 * {@code --stateful}) or reads windows of up to {@code window} tokens from the zero state.
 */
public record ModelContext(TokenizerSpec tokenizer, boolean stream, int window) {
    public static ModelContext of(ModelManifest manifest) {
        return new ModelContext(manifest.data().tokenizerSpec(), manifest.data().stateful(), manifest.data().window());
    }
}
