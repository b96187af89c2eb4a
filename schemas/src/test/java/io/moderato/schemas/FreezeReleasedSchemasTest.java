package io.moderato.schemas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class FreezeReleasedSchemasTest {

    @TempDir
    Path dir;

    @ParameterizedTest(name = "{0}")
    @EnumSource(Topic.class)
    void shouldFreezeASelfContainedSchemaWithoutJavaHints(Topic topic) {
        String json = ReleasedSchemas.frozenJson(topic.schema());
        Schema frozen = new Schema.Parser().parse(json);

        assertThat(json).doesNotContain("avro.java.string");
        assertThat(SchemaNormalization.parsingFingerprint64(frozen))
                .isEqualTo(SchemaNormalization.parsingFingerprint64(topic.schema()));
        assertThat(frozen.getDoc()).isEqualTo(topic.schema().getDoc());
        assertThat(CompatibilityGate.incompatibilities("frozen", frozen, topic.schema()))
                .isEmpty();
    }

    @Test
    void shouldFreezeEveryTopicRecordOnceAndSkipUnchangedOnesAtTheNextRelease() throws IOException {
        FreezeReleasedSchemas.main(new String[] {"1", dir.toString()});
        FreezeReleasedSchemas.main(new String[] {"1", dir.toString()});
        FreezeReleasedSchemas.main(new String[] {"2", dir.toString()});

        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files.map(f -> f.getFileName().toString()))
                    .hasSize((int) Arrays.stream(Topic.values())
                            .map(t -> t.schema().getName())
                            .distinct()
                            .count())
                    .allMatch(f -> f.endsWith(".v1.avsc"));
        }
    }

    @Test
    void shouldNeverOverwriteAFrozenVersion() throws IOException {
        Files.writeString(dir.resolve("ContentEvent.v1.avsc"), "{\"type\": \"string\"}", StandardCharsets.UTF_8);

        assertThatThrownBy(() -> FreezeReleasedSchemas.main(new String[] {"1", dir.toString()}))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("ContentEvent.v1.avsc")
                .hasMessageContaining("immutable");
    }
}
