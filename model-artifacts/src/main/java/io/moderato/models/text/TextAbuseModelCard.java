package io.moderato.models.text;

import static io.moderato.models.eval.EvaluationMarkdown.f2;
import static io.moderato.models.eval.EvaluationMarkdown.f4;
import static io.moderato.models.eval.EvaluationMarkdown.tableRow;

import io.moderato.models.data.DavidsonTweets;
import io.moderato.models.eval.EvaluationMarkdown;
import io.moderato.models.eval.HeadEvaluation;
import io.moderato.models.eval.ModelEvaluation;
import io.moderato.models.eval.MulticlassEvaluation;
import io.moderato.models.train.LinearTextTrainer;
import io.moderato.models.train.ThresholdChoice;
import io.moderato.udfs.metrics.Intervals;
import io.moderato.udfs.metrics.ProportionEstimate;
import io.moderato.udfs.model.Calibration;
import io.moderato.udfs.model.ModelManifest;
import io.moderato.udfs.model.Provenance;
import io.moderato.udfs.model.TextScorer;
import io.moderato.udfs.text.FeaturizerSettings;
import io.moderato.udfs.text.TextFeaturizer;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/** Renders {@code MODEL_CARD.md} of text-abuse from the run's figures; no clock, no host names. */
final class TextAbuseModelCard {

    /** Fewer items than this in a group and its false-positive rate is withheld, not published. */
    static final int MIN_GROUP = 30;
    /** Address terms reclaimed in-group (African-American English; queer communities), matched on featurizer tokens. */
    static final Set<String> RECLAIMED = Set.of("nigga", "niggas", "niggaz", "queer", "queers", "dyke", "dykes");
    /** A crude lexical marker set of African-American English (no dialect classifier is available here). */
    static final Set<String> AAE_MARKERS = Set.of(
            "finna", "tryna", "aint", "ain't", "yall", "y'all", "bruh", "dat", "dis", "wit", "lil", "homie", "imma",
            "gon", "bout", "nah", "ion", "boutta", "thang", "trippin");

    static final String COUNTERFACTUAL_SUFFIX = " nigga";

    private TextAbuseModelCard() {}

    /** Share of a group of "neither" tweets flagged by each head at each of its thresholds. */
    record GroupRate(String group, int items, Map<String, long[]> flagged) {}

