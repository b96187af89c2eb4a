package io.moderato.udfs.model;

import java.util.List;
import java.util.Optional;

/**
 * The kind of content a model scores, and the modality names used on the wire
 * (ModelVersion.modality, PolicyDecision.modalityScores keys, PolicyConfig.fusionWeights keys). Text
 * covers both written text and audio transcripts: the wire name {@link #TRANSCRIPT} is scored by
 * {@link #TEXT} models. The schema treats wire names as an open set; {@link #WIRE_NAMES} is the set
 * this code base knows how to score and validate.
 */
public enum Modality {
    TEXT("text"),
    IMAGE("image"),
    AUDIO("audio"),
    VIDEO("video");

    /** Wire name of audio transcripts, scored by the text models. */
    public static final String TRANSCRIPT = "transcript";

    /** Every known wire name, in the schema's documentation order. */
    public static final List<String> WIRE_NAMES =
            List.of(TEXT.wireName, TRANSCRIPT, IMAGE.wireName, AUDIO.wireName, VIDEO.wireName);

    private final String wireName;

    Modality(String wireName) {
        this.wireName = wireName;
    }

    /** The name of this modality on the wire, e.g. {@code text}. */
    public String wireName() {
        return wireName;
    }

    /** The kind of model that scores the wire modality {@code name} ({@code transcript}: TEXT); empty when unknown. */
    public static Optional<Modality> ofWireName(String name) {
        if (TRANSCRIPT.equals(name)) {
            return Optional.of(TEXT);
        }
        for (Modality m : values()) {
            if (m.wireName.equals(name)) {
                return Optional.of(m);
            }
        }
        return Optional.empty();
    }

    /** True when {@code name} is one of {@link #WIRE_NAMES}. */
    public static boolean isKnownWireName(String name) {
        return name != null && WIRE_NAMES.contains(name);
    }
}
