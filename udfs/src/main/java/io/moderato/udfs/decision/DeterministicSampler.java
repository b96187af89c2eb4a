package io.moderato.udfs.decision;

import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * Pseudo-random draws that are a pure function of (seed, contentId, salt), so a replay of the same
 * events decides exactly as the original run did and a sampled item can be re-derived offline.
 * Use a different salt per purpose (e.g. {@code "audit:" + policyId}, {@code "capacity:" + queue})
 * so that the draws of different decisions are independent of each other.
 *
 * <p>Specified bit for bit (so another implementation reproduces it): with FNV-1a 64 over the UTF-8
 * bytes of a string and {@code mix} the SplitMix64 finaliser,
 * {@code h = mix(seed + 0x9E3779B97F4A7C15); h = mix(h ^ fnv(contentId)); h = mix(h ^ fnv(salt));}
 * {@code uniform = (h >>> 11) × 2^-53}, i.e. the top 53 bits as a double in [0, 1).
 */
public final class DeterministicSampler {

    private static final long GOLDEN_GAMMA = 0x9E3779B97F4A7C15L;
    private static final long FNV_OFFSET = 0xcbf29ce484222325L;
    private static final long FNV_PRIME = 0x100000001b3L;
    private static final double TWO_POW_MINUS_53 = 0x1.0p-53;

    private final long seed;

    public DeterministicSampler(long seed) {
        this.seed = seed;
    }

    public long seed() {
        return seed;
    }

    /** Uniform in [0, 1) from the FNV-1a / SplitMix64 hash of (seed, contentId, salt) in the class doc: replays decide identically. A null salt is the empty salt. */
    public double uniform(String contentId, String salt) {
        Objects.requireNonNull(contentId, "contentId");
        long h = mix(seed + GOLDEN_GAMMA);
        h = mix(h ^ fnv1a64(contentId));
        h = mix(h ^ fnv1a64(salt == null ? "" : salt));
        return (h >>> 11) * TWO_POW_MINUS_53;
    }

    /**
     * True with probability {@code rate} (uniform &lt; rate): never for rate ≤ 0, always for
     * rate ≥ 1. The propensity to record is the rate clamped to [0, 1].
     *
     * @throws IllegalArgumentException for a NaN rate
     */
    public boolean sampled(String contentId, String salt, double rate) {
        if (Double.isNaN(rate)) {
            throw new IllegalArgumentException("sample rate = NaN");
        }
        return uniform(contentId, salt) < rate;
    }

    static long fnv1a64(String s) {
        long h = FNV_OFFSET;
        for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
            h ^= b & 0xff;
            h *= FNV_PRIME;
        }
        return h;
    }

    /** SplitMix64 finaliser (Steele, Lea, Flood 2014): a bijection with full avalanche. */
    static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }
}