    /**
     * Bias measurements on the validation tweets the annotators' majority called "neither": flag rates (false
     * positives) of tweets containing reclaimed in-group terms and of tweets with African-American-English markers,
     * against the rest; and a counterfactual: the same tweets with {@value #COUNTERFACTUAL_SUFFIX} appended.
     */
    record Bias(
            List<GroupRate> groups,
            double meanShiftHarassment,
            double meanShiftHate,
            int counterfactualItems,
            long[] counterfactualFlaggedBefore,
            long[] counterfactualFlaggedAfter) {

        static Bias measure(
                TextScorer scorer,
                List<DavidsonTweets.Tweet> validation,
                ModelManifest manifest,
                Map<String, double[]> served) {
            List<Integer> neither = neitherIndices(validation);
            List<GroupRate> groups = groupRates(scorer.featurizer(), validation, neither, manifest, served);
            List<String> texts = neither.stream()
                    .map(i -> validation.get(i).text() + COUNTERFACTUAL_SUFFIX)
                    .toList();
            Map<String, double[]> after = ModelEvaluation.score(scorer, texts, m -> {});
            return withCounterfactual(groups, neither, manifest, served, after);
        }

        /** Indices of the validation tweets whose majority label is "neither". */
        private static List<Integer> neitherIndices(List<DavidsonTweets.Tweet> validation) {
            List<Integer> neither = new ArrayList<>();
            for (int i = 0; i < validation.size(); i++) {
                if (validation.get(i).majority() == DavidsonTweets.NEITHER) {
                    neither.add(i);
                }
            }
            return neither;
        }

        /** False-positive rates of the "neither" tweets, by reclaimed term, AAE marker, neither, and all. */
        private static List<GroupRate> groupRates(
                TextFeaturizer featurizer,
                List<DavidsonTweets.Tweet> validation,
                List<Integer> neither,
                ModelManifest manifest,
                Map<String, double[]> served) {
            List<Integer> reclaimed = new ArrayList<>();
            List<Integer> aae = new ArrayList<>();
            List<Integer> rest = new ArrayList<>();
            for (int i : neither) {
                Set<String> tokens =
                        new HashSet<>(featurizer.tokenize(validation.get(i).text()));
                boolean hasReclaimed = tokens.stream().anyMatch(RECLAIMED::contains);
                boolean hasAae = tokens.stream().anyMatch(AAE_MARKERS::contains);
                if (hasReclaimed) {
                    reclaimed.add(i);
                }
                if (hasAae) {
                    aae.add(i);
                }
                if (!hasReclaimed && !hasAae) {
                    rest.add(i);
                }
            }
            return List.of(
                    rate("\"neither\" with a reclaimed in-group term", reclaimed, manifest, served),
                    rate("\"neither\" with an African-American-English marker", aae, manifest, served),
                    rate("\"neither\" with neither", rest, manifest, served),
                    rate("all \"neither\"", neither, manifest, served));
        }

        /** The bias figures: the group rates, and how the counterfactual suffix ({@code after}) moves the scores. */
        private static Bias withCounterfactual(
                List<GroupRate> groups,
                List<Integer> neither,
                ModelManifest manifest,
                Map<String, double[]> served,
                Map<String, double[]> after) {
            double shiftHarassment = 0;
            double shiftHate = 0;
            long[] before = new long[2];
            long[] flaggedAfter = new long[2];
            double hateReview = manifest.defaultThresholds().get(TextAbuseTrainer.HATE + ".review");
            double harassmentReview = manifest.defaultThresholds().get(TextAbuseTrainer.HARASSMENT + ".review");
            for (int k = 0; k < neither.size(); k++) {
                int i = neither.get(k);
                shiftHarassment +=
                        after.get(TextAbuseTrainer.HARASSMENT)[k] - served.get(TextAbuseTrainer.HARASSMENT)[i];
                shiftHate += after.get(TextAbuseTrainer.HATE)[k] - served.get(TextAbuseTrainer.HATE)[i];
                before[0] += served.get(TextAbuseTrainer.HARASSMENT)[i] >= harassmentReview ? 1 : 0;
                before[1] += served.get(TextAbuseTrainer.HATE)[i] >= hateReview ? 1 : 0;
                flaggedAfter[0] += after.get(TextAbuseTrainer.HARASSMENT)[k] >= harassmentReview ? 1 : 0;
                flaggedAfter[1] += after.get(TextAbuseTrainer.HATE)[k] >= hateReview ? 1 : 0;
            }
            return new Bias(
                    groups,
                    shiftHarassment / neither.size(),
                    shiftHate / neither.size(),
                    neither.size(),
                    before,
                    flaggedAfter);
        }

        private static GroupRate rate(
                String name, List<Integer> items, ModelManifest manifest, Map<String, double[]> served) {
            Map<String, long[]> flagged = new java.util.LinkedHashMap<>();
            for (String policy : TextAbuseTrainer.POLICIES) {
                Map<String, Double> thresholds = ModelEvaluation.policyThresholds(manifest, policy);
                long[] counts = new long[thresholds.size()];
                int t = 0;
                for (double threshold : thresholds.values()) {
                    for (int i : items) {
                        counts[t] += served.get(policy)[i] >= threshold ? 1 : 0;
                    }
                    t++;
                }
                flagged.put(policy, counts);
            }
            return new GroupRate(name, items.size(), flagged);
        }
    }

    static String render(
            ModelManifest m,
            LinearTextTrainer.Selection selection,
            Map<String, ThresholdChoice.Choice> review,
            Map<String, ThresholdChoice.Choice> action,
            List<HeadEvaluation> evaluations,
            MulticlassEvaluation threeClass,
            Bias bias) {
        StringBuilder s = new StringBuilder();
        summary(s, m, threeClass);
        intendedUse(s);
        outputsAndThresholds(s, m, review, action);
        dataAndProtocol(s, m);
        modelSelection(s, selection);
        features(s, m);
        validationResults(s, m, evaluations, threeClass);
        knownFailureModes(s, threeClass, bias);
        servingArtifacts(s, m);
        reproduce(s);
        return s.toString();
    }

