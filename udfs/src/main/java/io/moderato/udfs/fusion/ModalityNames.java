package io.moderato.udfs.fusion;

import java.util.List;

/**
 * The modality names used on the wire (ModelVersion.modality, PolicyDecision.modalityScores keys,
 * PolicyConfig.fusionWeights keys). Strings rather than an enum because the schema treats them as
 * an open set; this list is the set this code base knows how to score and validate.
 */
public final class ModalityNames {

    public static final String TEXT = "text";
    public static final String TRANSCRIPT = "transcript";
    public static final String IMAGE = "image";
    public static final String AUDIO = "audio";
    public static final String VIDEO = "video";

    /** Every known modality, in the schema's documentation order. */
    public static final List<String> ALL = List.of(TEXT, TRANSCRIPT, IMAGE, AUDIO, VIDEO);

    private ModalityNames() {}

    public static boolean isKnown(String modality) {
        return modality != null && ALL.contains(modality);
    }
}
