package io.moderato.udfs.text;

/**
 * MurmurHash3 x86_32 (Austin Appleby, public domain) over a byte range. This is the feature hash
 * of the text featurizer: it is specified bit for bit, so training and serving (and a
 * re-implementation in another language) map the same feature to the same index.
 *
 * <p>{@link #mixBlock}, {@link #mixTail} and {@link #finish} are the algorithm's three steps, for callers that
 * hash a key as it grows: keys that are prefixes of each other (the character n-grams starting at one position)
 * share every block before their tails, so each longer key costs only its new bytes. Chained as in
 * {@link #hash32} they give exactly its result.
 */
public final class Murmur3 {

    private static final int C1 = 0xcc9e2d51;
    private static final int C2 = 0x1b873593;

    private Murmur3() {}

    public static int hash32(byte[] data, int offset, int length, int seed) {
        int h1 = seed;
        int roundedEnd = offset + (length & 0xfffffffc);
        for (int i = offset; i < roundedEnd; i += 4) {
            int k1 =
                    (data[i] & 0xff) | ((data[i + 1] & 0xff) << 8) | ((data[i + 2] & 0xff) << 16) | (data[i + 3] << 24);
            h1 = mixBlock(h1, k1);
        }
        int k1 = 0;
        switch (length & 0x03) {
            case 3:
                k1 = (data[roundedEnd + 2] & 0xff) << 16;
            // fall through
            case 2:
                k1 |= (data[roundedEnd + 1] & 0xff) << 8;
            // fall through
            case 1:
                k1 |= data[roundedEnd] & 0xff;
                h1 = mixTail(h1, k1);
                break;
            default:
                break;
        }
        return finish(h1, length);
    }

    /** Mixes one full 4-byte block {@code k1} (little-endian) into the running hash. */
    public static int mixBlock(int h1, int k1) {
        k1 *= C1;
        k1 = Integer.rotateLeft(k1, 15);
        k1 *= C2;
        h1 ^= k1;
        h1 = Integer.rotateLeft(h1, 13);
        return h1 * 5 + 0xe6546b64;
    }

    /** Mixes the last 1–3 bytes {@code k1} (little-endian); not called when the length is a multiple of 4. */
    public static int mixTail(int h1, int k1) {
        k1 *= C1;
        k1 = Integer.rotateLeft(k1, 15);
        k1 *= C2;
        return h1 ^ k1;
    }

    /** The final avalanche over the key's total length in bytes. */
    public static int finish(int h1, int length) {
        h1 ^= length;
        h1 ^= h1 >>> 16;
        h1 *= 0x85ebca6b;
        h1 ^= h1 >>> 13;
        h1 *= 0xc2b2ae35;
        h1 ^= h1 >>> 16;
        return h1;
    }
}