    private static void summary(StringBuilder s, ModelManifest m, MulticlassEvaluation threeClass) {
        s.append("# Model card: ")
                .append(m.name())
                .append(' ')
                .append(m.version())
                .append("\n\n");
        s.append("Two calibrated text heads for short user content (comments, messages, posts, transcripts):\n\n")
                .append(
                        "- `hate_speech`: P(the majority of annotators would call the text **hate speech**) — as Davidson et al. define it,\n")
                .append(
                        "  language used to express hatred towards a targeted group or meant to be derogatory, humiliating or insulting\n")
                .append("  to its members;\n")
                .append(
                        "- `harassment`: P(they would call it **hate speech or offensive language**) — anything but \"neither\".\n\n")
                .append(
                        "Trained on the Davidson et al. (ICWSM 2017) annotated tweets. On the held-out validation split: `hate_speech`\n")
                .append("ROC-AUC **")
                .append(f4(m.validationMetrics().get("hate_speech.roc_auc")))
                .append("**, `harassment` ROC-AUC **")
                .append(f4(m.validationMetrics().get("harassment.roc_auc")))
                .append("**, three-class weighted F1 **")
                .append(f4(threeClass.weightedF1()))
                .append("**, ECE ")
                .append(f4(m.validationMetrics().get("hate_speech.ece")))
                .append(" / ")
                .append(f4(m.validationMetrics().get("harassment.ece")))
                .append(".\n\n")
                .append(
                        "**Content warning:** the examples and data behind this card are racist, sexist and homophobic.\n\n")
                .append(
                        "This file is generated by `io.moderato.models.text.TextAbuseTrainer`; edit the trainer, not this file.\n\n");
    }

    private static void intendedUse(StringBuilder s) {
        s.append("## Intended use\n\n")
                .append(
                        "- The text signal of the `hate_speech` and `harassment` policies in the DetectionJob, on `text` and `transcript`:\n")
                .append(
                        "  the calibrated probability is fused with user context into a per-policy risk and banded by the policy thresholds.\n")
                .append(
                        "- Ranking items for human review. Its precision does not support removing hate speech without a reviewer (see\n")
                .append("  the action threshold below).\n\n")
                .append(
                        "Not intended for: judging text that is not English; deciding about a person rather than a text; any surface\n")
                .append(
                        "before thresholds have been checked on its own reviewed traffic (the base rates here are far from a platform's).\n\n");
    }

    private static void outputsAndThresholds(
            StringBuilder s,
            ModelManifest m,
            Map<String, ThresholdChoice.Choice> review,
            Map<String, ThresholdChoice.Choice> action) {
        s.append("## Outputs and thresholds\n\n")
                .append(
                        "| column | policy | calibration (Platt: 1 / (1 + exp(a·logit(p) + b))) | review ≥ | action ≥ |\n|---|---|---|---:|---:|\n");
        for (int p = 0; p < m.policies().size(); p++) {
            String policy = m.policies().get(p);
            Calibration cal = m.calibrationFor(policy);
            s.append("| ")
                    .append(p)
                    .append(" | `")
                    .append(policy)
                    .append("` | a = ")
                    .append(f4(cal.a()))
                    .append(", b = ")
                    .append(f4(cal.b()))
                    .append(" | ")
                    .append(f2(m.defaultThresholds().get(policy + ".review")))
                    .append(" | ")
                    .append(f2(m.defaultThresholds().get(policy + ".action")))
                    .append(" |\n");
        }
        s.append(
                        "\nThe calibration is part of serving: the udfs scorer applies it to the graph's output, so a score — and the\n")
                .append(
                        "thresholds in `policy-defaults.json`, which equal the ones above — is a probability on data like the training\n")
                .append(
                        "data. How each threshold was chosen, on the **cross-validated scores of the training split** (never the\n")
                .append("validation split):\n\n");
        for (String policy : m.policies()) {
            s.append("- `")
                    .append(policy)
                    .append("` review: ")
                    .append(review.get(policy).describe())
                    .append(";\n");
            s.append("- `")
                    .append(policy)
                    .append("` action: ")
                    .append(action.get(policy).describe())
                    .append(";\n");
        }
        s.append(
                        "\nWith `action` at 1.00 no calibrated score reaches it: the policy never acts automatically and sends everything\n")
                .append("above `review` to people.\n\n");
    }

    private static void dataAndProtocol(StringBuilder s, ModelManifest m) {
        Provenance p = m.trainingData();
        var c = p.counts();
        s.append("## Data and protocol\n\n").append("| | |\n|---|---|\n");
        tableRow(s, "source", p.source());
        tableRow(s, "file", "`" + p.packageName() + "` (" + p.packageVersion() + ")");
        tableRow(s, "licence", p.license());
        tableRow(s, "split", p.split() + ", seed " + p.seed());
        for (String part : List.of("train", "validation")) {
            tableRow(
                    s,
                    part,
                    c.get(part + ".hate") + " hate speech, " + c.get(part + ".offensive") + " offensive, "
                            + c.get(part + ".neither") + " neither");
        }
        tableRow(
                s,
                "targets",
                "soft: the share of annotators voting hate speech (head 0) and not voting neither (head 1); each tweet"
                        + " trains as a positive example weighted by that share and a negative one weighted by the rest");
        tableRow(s, "labels for calibration, thresholds, metrics", "the annotators' majority class, as published");
        tableRow(
                s,
                "held back",
                "4,976 tweets of the published 24,783 are not in the repository (independent evaluation)");
        s.append('\n');
    }

