package io.moderato.udfs.text;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class Murmur3Test {

    private static int hash(String s, int seed) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        return Murmur3.hash32(b, 0, b.length, seed);
    }

    @Test
    void shouldMatchPublishedMurmur3X86_32Vectors() {
        // reference values of the canonical C implementation (SMHasher), also used by Guava's murmur3_32
        assertThat(hash("", 0)).isEqualTo(0);
        assertThat(hash("", 1)).isEqualTo(0x514E28B7);
        assertThat(hash("", 0xffffffff)).isEqualTo(0x81F16F39);
        assertThat(hash("hello", 0)).isEqualTo(0x248BFA47);
        assertThat(hash("The quick brown fox jumps over the lazy dog", 0)).isEqualTo(0x2E4FF723);
        assertThat(hash("aaaa", 0x9747b28c)).isEqualTo(0x5A97808A);
        assertThat(hash("abc", 0)).isEqualTo(0xB3DD93FA);
    }

    @Test
    void shouldHashOnlyTheGivenRange() {
        byte[] padded = "xxhelloyy".getBytes(StandardCharsets.UTF_8);
        assertThat(Murmur3.hash32(padded, 2, 5, 0)).isEqualTo(hash("hello", 0));
    }
}
