package io.moderato.jobs.feedback;

import io.moderato.udfs.metrics.WeightedScoreHistogram;
import io.moderato.udfs.model.ModelManifest;
import io.moderato.udfs.model.ModelRegistry;
import io.moderato.udfs.model.ModelSource;
import io.moderato.udfs.model.ReferenceHistogram;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The reference score histograms of the model manifests (read without loading any ONNX graph),
 * brought onto the drift operator's fine bins. Manifests are read once per model version and
 * cached; a model or policy without a reference gives empty, and the drift check is skipped.
 *
 * <p>Bins: a window is counted on {@link ScoreWindow#BINS} fine bins with
 * {@link WeightedScoreHistogram#binOf}; {@link #regroup} sums fine bin i into the reference bin
 * holding its lower edge i/100. That is exact when every reference edge is a fine edge (the bundled
 * manifests have 20 bins of 0.05), else approximate ({@link Reference#exact} is false). The
 * manifests' own counts were made with ⌊score·bins⌋, which differs from {@code binOf} only for
 * scores lying exactly on an edge after rounding (e.g. 0.15); that is noise on reference counts.
 * PSI then regroups both into ≤ 10 equal-reference-mass groups (udfs/docs/statistics.md).
 */
public final class ReferenceHistograms implements Serializable {

    private static final long serialVersionUID = 1L;

    /** A reference histogram with the map from fine bins to its bins. */
    public record Reference(ReferenceHistogram histogram, int[] fineToReference, boolean exact) {

        /** The window's fine counts summed onto the reference bins. */
        public double[] regroup(double[] fineCounts) {
            double[] grouped = new double[histogram.counts().length];
            for (int i = 0; i < fineCounts.length; i++) {
                grouped[fineToReference[i]] += fineCounts[i];
            }
            return grouped;
        }
    }

    private final String modelsDir;
    private transient ModelSource source;
    private transient Map<String, Optional<ModelManifest>> manifests;

    /** @param modelsDir a folder of {@code <name>/<version>/manifest.json}, or null for the bundled models */
    public ReferenceHistograms(String modelsDir) {
        this.modelsDir = modelsDir;
    }

    /** The reference of {@code policy} in model {@code name:version}; empty when there is none. */
    public Optional<Reference> reference(String name, String version, String policy) {
        return manifest(name, version)
                .map(m -> m.referenceHistograms().get(policy))
                .map(ReferenceHistograms::onFineBins);
    }

    private Optional<ModelManifest> manifest(String name, String version) {
        if (manifests == null) {
            manifests = new HashMap<>();
            source = modelsDir == null ? ModelSource.classpath("models") : ModelSource.directory(Path.of(modelsDir));
        }
        return manifests.computeIfAbsent(name + ":" + version, k -> read(name, version));
    }

    private Optional<ModelManifest> read(String name, String version) {
        try (InputStream in = source.open(name, version, ModelRegistry.MANIFEST_FILE)) {
            return Optional.of(ModelManifest.read(in, source.describe(name, version, ModelRegistry.MANIFEST_FILE)));
        } catch (FileNotFoundException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the manifest of " + name + ":" + version, e);
        }
    }

    /** A reference made of counts on the fine bins themselves (a traffic baseline): exact, one bin per fine bin. */
    static Reference ofFineCounts(double[] fineCounts) {
        double[] edges = new double[ScoreWindow.BINS + 1];
        for (int i = 0; i <= ScoreWindow.BINS; i++) {
            edges[i] = WeightedScoreHistogram.edge(i, ScoreWindow.BINS);
        }
        return onFineBins(new ReferenceHistogram(edges, fineCounts.clone()));
    }

    /** Maps each fine bin to the reference bin holding its lower edge. */
    static Reference onFineBins(ReferenceHistogram reference) {
        double[] edges = reference.binEdges();
        int bins = ScoreWindow.BINS;
        int[] map = new int[bins];
        for (int i = 0; i < bins; i++) {
            double lower = WeightedScoreHistogram.edge(i, bins);
            int r = 0;
            while (r + 1 < edges.length - 1 && lower >= edges[r + 1]) {
                r++;
            }
            map[i] = r;
        }
        boolean exact = true;
        for (double edge : edges) {
            double k = edge * bins;
            if (Math.abs(k - Math.rint(k)) > 1e-9 || WeightedScoreHistogram.edge((int) Math.rint(k), bins) != edge) {
                exact = false;
            }
        }
        exact &= edges[0] <= 0.0 && edges[edges.length - 1] >= 1.0;
        return new Reference(reference, map, exact);
    }
}