    private static void modelSelection(StringBuilder s, LinearTextTrainer.Selection selection) {
        s.append("## Model selection (cross-validation inside the training split)\n\n")
                .append("Each recipe was trained ")
                .append(TextAbuseTrainer.FOLDS)
                .append(" times, each time scoring the fold it did not see;")
                .append(
                        " Platt calibration was fitted\non those out-of-fold scores and the recipe with the lowest mean calibrated log loss")
                .append(
                        " relative to a constant\nbase-rate predictor was kept. The validation split played no part.\n\n")
                .append(
                        "| recipe | settings | `hate_speech` ROC-AUC | `harassment` ROC-AUC | relative log loss | |\n|---|---|---:|---:|---:|---|\n");
        for (int r = 0; r < selection.results().size(); r++) {
            LinearTextTrainer.CandidateResult cr = selection.results().get(r);
            tableRow(
                    s,
                    cr.recipe().name(),
                    cr.recipe().describe(),
                    f4(cr.rocAuc()[0]),
                    f4(cr.rocAuc()[1]),
                    f4(cr.score()),
                    r == selection.chosen() ? "**chosen**" : "");
        }
    }

    private static void features(StringBuilder s, ModelManifest m) {
        var c = m.trainingData().counts();
        FeaturizerSettings f = m.featurizer();
        s.append("\n## Features\n\n")
                .append(
                        "The udfs `TextFeaturizer` with the settings in `manifest.json` (serving reads them from there): ")
                .append(f.dimensions())
                .append(" hashed\ndimensions, ")
                .append(CardPhrases.ngramsAndScaling(f))
                .append(
                        f.normalization() == null
                                ? ""
                                : "; short-text rules: HTML entities decoded, `@handles` → `<mention>`,"
                                        + " letters repeated 3+ times cut to 2,\nleetspeak read inside words (`n1gga` → `nigga`, `b!tch` → `bitch`, `f*ck` → `f_ck`)")
                .append(". URLs, e-mail addresses and numbers are the tokens `<url>`, `<email>`, `<num>`.\n")
                .append(c.get("features.seen_in_training"))
                .append(" distinct hashed features occur in training.\n\n");
    }

    private static void validationResults(
            StringBuilder s, ModelManifest m, List<HeadEvaluation> evaluations, MulticlassEvaluation threeClass) {
        var c = m.trainingData().counts();
        int trainSize = c.get("train.hate") + c.get("train.offensive") + c.get("train.neither");
        s.append("## Validation results (held-out ")
                .append(Math.round(TextAbuseTrainer.VALIDATION_FRACTION * 100))
                .append("%, scored through the serving path)\n\n")
                .append(
                        "Everything below is computed by the same code as `scripts/evaluate.sh` (`ModelEvaluation`, `EvaluationMarkdown`),\n")
                .append(
                        "on the scores the udfs `ModelRegistry` returns for the committed model; `TextModelCardTest` recomputes the\n")
                .append("figures from the committed data on every build.\n\n");
        for (HeadEvaluation e : evaluations) {
            s.append("### `")
                    .append(e.policy())
                    .append("`\n\n")
                    .append(EvaluationMarkdown.render(e))
                    .append('\n');
        }
        s.append("### Three classes, against the published result\n\n")
                .append(
                        "Predicted class: the most probable of P(hate speech) = `hate_speech`, P(offensive) = `harassment` −\n")
                .append(
                        "`hate_speech` (0 if negative) and P(neither) = 1 − `harassment` — an argmax, as in the published protocol.\n")
                .append("The policies do not use this rule; they band each head at its own thresholds.\n\n")
                .append(threeClass.markdown())
                .append('\n')
                .append(
                        "| | overall precision | overall recall | overall F1 | hate precision | hate recall |\n|---|---:|---:|---:|---:|---:|\n")
                .append("| Davidson et al. 2017 (published) | 0.91 | 0.90 | 0.90 | 0.44 | 0.61 |\n")
                .append("| this model, validation split | ")
                .append(f2(threeClass.weightedPrecision()))
                .append(" | ")
                .append(f2(threeClass.weightedRecall()))
                .append(" | ")
                .append(f2(threeClass.weightedF1()))
                .append(" | ")
                .append(f2(threeClass.precision(DavidsonTweets.HATE)))
                .append(" | ")
                .append(f2(threeClass.recall(DavidsonTweets.HATE)))
                .append(" |\n\n")
                .append(
                        "The protocols differ: Davidson et al. report 5-fold cross-validation on all 24,783 tweets with a one-vs-rest\n")
                .append(
                        "logistic regression over TF-IDF word n-grams, part-of-speech n-grams, readability, sentiment and count features,\n")
                .append(
                        "with an argmax decision; here a single fixed 20% split of the 19,807 committed tweets is scored, training on\n")
                .append(String.format(
                        Locale.ROOT,
                        "%,d tweets — %.0f%% fewer than each of their folds (80%% of 24,783)",
                        trainSize,
                        100 * (1 - trainSize / (0.8 * 24_783))))
                .append(
                        " — with hashed word and character n-grams\nand two independently calibrated heads. The figures are comparable")
                .append(" in kind, not identical in protocol.\n\n");
    }

