package io.moderato.udfs.text;

/**
 * Optional rules of {@link TextFeaturizer} for short, noisy user text (comments, tweets, chat). Each
 * is switched on per model in its manifest ({@code featurizer.normalization}); a manifest without the
 * object (such as {@code text-spam} 1.0.0) gets none of them, so models trained before they existed
 * keep featurizing exactly as they were trained.
 *
 * @param htmlEntities   decode {@code &amp;}, {@code &lt;}, {@code &gt;}, {@code &quot;}, {@code &apos;},
 *                       {@code &nbsp;} and numeric {@code &#NNN;} / {@code &#xHH;} references before
 *                       anything else (scraped text often carries them: {@code &#128514;} is an emoji)
 * @param mentions       an {@code @handle} (an {@code @} that does not follow a letter or digit,
 *                       followed by letters, digits or {@code _}) becomes the token {@code <mention>}:
 *                       who is addressed is an identity, not a word, and would otherwise be memorised
 * @param elongations    after lower-casing, a run of three or more of the same letter is cut to two
 *                       ({@code "soooo"} → {@code "soo"}, {@code "hiiiii"} → {@code "hii"}), so
 *                       emphatic spellings share features with each other
 * @param leetspeak      inside a run of letters, digits and the symbols {@code @ $ ! | *}, a symbol or
 *                       digit with a letter somewhere before and after it in the run is read as the
 *                       letter it imitates ({@code 0}→o, {@code 1 ! |}→i, {@code 3}→e, {@code 4 @}→a,
 *                       {@code 5 $}→s, {@code 7}→t) and a masking {@code *} as {@code _}: {@code "n1gga"},
 *                       {@code "b!tch"}, {@code "a$$hole"}, {@code "f*ck"} become {@code "nigga"},
 *                       {@code "bitch"}, {@code "asshole"}, {@code "f_ck"}; leading and trailing
 *                       characters are left alone ({@code "4ever"}, {@code "win10"}, {@code "lol!!!"})
 */
public record TextNormalization(boolean htmlEntities, boolean mentions, boolean elongations, boolean leetspeak) {

    /** Every rule on: the setting of the short-text models. */
    public static final TextNormalization SHORT_TEXT = new TextNormalization(true, true, true, true);
}
