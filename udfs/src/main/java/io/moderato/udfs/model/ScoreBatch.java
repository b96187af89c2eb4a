package io.moderato.udfs.model;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Per-policy probabilities for a batch of items: row i, column p is the (calibrated) probability
 * that item i violates {@code policies().get(p)}.
 */
public final class ScoreBatch {

    private final List<String> policies;
    private final float[] probabilities;
    private final int size;

    ScoreBatch(List<String> policies, float[] probabilities, int size) {
        this.policies = policies;
        this.probabilities = probabilities;
        this.size = size;
    }

    public List<String> policies() {
        return policies;
    }

    public int size() {
        return size;
    }

    public float probability(int item, int policyIndex) {
        return probabilities[item * policies.size() + policyIndex];
    }

    public float probability(int item, String policy) {
        int p = policies.indexOf(policy);
        if (p < 0) {
            throw new IllegalArgumentException("this model does not score policy '" + policy + "', only " + policies);
        }
        return probability(item, p);
    }

    /** Row {@code item} as policy → probability, in output-column order. */
    public Map<String, Float> row(int item) {
        Map<String, Float> row = new LinkedHashMap<>();
        for (int p = 0; p < policies.size(); p++) {
            row.put(policies.get(p), probability(item, p));
        }
        return row;
    }
}