    private static void knownFailureModes(StringBuilder s, MulticlassEvaluation threeClass, Bias bias) {
        dialectBiasRates(s, bias);
        dialectCounterfactual(s, bias);
        otherFailureModes(s, threeClass);
    }

    private static void dialectBiasRates(StringBuilder s, Bias bias) {
        s.append("## Known failure modes and bias\n\n")
                .append(
                        "- **Dialect bias (documented for this data set).** Davidson et al. (2017) and Davidson, Bhattacharya and Weber\n")
                .append(
                        "  (2019) show that tweets in African-American English are more often labelled offensive or hateful, and\n")
                .append(
                        "  models trained on such labels inherit it. In this data, annotators never gave \"neither\" to a tweet\n")
                .append(
                        "  containing `nigga`, so a model learns the word itself as abuse. Measured on the validation tweets the\n")
                .append(
                        "  majority called \"neither\" (false-positive rates, flagged = score ≥ threshold; 95% Wilson intervals; a\n")
                .append("  group with fewer than ")
                .append(MIN_GROUP)
                .append(" tweets has its rate withheld as too small to estimate):\n\n")
                .append(
                        "| group | tweets | `harassment` ≥ review | `harassment` ≥ action | `hate_speech` ≥ review |\n|---|---:|---|---|---|\n");
        for (GroupRate g : bias.groups()) {
            s.append("| ")
                    .append(g.group())
                    .append(" | ")
                    .append(g.items())
                    .append(" | ")
                    .append(groupRate(g, TextAbuseTrainer.HARASSMENT, 0))
                    .append(" | ")
                    .append(groupRate(g, TextAbuseTrainer.HARASSMENT, 1))
                    .append(" | ")
                    .append(groupRate(g, TextAbuseTrainer.HATE, 0))
                    .append(" |\n");
        }
    }

    private static void dialectCounterfactual(StringBuilder s, Bias bias) {
        s.append("\n  Reclaimed terms: `")
                .append(String.join("`, `", new java.util.TreeSet<>(RECLAIMED)))
                .append("`; AAE markers (a crude lexical proxy — no dialect\n  classifier is available here): `")
                .append(String.join("`, `", new java.util.TreeSet<>(AAE_MARKERS)))
                .append("`.\n\n")
                .append("  Counterfactual: appending the in-group address term \"")
                .append(COUNTERFACTUAL_SUFFIX.trim())
                .append("\" to each of the ")
                .append(bias.counterfactualItems())
                .append(" \"neither\" validation tweets\n  raises `harassment` by ")
                .append(f4(bias.meanShiftHarassment()))
                .append(" and `hate_speech` by ")
                .append(f4(bias.meanShiftHate()))
                .append(" on average; tweets at or above the")
                .append(" review threshold go from\n  ")
                .append(bias.counterfactualFlaggedBefore()[0])
                .append(" to ")
                .append(bias.counterfactualFlaggedAfter()[0])
                .append(" (`harassment`) and from ")
                .append(bias.counterfactualFlaggedBefore()[1])
                .append(" to ")
                .append(bias.counterfactualFlaggedAfter()[1])
                .append(" (`hate_speech`). The model reads the word,\n")
                .append(
                        "  not who says it to whom: route such items to reviewers who know the dialect, and never act automatically on\n")
                .append("  `harassment` alone for them.\n");
    }

