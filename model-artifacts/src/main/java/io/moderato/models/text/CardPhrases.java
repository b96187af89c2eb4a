package io.moderato.models.text;

import io.moderato.udfs.text.FeaturizerSettings;
import java.util.Locale;
import java.util.Map;

/** Phrases the text model cards share, so that the same fact reads the same in every card. */
final class CardPhrases {

    private CardPhrases() {}

    /** "N ham + M spam" from the provenance counts {@code <prefix>.ham} and {@code <prefix>.spam}. */
    static String hamAndSpam(Map<String, Integer> counts, String prefix) {
        return counts.get(prefix + ".ham") + " ham + " + counts.get(prefix + ".spam") + " spam";
    }

    /** E.g. "word 1–2-grams and character 2–5-grams within words, 1 + ln(tf), L2-normalised, first 4,000 characters". */
    static String ngramsAndScaling(FeaturizerSettings f) {
        return "word 1–" + f.wordNgramMax() + "-grams"
                + (f.charNgramMax() == 0
                        ? ""
                        : " and character " + f.charNgramMin() + "–" + f.charNgramMax() + "-grams within words")
                + ", " + (f.sublinearTf() ? "1 + ln(tf)" : "raw tf")
                + ", " + (f.l2Normalize() ? "L2-normalised" : "not normalised")
                + ", first " + String.format(Locale.ROOT, "%,d", f.maxChars()) + " characters";
    }
}
