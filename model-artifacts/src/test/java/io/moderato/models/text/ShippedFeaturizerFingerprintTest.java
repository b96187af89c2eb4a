package io.moderato.models.text;

import static org.assertj.core.api.Assertions.assertThat;

import io.moderato.models.bench.BenchmarkTexts;
import io.moderato.udfs.model.ModelManifest;
import io.moderato.udfs.text.TextFeaturizer;
import io.moderato.udfs.vector.SparseVector;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * Each shipped text model's featurizer (settings from its manifest) gives, on every committed tweet and comment,
 * exactly the vectors it gave when the model was trained: one SHA-256 per model over dimension, indices and float
 * bits, recorded before the featurizer was optimised. The parity test allows 1e-5 on probabilities; this one allows
 * no difference at all in the features, so a faster featurizer cannot quietly move a score.
 */
class ShippedFeaturizerFingerprintTest {

    private static final Map<String, String> DIGESTS = Map.of(
            "text-spam:1.0.0", "bd0020600370fb883609d14437cdba179936805207d84c9f004d95eb9611c14b",
            "text-spam:2.0.0", "a9a601f24577a57c36083a00a0b5861e91eef14333ff84eb78189273576e2c5d",
            "text-abuse:1.0.0", "81d4977109af5203039c302d3e364645b4e17c6d45a0c32edb5fde25c093d4d8");

    @Test
    void shouldFeaturizeTheCommittedShortTextsBitForBitAsEachShippedModelWasTrained() throws Exception {
        List<String> texts = BenchmarkTexts.shortTexts().texts();
        assertThat(texts).hasSizeGreaterThan(20_000);
        Map<String, String> actual = new TreeMap<>();
        for (ModelManifest model : ShippedTextModels.all()) {
            TextFeaturizer featurizer = new TextFeaturizer(model.featurizer());
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            for (String text : texts) {
                SparseVector v = featurizer.featurize(text);
                ByteBuffer bytes = ByteBuffer.allocate(8 + 8 * v.nonZeros());
                bytes.putInt(v.dimensions()).putInt(v.nonZeros());
                for (int i = 0; i < v.nonZeros(); i++) {
                    bytes.putInt(v.indices()[i]).putInt(Float.floatToRawIntBits(v.values()[i]));
                }
                sha.update(bytes.array());
            }
            actual.put(model.id(), HexFormat.of().formatHex(sha.digest()));
        }
        assertThat(actual)
                .as("every shipped text model has a recorded fingerprint")
                .containsOnlyKeys(DIGESTS.keySet());
        assertThat(actual).isEqualTo(new TreeMap<>(DIGESTS));
    }
}
