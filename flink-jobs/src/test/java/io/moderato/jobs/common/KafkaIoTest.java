package io.moderato.jobs.common;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

class KafkaIoTest {

    @Test
    void shouldLeaveTheTimestampToTheProducerWhateverTheElementsEventTime() throws Exception {
        var schema = new KafkaIo.StampedAtWrite<String>(
                "risk.decisions", element -> element.getBytes(StandardCharsets.UTF_8), element -> "key-" + element);
        long year3000 = 32_503_680_000_000L;

        ProducerRecord<byte[], byte[]> record = schema.serialize("c1", null, year3000);

        // null: the producer stamps its send time, which the broker always accepts and retention measures from
        assertThat(record.timestamp()).isNull();
        assertThat(record.topic()).isEqualTo("risk.decisions");
        assertThat(record.partition()).isNull();
        assertThat(new String(record.key(), StandardCharsets.UTF_8)).isEqualTo("key-c1");
        assertThat(new String(record.value(), StandardCharsets.UTF_8)).isEqualTo("c1");
        assertThat(new KafkaIo.StampedAtWrite<String>("t", e -> new byte[0], null)
                        .serialize("x", null, 1L)
                        .key())
                .isNull();
    }
}
