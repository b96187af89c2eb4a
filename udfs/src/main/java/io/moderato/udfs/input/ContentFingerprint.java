package io.moderato.udfs.input;

import io.moderato.schemas.ContentEvent;
import io.moderato.schemas.Embedding;
import java.util.List;

/**
 * A 64-bit fingerprint (FNV-1a) of what a content event asks to be decided on: surface, locale,
 * prePublish, text, transcript and embeddings — not its ids, event time or free-form attributes.
 * The same contentId with the same fingerprint is a duplicate delivery; with another fingerprint
 * it is an edit, a new version of the item.
 */
public final class ContentFingerprint {

    private static final long OFFSET = 0xcbf29ce484222325L;
    private static final long PRIME = 0x100000001b3L;

    private ContentFingerprint() {}

    public static long of(ContentEvent event) {
        long h = OFFSET;
        h = mix(h, event.getSurface());
        h = mix(h, event.getLocale());
        h = mix(h, event.getPrePublish() ? 1 : 0);
        h = mix(h, event.getText());
        h = mix(h, event.getTranscript() == null ? null : event.getTranscript().getText());
        h = mix(h, event.getImageEmbedding());
        h = mix(h, event.getAudioEmbedding());
        h = mix(h, event.getVideoEmbedding());
        return h;
    }

    private static long mix(long h, int value) {
        for (int shift = 0; shift < 32; shift += 8) {
            h = (h ^ ((value >>> shift) & 0xff)) * PRIME;
        }
        return h;
    }

    /** Length first, so that ("ab", "c") and ("a", "bc") differ, and null differs from "". */
    private static long mix(long h, CharSequence s) {
        if (s == null) {
            return mix(h, -1);
        }
        h = mix(h, s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            h = (h ^ (c & 0xff)) * PRIME;
            h = (h ^ (c >>> 8)) * PRIME;
        }
        return h;
    }

    private static long mix(long h, Embedding embedding) {
        List<Float> vector = embedding == null ? null : embedding.getVector();
        if (vector == null) {
            return mix(h, -1);
        }
        h = mix(h, vector.size());
        for (Float v : vector) {
            h = mix(h, v == null ? 0x7fc00001 : Float.floatToIntBits(v));
        }
        return h;
    }
}
