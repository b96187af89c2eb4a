package io.moderato.udfs.text;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * Settings of {@link TextFeaturizer}. They are stored in each text model's manifest, so the
 * trainer and the serving path build features from the same settings and cannot diverge.
 *
 * @param dimensions   size D of the hashed feature space (index = murmur3_32(utf8(feature), seed) mod D, unsigned)
 * @param hashSeed     seed of the feature hash
 * @param wordNgramMax longest word n-gram (1 = unigrams only, 2 = unigrams and bigrams)
 * @param charNgramMin shortest character n-gram within a word token (ignored when charNgramMax is 0)
 * @param charNgramMax longest character n-gram; 0 switches character n-grams off
 * @param sublinearTf  use 1 + ln(tf) instead of the raw term frequency
 * @param l2Normalize  scale each vector to unit Euclidean length
 * @param maxChars     only the first maxChars UTF-16 units (never splitting a surrogate pair) are read; 0 = no limit
 * @param normalization optional short-text rules ({@link TextNormalization}); null = none, and then the field is
 *                      not written, so manifests of models trained before it existed read and write unchanged
 */
public record FeaturizerSettings(
        int dimensions,
        int hashSeed,
        int wordNgramMax,
        int charNgramMin,
        int charNgramMax,
        boolean sublinearTf,
        boolean l2Normalize,
        int maxChars,
        @JsonInclude(JsonInclude.Include.NON_NULL) TextNormalization normalization) {

    public static final int DEFAULT_DIMENSIONS = 1 << 16;
    public static final int DEFAULT_MAX_CHARS = 100_000;

    public FeaturizerSettings {
        require(dimensions > 0, "dimensions", dimensions, "must be positive");
        require(wordNgramMax >= 1 && wordNgramMax <= 4, "wordNgramMax", wordNgramMax, "must be in [1, 4]");
        require(charNgramMax >= 0, "charNgramMax", charNgramMax, "must be >= 0 (0 = off)");
        if (charNgramMax > 0) {
            require(
                    charNgramMin >= 1 && charNgramMin <= charNgramMax,
                    "charNgramMin",
                    charNgramMin,
                    "must be in [1, charNgramMax=" + charNgramMax + "]");
        }
        require(maxChars >= 0, "maxChars", maxChars, "must be >= 0 (0 = no limit)");
    }

    /** Settings without short-text normalization (the shape of every manifest written before it existed). */
    public FeaturizerSettings(
            int dimensions,
            int hashSeed,
            int wordNgramMax,
            int charNgramMin,
            int charNgramMax,
            boolean sublinearTf,
            boolean l2Normalize,
            int maxChars) {
        this(dimensions, hashSeed, wordNgramMax, charNgramMin, charNgramMax, sublinearTf, l2Normalize, maxChars, null);
    }

    /** Word 1–2-grams, no character n-grams, 2^16 dimensions, seed 42, sublinear TF, L2, 100k chars. */
    public static FeaturizerSettings defaults() {
        return new FeaturizerSettings(DEFAULT_DIMENSIONS, 42, 2, 0, 0, true, true, DEFAULT_MAX_CHARS);
    }

    public FeaturizerSettings withDimensions(int newDimensions) {
        return new FeaturizerSettings(
                newDimensions,
                hashSeed,
                wordNgramMax,
                charNgramMin,
                charNgramMax,
                sublinearTf,
                l2Normalize,
                maxChars,
                normalization);
    }

    public FeaturizerSettings withCharNgrams(int min, int max) {
        return new FeaturizerSettings(
                dimensions, hashSeed, wordNgramMax, min, max, sublinearTf, l2Normalize, maxChars, normalization);
    }

    public FeaturizerSettings withWordNgramMax(int max) {
        return new FeaturizerSettings(
                dimensions,
                hashSeed,
                max,
                charNgramMin,
                charNgramMax,
                sublinearTf,
                l2Normalize,
                maxChars,
                normalization);
    }

    public FeaturizerSettings withMaxChars(int newMaxChars) {
        return new FeaturizerSettings(
                dimensions,
                hashSeed,
                wordNgramMax,
                charNgramMin,
                charNgramMax,
                sublinearTf,
                l2Normalize,
                newMaxChars,
                normalization);
    }

    public FeaturizerSettings withNormalization(TextNormalization newNormalization) {
        return new FeaturizerSettings(
                dimensions,
                hashSeed,
                wordNgramMax,
                charNgramMin,
                charNgramMax,
                sublinearTf,
                l2Normalize,
                maxChars,
                newNormalization);
    }

    private static void require(boolean ok, String key, int value, String rule) {
        if (!ok) {
            throw new IllegalArgumentException("featurizer." + key + " = " + value + ": " + rule);
        }
    }
}
