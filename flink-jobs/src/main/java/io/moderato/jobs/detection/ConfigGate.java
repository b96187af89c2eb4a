package io.moderato.jobs.detection;

import io.moderato.jobs.common.PolicyBook;
import io.moderato.schemas.ConfigAudit;
import io.moderato.schemas.ModelVersion;
import io.moderato.schemas.PolicyConfig;
import io.moderato.udfs.config.ConfigVerdict;
import io.moderato.udfs.input.RecordBounds;
import io.moderato.udfs.model.ContentScorer;
import io.moderato.udfs.model.ModelRegistry;
import io.moderato.udfs.model.ModelSource;
import io.moderato.udfs.model.OnnxModel;
import io.moderato.udfs.model.ScoringOptions;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.metrics.Counter;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Decides what happens to every submitted policy config before any operator uses it: its own
 * rules and sizes ({@code PolicyConfigValidator}), its version against the config in force, the
 * number of policies, and whether every model it names loads and fits its modality. Only accepted
 * configs go on (main output), to be broadcast to the scorer and the decider; every submission
 * gets one {@link ConfigAudit} (side output). So a config naming a model that cannot be loaded is
 * REJECTED and never replaces a working one, and after a failover every operator restores the
 * last configs whose models loaded. Runs with parallelism 1: configs are rare, and one instance
 * sees every policy. Accepted configs are operator state.
 */
public final class ConfigGate extends ProcessFunction<PolicyConfig, PolicyConfig> implements CheckpointedFunction {

    /** Policies in force at most: every decision carries one PolicyDecision per policy, so this bounds its size. */
    public static final int MAX_POLICIES = 64;
    /** What an audit record echoes of a rejected submission: strings and lists cut to these. */
    static final int AUDIT_MAX_CHARS = 256;

    static final int AUDIT_MAX_ITEMS = 32;
    static final int AUDIT_MAX_VIOLATIONS = 50;
    static final int VIOLATION_MAX_CHARS = 512;

    private final List<PolicyConfig> defaults;
    private final String modelsDir;
    private final int intraOpThreads;

    private transient PolicyBook book;
    private transient ListState<PolicyConfig> acceptedState;
    private transient ModelRegistry registry;
    private transient Counter rejected;

    public ConfigGate(List<PolicyConfig> defaults, String modelsDir, int intraOpThreads) {
        this.defaults = List.copyOf(defaults);
        this.modelsDir = modelsDir;
        this.intraOpThreads = intraOpThreads;
    }

    @Override
    public void initializeState(FunctionInitializationContext context) throws Exception {
        acceptedState = context.getOperatorStateStore()
                .getListState(
                        new ListStateDescriptor<>("config-gate-accepted", new AvroTypeInfo<>(PolicyConfig.class)));
        book = new PolicyBook(defaults);
        for (PolicyConfig accepted : acceptedState.get()) {
            book.restore(accepted);
        }
    }

    @Override
    public void open(OpenContext openContext) {
        rejected = getRuntimeContext().getMetricGroup().counter("configsRejected");
    }

    @Override
    public void processElement(PolicyConfig config, Context ctx, Collector<PolicyConfig> out) {
        PolicyBook.Outcome outcome = book.offer(config, this::beyondItsRules);
        if (outcome.accepted()) {
            out.collect(config);
        } else if (ConfigVerdict.REJECTED.equals(outcome.verdict().status())) {
            rejected.inc();
        }
        ctx.output(
                DetectionState.CONFIG_AUDIT,
                audit(config, outcome, ctx.timerService().currentProcessingTime()));
    }

    /** The checks a config's own fields cannot answer: room for one more policy, and models that load. */
    private List<String> beyondItsRules(PolicyConfig config) {
        List<String> violations = new ArrayList<>();
        if (book.get(config.getPolicyId()) == null && book.current().size() >= MAX_POLICIES) {
            violations.add("policyId = '" + config.getPolicyId() + "' would be policy "
                    + (book.current().size() + 1) + ": at most " + MAX_POLICIES + " policies can be in force");
        }
        models(violations, "activeModels", config.getActiveModels());
        models(violations, "shadowModels", config.getShadowModels());
        return violations;
    }

    private void models(List<String> violations, String field, List<ModelVersion> models) {
        for (int i = 0; i < models.size(); i++) {
            ModelVersion m = models.get(i);
            try {
                OnnxModel model = registry().model(m.getName(), m.getVersion());
                ContentScorer.checkModality(m.getModality(), model);
            } catch (RuntimeException e) {
                violations.add(field + "[" + i + "] = " + m.getModality() + ":" + m.getName() + ":" + m.getVersion()
                        + " cannot be used: " + e.getMessage());
            } finally {
                // the scorer loads its own copy; this one only had to prove that it loads
                registry().unload(m.getName(), m.getVersion());
            }
        }
    }

    private ModelRegistry registry() {
        if (registry == null) {
            ModelSource source =
                    modelsDir == null ? ModelSource.classpath("models") : ModelSource.directory(Path.of(modelsDir));
            registry = ModelRegistry.open(source, new ScoringOptions(intraOpThreads));
        }
        return registry;
    }

    /** One audit record per submission, small whatever was submitted. */
    static ConfigAudit audit(PolicyConfig config, PolicyBook.Outcome outcome, long now) {
        ConfigVerdict verdict = outcome.verdict();
        List<String> violations = new ArrayList<>();
        for (String v : verdict.violations()) {
            if (violations.size() == AUDIT_MAX_VIOLATIONS) {
                violations.add("… and " + (verdict.violations().size() - AUDIT_MAX_VIOLATIONS) + " more");
                break;
            }
            violations.add(v.length() <= VIOLATION_MAX_CHARS ? v : v.substring(0, VIOLATION_MAX_CHARS) + "…");
        }
        return ConfigAudit.newBuilder()
                .setPolicyId(config.getPolicyId())
                .setVersion(config.getVersion())
                .setStatus(verdict.status())
                .setReason(verdict.reason(config.getVersion()))
                .setViolations(violations)
                .setPreviousVersion(
                        outcome.previous() == null ? null : outcome.previous().getVersion())
                // an accepted config is within its size limits; a rejected one may be anything
                .setSubmitted(
                        outcome.accepted() ? config : RecordBounds.shrunk(config, AUDIT_MAX_CHARS, AUDIT_MAX_ITEMS))
                .setJob(DetectionJob.NAME)
                .setProcessedAtMillis(now)
                .build();
    }

    @Override
    public void snapshotState(FunctionSnapshotContext context) throws Exception {
        acceptedState.update(new ArrayList<>(book.submitted()));
    }

    @Override
    public void close() {
        if (registry != null) {
            registry.close();
        }
    }
}
