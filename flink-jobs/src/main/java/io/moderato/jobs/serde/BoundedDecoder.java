package io.moderato.jobs.serde;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.Decoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.util.Utf8;

/**
 * Avro binary decoder over one payload that refuses lengths and counts the payload cannot hold.
 *
 * <p>Avro's own decoder allocates a string or bytes value from its length prefix before reading it,
 * so four garbage bytes can ask for a 2 GB array (its limits default to the VM maximum). Here a
 * string/bytes length must fit in the bytes left, and an array/map block count may not exceed
 * {@code max(bytes left, 65536)} (zero-byte items such as nulls are legal, but not by the billion).
 * Everything else is delegated to Avro's {@link BinaryDecoder}.
 */
final class BoundedDecoder extends Decoder {

    /** Block counts up to this are always accepted (cheap to allocate). */
    static final int FREE_ITEM_COUNT = 1 << 16;

    private BinaryDecoder in;

    /** Points the decoder at {@code payload[offset, offset + length)}. */
    BoundedDecoder reset(byte[] payload, int offset, int length) {
        in = DecoderFactory.get().binaryDecoder(payload, offset, length, in);
        return this;
    }

    /** True if every byte of the payload has been consumed. */
    boolean isEnd() throws IOException {
        return in.isEnd();
    }

    private int remaining() throws IOException {
        return in.inputStream().available();
    }

    private int checkedLength(long length, String what) throws IOException {
        if (length < 0) {
            throw new CorruptLengthException("negative " + what + " length " + length);
        }
        int left = remaining();
        if (length > left) {
            throw new EOFException(what + " of " + length + " bytes, but only " + left + " bytes left");
        }
        return (int) length;
    }

    private long checkedCount(long count, String what) throws IOException {
        if (count > FREE_ITEM_COUNT && count > remaining()) {
            throw new EOFException(what + " block of " + count + " items, but only " + remaining() + " bytes left");
        }
        return count;
    }

    @Override
    public void readNull() throws IOException {
        in.readNull();
    }

    @Override
    public boolean readBoolean() throws IOException {
        return in.readBoolean();
    }

    @Override
    public int readInt() throws IOException {
        return in.readInt();
    }

    @Override
    public long readLong() throws IOException {
        return in.readLong();
    }

    @Override
    public float readFloat() throws IOException {
        return in.readFloat();
    }

    @Override
    public double readDouble() throws IOException {
        return in.readDouble();
    }

    @Override
    public Utf8 readString(Utf8 old) throws IOException {
        int length = checkedLength(in.readLong(), "string");
        Utf8 result = old != null ? old : new Utf8();
        result.setByteLength(length);
        if (length > 0) {
            in.readFixed(result.getBytes(), 0, length);
        }
        checkUtf8(result.getBytes(), length, result.toString());
        return result;
    }

    /**
     * Strict: bytes that are not valid UTF-8 are refused, not replaced. Java's decoder would turn every
     * malformed sequence into U+FFFD, so two different invalid ids would become one id — one user.
     */
    @Override
    public String readString() throws IOException {
        int length = checkedLength(in.readLong(), "string");
        byte[] bytes = new byte[length];
        in.readFixed(bytes, 0, length);
        String decoded = new String(bytes, StandardCharsets.UTF_8);
        checkUtf8(bytes, length, decoded);
        return decoded;
    }

    private static void checkUtf8(byte[] bytes, int length, String decoded) throws InvalidUtf8Exception {
        // only a replacement character can hide a malformed sequence; a real U+FFFD is checked strictly
        if (decoded.indexOf('\uFFFD') < 0) {
            return;
        }
        try {
            StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes, 0, length));
        } catch (CharacterCodingException e) {
            throw new InvalidUtf8Exception("a string of " + length + " bytes is not valid UTF-8 (" + e + ")");
        }
    }

    @Override
    public void skipString() throws IOException {
        in.skipFixed(checkedLength(in.readLong(), "string"));
    }

    @Override
    public ByteBuffer readBytes(ByteBuffer old) throws IOException {
        int length = checkedLength(in.readLong(), "bytes");
        ByteBuffer result;
        if (old != null && length <= old.capacity()) {
            result = old;
            result.clear();
        } else {
            result = ByteBuffer.allocate(length);
        }
        in.readFixed(result.array(), result.position(), length);
        result.limit(length);
        return result;
    }

    @Override
    public void skipBytes() throws IOException {
        in.skipFixed(checkedLength(in.readLong(), "bytes"));
    }

    @Override
    public void readFixed(byte[] bytes, int start, int length) throws IOException {
        checkedLength(length, "fixed");
        in.readFixed(bytes, start, length);
    }

    @Override
    public void skipFixed(int length) throws IOException {
        in.skipFixed(checkedLength(length, "fixed"));
    }

    @Override
    public int readEnum() throws IOException {
        return in.readEnum();
    }

    @Override
    public long readArrayStart() throws IOException {
        return checkedCount(in.readArrayStart(), "array");
    }

    @Override
    public long arrayNext() throws IOException {
        return checkedCount(in.arrayNext(), "array");
    }

    @Override
    public long skipArray() throws IOException {
        return in.skipArray();
    }

    @Override
    public long readMapStart() throws IOException {
        return checkedCount(in.readMapStart(), "map");
    }

    @Override
    public long mapNext() throws IOException {
        return checkedCount(in.mapNext(), "map");
    }

    @Override
    public long skipMap() throws IOException {
        return in.skipMap();
    }

    @Override
    public int readIndex() throws IOException {
        return in.readIndex();
    }

    /** A string whose bytes are not valid UTF-8; {@link #inField} names where it was. */
    static final class InvalidUtf8Exception extends IOException {
        private static final long serialVersionUID = 1L;

        InvalidUtf8Exception(String message) {
            super(message);
        }

        /** The same problem, with the field it was found in prefixed to the path ("transcript.text"). */
        InvalidUtf8Exception inField(String field) {
            String message = getMessage();
            boolean named = message.startsWith("field '");
            return new InvalidUtf8Exception(
                    named
                            ? "field '" + field + "." + message.substring("field '".length())
                            : "field '" + field + "': " + message);
        }
    }

    /** A negative length prefix: the body is not valid Avro. */
    static final class CorruptLengthException extends IOException {
        private static final long serialVersionUID = 1L;

        CorruptLengthException(String message) {
            super(message);
        }
    }
}
