package io.moderato.udfs.model;

/** The kind of content a model scores. Text covers both written text and audio transcripts. */
public enum Modality {
    TEXT, IMAGE, AUDIO, VIDEO
}
