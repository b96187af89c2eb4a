package io.moderato.jobs.deploy.probe;

import java.net.URL;
import java.nio.file.Path;
import java.util.List;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.util.FlinkUserCodeClassLoaders;
import org.apache.flink.util.MutableURLClassLoader;

/**
 * Runs in a fresh JVM whose classpath is only what a Flink cluster provides (plus this class): loads
 * the job jar through Flink's own user-code class loader (child-first, default parent-first patterns),
 * as a JobManager in application mode and every TaskManager do, and runs {@link JobJarProbe} inside it.
 * Uses nothing but Flink and the JDK, so that no job class can reach the probe from the parent.
 *
 * <p>Arguments: the job jar, the folder holding the compiled {@code JobJarProbe} classes.
 */
public final class ProbeLauncher {

    private ProbeLauncher() {}

    public static void main(String[] args) throws Exception {
        Path jobJar = Path.of(args[0]);
        Path probeClasses = Path.of(args[1]);
        URL[] userCode = {jobJar.toUri().toURL(), probeClasses.toUri().toURL()};
        try (MutableURLClassLoader userLoader =
                FlinkUserCodeClassLoaders.create(userCode, ProbeLauncher.class.getClassLoader(), new Configuration())) {
            Thread.currentThread().setContextClassLoader(userLoader);
            Class<?> probe = Class.forName("io.moderato.jobs.deploy.probe.JobJarProbe", true, userLoader);
            @SuppressWarnings("unchecked")
            List<String> report = (List<String>) probe.getMethod("run").invoke(null);
            report.forEach(System.out::println);
        }
        System.out.println("PROBE OK");
    }
}
