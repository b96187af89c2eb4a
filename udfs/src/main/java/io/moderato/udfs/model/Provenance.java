package io.moderato.udfs.model;

import java.util.List;
import java.util.Map;

/**
 * Where a model's training data came from and how it was split, so a model can be rebuilt and
 * audited. {@code counts} holds e.g. train/validation sizes per class.
 */
public record Provenance(
        String source,
        String packageName,
        String packageVersion,
        String license,
        List<String> groups,
        String split,
        long seed,
        Map<String, Integer> counts) {

    public Provenance {
        groups = groups == null ? List.of() : List.copyOf(groups);
        counts = counts == null ? Map.of() : Map.copyOf(counts);
    }
}
