package io.moderato.models.text;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.moderato.udfs.model.InputEncoding;
import io.moderato.udfs.model.ModelManifest;
import io.moderato.udfs.model.ModelRegistry;
import io.moderato.udfs.model.ModelSource;
import io.moderato.udfs.model.OnnxModel;
import io.moderato.udfs.model.ScoreBatch;
import io.moderato.udfs.model.TextScorer;
import io.moderato.udfs.vector.SparseVector;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Trainer/serving parity for every shipped text model: loaded from the classpath exactly as a job loads it, each
 * version reproduces the trainer's (calibrated) probabilities on its committed parity sample within 1e-5, in every
 * input encoding its manifest ships.
 */
class TextModelParityTest {

    private static ModelRegistry registry;

    @BeforeAll
    static void open() {
        registry = ModelRegistry.open(ModelSource.classpath("models"));
    }

    @AfterAll
    static void close() {
        registry.close();
    }

    static Stream<Arguments> shippedGraphs() {
        return ShippedTextModels.all().stream()
                .flatMap(m ->
                        m.graphs().keySet().stream().map(encoding -> Arguments.of(m.name(), m.version(), encoding)));
    }

    @Test
    void shouldCoverEveryShippedTextModelWithAStratifiedParitySample() {
        List<ModelManifest> models = ShippedTextModels.all();
        assertThat(models)
                .extracting(ModelManifest::id)
                .contains("text-spam:1.0.0", "text-spam:2.0.0", "text-abuse:1.0.0");
        for (ModelManifest m : models) {
            List<JsonNode> rows = ShippedTextModels.parity(m.name(), m.version());
            assertThat(rows).as(m.id() + " parity sample").hasSizeGreaterThanOrEqualTo(200);
            assertThat(rows.stream().map(r -> r.get("id").asText()).distinct().count())
                    .as(m.id())
                    .isEqualTo(rows.size());
            assertThat(rows.stream()
                            .map(r -> r.get("label").asText())
                            .distinct()
                            .count())
                    .as(m.id())
                    .isGreaterThan(1);
            assertThat(rows)
                    .allSatisfy(r -> assertThat(m.policies())
                            .allSatisfy(
                                    p -> assertThat(r.get("expected").has(p)).isTrue()));
        }
    }

    @ParameterizedTest(name = "{0}:{1} {2}")
    @MethodSource("shippedGraphs")
    void shouldMatchTrainerProbabilitiesOnTheParitySample(String name, String version, InputEncoding encoding) {
        OnnxModel model = registry.model(name, version, encoding);
        TextScorer scorer = new TextScorer(model);
        List<JsonNode> sample = ShippedTextModels.parity(name, version);
        List<String> policies = model.policies();
        double maxDiff = 0;
        String worst = "";
        for (int from = 0; from < sample.size(); from += 50) {
            List<JsonNode> batch = sample.subList(from, Math.min(sample.size(), from + 50));
            List<SparseVector> features = batch.stream()
                    .map(r -> scorer.featurize(r.get("text").asText()))
                    .toList();
            ScoreBatch scores = scorer.scoreFeatures(features);
            assertThat(scores.size()).isEqualTo(batch.size());
            for (int i = 0; i < batch.size(); i++) {
                for (int p = 0; p < policies.size(); p++) {
                    double expected =
                            batch.get(i).get("expected").get(policies.get(p)).asDouble();
                    double diff = Math.abs(scores.probability(i, p) - expected);
                    if (diff > maxDiff) {
                        maxDiff = diff;
                        worst = batch.get(i).get("id").asText() + "/" + policies.get(p);
                    }
                }
            }
        }
        System.out.printf(
                Locale.ROOT,
                "%s:%s %s parity: max |serving - trainer| = %.3e over %d texts (worst %s)%n",
                name,
                version,
                encoding,
                maxDiff,
                sample.size(),
                worst);
        assertThat(sample).isNotEmpty();
        assertThat(maxDiff)
                .as("max abs diff (%s:%s %s, worst %s)", name, version, encoding, worst)
                .isLessThanOrEqualTo(TextSpamTrainer.PARITY_TOLERANCE);
    }
}
