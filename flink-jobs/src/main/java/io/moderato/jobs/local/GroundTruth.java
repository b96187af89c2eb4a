package io.moderato.jobs.local;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;

/**
 * What the corpora say about one generated item, and how a simulated reviewer turns that into a
 * verdict on a policy. Policies are not built in: a policy is judged through the harm it is mapped
 * to ({@link #DEFAULT_HARMS}, overridable with {@code --truth policy=harm}) and through the labels of
 * the synthetic embeddings, which the embedding heads' manifests name by policy id.
 *
 * <ul>
 *   <li>{@code spam}: the corpus label (YouTube CLASS, SpamAssassin group); tweets are not spam.</li>
 *   <li>{@code hate_speech}, {@code offensive_language}: for each Davidson tweet in the item the reviewer
 *       draws one of its real annotators' votes (so reviewers disagree where annotators did); hate speech
 *       counts as offensive too. Texts from the other corpora carry neither.</li>
 * </ul>
 *
 * @param tweets Davidson tweets whose votes decide the abuse harms (text or transcript)
 * @param spam the corpus spam label of the item's text
 * @param embeddingPositives policies whose synthetic embedding label is positive
 */
public record GroundTruth(List<Corpora.Tweet> tweets, boolean spam, Set<String> embeddingPositives) {

    public static final String SPAM = "spam";
    public static final String HATE_SPEECH = "hate_speech";
    public static final String OFFENSIVE_LANGUAGE = "offensive_language";
    public static final Set<String> HARMS = Set.of(SPAM, HATE_SPEECH, OFFENSIVE_LANGUAGE);

    /** Policy id → harm the corpora label, for the policy ids Moderato ships or commonly uses. */
    public static final Map<String, String> DEFAULT_HARMS = Map.of(
            "spam", SPAM,
            "hate_speech", HATE_SPEECH,
            "hate", HATE_SPEECH,
            "harassment", OFFENSIVE_LANGUAGE,
            "abuse", OFFENSIVE_LANGUAGE,
            "offensive_language", OFFENSIVE_LANGUAGE);

    public GroundTruth {
        tweets = List.copyOf(tweets);
        embeddingPositives = Set.copyOf(embeddingPositives);
    }

    /**
     * A reviewer's verdict on {@code policy}, or empty when nothing in the corpora can say (the policy
     * maps to no harm and no embedding head labels it).
     *
     * @param harms policy id → harm ({@link #HARMS})
     * @param embeddingPolicies every policy some embedding head of the stack labels
     */
    public Optional<Boolean> verdict(
            String policy, Map<String, String> harms, Set<String> embeddingPolicies, Random rnd) {
        String harm = harms.get(policy);
        if (harm == null && !embeddingPolicies.contains(policy)) {
            return Optional.empty();
        }
        boolean violating = embeddingPositives.contains(policy);
        if (harm != null) {
            violating |= textViolates(harm, rnd);
        }
        return Optional.of(violating);
    }

    private boolean textViolates(String harm, Random rnd) {
        if (harm.equals(SPAM)) {
            return spam;
        }
        boolean violates = false;
        for (Corpora.Tweet tweet : tweets) {
            int vote = rnd.nextInt(tweet.votes());
            boolean hate = vote < tweet.hateVotes();
            boolean offensive = vote < tweet.hateVotes() + tweet.offensiveVotes();
            violates |= harm.equals(HATE_SPEECH) ? hate : offensive;
        }
        return violates;
    }

    /** The default mapping with {@code overrides} ("policy=harm") applied; an unknown harm is an error naming it. */
    public static Map<String, String> harms(List<String> overrides) {
        Map<String, String> harms = new TreeMap<>(DEFAULT_HARMS);
        for (String override : overrides) {
            int eq = override.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("--truth expects policy=harm, got '" + override + "'");
            }
            String harm = override.substring(eq + 1);
            if (!harm.equals("none") && !HARMS.contains(harm)) {
                throw new IllegalArgumentException("--truth " + override + ": unknown harm '" + harm + "' (one of "
                        + new TreeMap<>(Map.of(SPAM, 0, HATE_SPEECH, 0, OFFENSIVE_LANGUAGE, 0)).keySet() + " or none)");
            }
            if (harm.equals("none")) {
                harms.remove(override.substring(0, eq));
            } else {
                harms.put(override.substring(0, eq), harm);
            }
        }
        return harms;
    }
}
