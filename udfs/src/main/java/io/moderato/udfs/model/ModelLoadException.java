package io.moderato.udfs.model;

/** A model could not be loaded; the message names the file or model and what is wrong. */
public class ModelLoadException extends RuntimeException {

    public ModelLoadException(String message) {
        super(message);
    }

    public ModelLoadException(String message, Throwable cause) {
        super(message, cause);
    }
}