    private static void otherFailureModes(StringBuilder s, MulticlassEvaluation threeClass) {
        long falseHate = threeClass.confusion()[DavidsonTweets.OFFENSIVE][DavidsonTweets.HATE]
                + threeClass.confusion()[DavidsonTweets.NEITHER][DavidsonTweets.HATE];
        s.append(
                        "- **Sampling and base rates.** The tweets were collected by searching for lexicon terms, so 83% of them are\n")
                .append(
                        "  offensive: the probabilities are calibrated to that mix. On platform traffic, where abuse is rare, the same\n")
                .append(
                        "  score overstates the probability and precision at a threshold will be much lower; recalibrate on reviewed\n")
                .append("  platform labels before relying on the numbers.\n")
                .append("- **Hate versus offensive is hard.** Of the ")
                .append(falseHate)
                .append(" validation tweets the three-class rule wrongly calls hate speech,\n")
                .append("  ")
                .append(threeClass.confusion()[DavidsonTweets.OFFENSIVE][DavidsonTweets.HATE])
                .append(" are offensive language (slurs and insults without a targeted group), and of the ")
                .append(threeClass.support(DavidsonTweets.HATE))
                .append(" hate-speech tweets\n  ")
                .append(threeClass.confusion()[DavidsonTweets.HATE][DavidsonTweets.OFFENSIVE])
                .append(" are taken for offensive language and ")
                .append(threeClass.confusion()[DavidsonTweets.HATE][DavidsonTweets.NEITHER])
                .append(" for neither. Hate speech without slurs (coded or polite)\n")
                .append("  is mostly missed: a bag of n-grams sees words, not intent.\n")
                .append(
                        "- **Time, place, language.** English tweets collected for a 2017 study; slang and targets drift. Other\n")
                .append("  languages score close to the base rate at best.\n")
                .append(
                        "- **Obfuscation.** Leetspeak, masked letters and elongations are normalised and character n-grams share\n")
                .append(
                        "  evidence between spellings, but spacing tricks (\"n i g\") and homoglyphs NFKC does not fold get through.\n\n");
    }

    private static void servingArtifacts(StringBuilder s, ModelManifest m) {
        FeaturizerSettings f = m.featurizer();
        s.append("## Serving artifacts\n\n")
                .append("| file | contents |\n|---|---|\n")
                .append(
                        "| `manifest.json` | featurizer settings, policies, Platt calibration, thresholds, reference histograms of the ")
                .append("validation scores (drift baseline), provenance, validation figures |\n")
                .append(
                        "| `model.sparse.onnx` | COO input (`indices`, `values`, `rows`, `batch_size`) → `probabilities` float32 [N, ")
                .append(m.policies().size())
                .append("], the raw sigmoid(x·W + b) of the heads (opset 16) |\n\n")
                .append(
                        "No dense graph is shipped: serving prefers the sparse one, and a dense graph would add another ")
                .append(String.format(
                        Locale.ROOT, "%.1f", f.dimensions() * m.policies().size() * 4 / 1048576.0))
                .append(" MiB of weights.\n")
                .append(
                        "The trainer reloads the graph through the udfs `ModelRegistry` and requires |serving − trainer| ≤ 1e-5 on every\n")
                .append("validation tweet; `TextModelParityTest` repeats that on the committed parity sample.\n\n");
    }

    private static void reproduce(StringBuilder s) {
        s.append(
                        "## Reproduce\n\n```\nscripts/train-models.sh --model text-abuse    # about 15–30 minutes on 2 cores\n")
                .append("scripts/evaluate.sh --model text-abuse --policy hate_speech --input <labelled.csv> \\\n")
                .append("    --text-column tweet --label-column class --positive 0\n```\n");
    }

    private static String groupRate(GroupRate g, String policy, int threshold) {
        long flagged = g.flagged().get(policy)[threshold];
        if (g.items() < MIN_GROUP) {
            return flagged + " of " + g.items() + " (rate withheld: fewer than " + MIN_GROUP + " tweets)";
        }
        ProportionEstimate e = Intervals.wilson((double) flagged / g.items(), g.items(), Intervals.twoSidedZ(0.95));
        return f4(e.value()) + " [" + f4(e.lower()) + ", " + f4(e.upper()) + "] (" + flagged + ")";
    }
}
