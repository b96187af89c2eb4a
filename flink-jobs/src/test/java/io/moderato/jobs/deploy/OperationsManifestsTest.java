package io.moderato.jobs.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * What SREs rely on besides the deployments: the PrometheusRule alerts on every failure the runbook names,
 * each on a metric the jobs really register (a renamed counter would leave an alert that never fires),
 * and the FeedbackJob's training files going to S3 through a plugin the image installs.
 */
class OperationsManifestsTest {

    private static final Path SOURCES = Path.of("src/main/java");
    private static final Pattern JOB_METRIC = Pattern.compile("flink_taskmanager_job_task_operator_([A-Za-z_]+)");

    @SuppressWarnings("unchecked")
    private static Map<String, String> alerts() throws IOException {
        Path file = KubernetesManifestsTest.K8S.resolve("base/prometheusrule.yaml");
        Map<String, Object> rule =
                KubernetesManifestsTest.documents(Files.readString(file)).get(0);
        assertThat(rule.get("kind")).isEqualTo("PrometheusRule");
        Map<String, String> alerts = new java.util.TreeMap<>();
        for (Map<String, Object> group :
                (List<Map<String, Object>>) ((Map<String, Object>) rule.get("spec")).get("groups")) {
            for (Map<String, Object> r : (List<Map<String, Object>>) group.get("rules")) {
                alerts.put((String) r.get("alert"), String.valueOf(r.get("expr")));
            }
        }
        return alerts;
    }

    @Test
    void shouldAlertOnEveryFailureTheRunbookNames() throws IOException {
        assertThat(alerts())
                .containsKeys(
                        "ModeratoDeadLettersRising",
                        "ModeratoScoreDrift",
                        "ModeratoLabelDrift",
                        "ModeratoCheckpointsFailing",
                        "ModeratoBackpressure",
                        "ModeratoReviewBacklogPastSla",
                        "ModeratoModelFailedToLoad",
                        "ModeratoFailSafeDecisions",
                        "ModeratoModelNotLoaded");
        assertThat(Files.readString(KubernetesManifestsTest.K8S.resolve("base/kustomization.yaml")))
                .contains("- prometheusrule.yaml");
    }

    @Test
    void everyJobMetricAnAlertReadsShouldBeRegisteredByTheCode() throws IOException {
        String code = sources();
        Set<String> missing = new TreeSet<>();
        for (var alert : alerts().entrySet()) {
            Matcher m = JOB_METRIC.matcher(alert.getValue());
            while (m.find()) {
                // Flink's Prometheus name: key/value groups become name parts, the metric's own name comes last
                String[] parts = m.group(1).split("_");
                String metric = parts[parts.length - 1];
                List<String> groups = List.of(parts).subList(0, parts.length - 1);
                boolean registered = code.contains("counter(\"" + metric + "\")")
                        || code.contains("gauge(\"" + metric + "\"")
                        || code.contains("counter(shedByQueue, queue, \"" + metric + "\")")
                        || code.contains("count(failSafeCounters, policy, null, null, \"" + metric + "\")");
                boolean grouped = groups.stream().allMatch(g -> code.contains("addGroup(\"" + g + "\""));
                if (!registered || !grouped) {
                    missing.add(alert.getKey() + ": " + m.group());
                }
            }
        }
        assertThat(missing)
                .as("job metrics read by alerts but not registered as such in src/main/java")
                .isEmpty();
    }

    @Test
    void feedbackTrainingFilesShouldGoToS3ThroughThePluginTheImageInstalls() throws IOException {
        String feedback = Files.readString(KubernetesManifestsTest.K8S.resolve("base/feedback.yaml"));
        Matcher files =
                Pattern.compile("- --feedback\\.files\\.path\\s+- (\\S+)").matcher(feedback);
        assertThat(files.find())
                .as("--feedback.files.path in the FeedbackJob's args")
                .isTrue();
        assertThat(files.group(1)).startsWith("s3a://STATE_BUCKET/");
        assertThat(Files.readString(KubernetesManifestsTest.K8S.resolve("components/environment/kustomization.yaml")))
                .contains("spec.job.args.[=" + files.group(1) + "]");
        assertThat(Files.readString(KubernetesManifestsTest.K8S.resolve("Dockerfile")))
                .contains("cp \"$FLINK_HOME\"/opt/flink-s3-fs-hadoop-*.jar \"$FLINK_HOME/plugins/s3-fs-hadoop/\"");
    }

    private static String sources() throws IOException {
        List<String> texts = new ArrayList<>();
        try (Stream<Path> files = Files.walk(SOURCES)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                texts.add(Files.readString(f));
            }
        }
        return String.join("\n", texts);
    }
}
