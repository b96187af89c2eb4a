package io.moderato.udfs.text;

import io.moderato.udfs.vector.SparseVector;

import java.nio.charset.StandardCharsets;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * Turns text into a hashed, sparse bag of word n-grams. Thread-safe and deterministic: the same
 * text and {@link FeaturizerSettings} always give the same vector, on any JVM.
 *
 * <p>Pipeline: truncate to {@code maxChars} (never splitting a surrogate pair) → replace lone
 * surrogates with U+FFFD → Unicode NFKC → lower-case (root locale) → tokenize → word n-grams
 * (and optional character n-grams) → feature hashing → term frequency (optionally 1 + ln tf) →
 * optional L2 normalisation.
 *
 * <p>Tokens: a whitespace-separated chunk starting with {@code http://}, {@code https://} or
 * {@code www.} is the token {@code <url>}; a chunk that (stripped of surrounding punctuation) is
 * an e-mail address is {@code <email>}; otherwise a chunk splits into runs of letters, marks and
 * digits (an apostrophe between letters, and {@code .} or {@code ,} between digits, stay inside
 * a run), an all-digit run becomes {@code <num>}, and every symbol or currency sign (emoji
 * included) is a token of its own. Other punctuation separates tokens. The scan is linear in
 * the input, so adversarial text cannot make it quadratic.
 *
 * <p>Feature strings hashed: {@code "1 " + token} for unigrams, {@code "2 " + t1 + " " + t2} for
 * bigrams (and so on for longer n-grams), {@code "c " + gram} for character n-grams of
 * {@code "<" + word + ">"}. Index = unsigned(murmur3_x86_32(UTF-8 bytes, hashSeed)) mod dimensions.
 */
public final class TextFeaturizer {

    public static final String URL_TOKEN = "<url>";
    public static final String EMAIL_TOKEN = "<email>";
    public static final String NUMBER_TOKEN = "<num>";

    private static final byte SPACE = ' ';

    private final FeaturizerSettings settings;

    public TextFeaturizer(FeaturizerSettings settings) {
        this.settings = Objects.requireNonNull(settings, "settings");
    }

    public FeaturizerSettings settings() {
        return settings;
    }

    public SparseVector featurize(String text) {
        List<String> tokens = tokenize(text);
        if (tokens.isEmpty()) {
            return SparseVector.empty(settings.dimensions());
        }
        FeatureIndexCollector indices = new FeatureIndexCollector(tokens.size() * (settings.wordNgramMax() + 1));
        hashWordNgrams(tokens, indices);
        if (settings.charNgramMax() > 0) {
            hashCharNgrams(tokens, indices);
        }
        return indices.toWeightedVector();
    }

    /** The normalised tokens of {@code text}, in order; empty for null or blank text. */
    public List<String> tokenize(String text) {
        if (text == null || text.isEmpty()) {
            return List.of();
        }
        String normalized = normalize(text);
        List<String> tokens = new ArrayList<>(Math.max(4, normalized.length() / 5));
        int length = normalized.length();
        int pos = 0;
        while (pos < length) {
            int cp = normalized.codePointAt(pos);
            if (Character.isWhitespace(cp) || Character.isSpaceChar(cp)) {
                pos += Character.charCount(cp);
                continue;
            }
            int end = pos;
            while (end < length) {
                int c = normalized.codePointAt(end);
                if (Character.isWhitespace(c) || Character.isSpaceChar(c)) {
                    break;
                }
                end += Character.charCount(c);
            }
            tokenizeChunk(normalized, pos, end, tokens);
            pos = end;
        }
        return tokens;
    }

    String normalize(String text) {
        String bounded = truncate(text, settings.maxChars());
        String wellFormed = replaceLoneSurrogates(bounded);
        return Normalizer.normalize(wellFormed, Normalizer.Form.NFKC).toLowerCase(Locale.ROOT);
    }

    static String truncate(String text, int maxChars) {
        if (maxChars == 0 || text.length() <= maxChars) {
            return text;
        }
        int end = maxChars;
        if (Character.isHighSurrogate(text.charAt(end - 1)) && Character.isLowSurrogate(text.charAt(end))) {
            end--;
        }
        return text.substring(0, end);
    }

    static String replaceLoneSurrogates(String text) {
        StringBuilder out = null;
        int length = text.length();
        for (int i = 0; i < length; i++) {
            char c = text.charAt(i);
            boolean lone;
            if (Character.isHighSurrogate(c)) {
                lone = i + 1 >= length || !Character.isLowSurrogate(text.charAt(i + 1));
                if (!lone) {
                    if (out != null) {
                        out.append(c).append(text.charAt(i + 1));
                    }
                    i++;
                    continue;
                }
            } else {
                lone = Character.isLowSurrogate(c);
            }
            if (lone && out == null) {
                out = new StringBuilder(length).append(text, 0, i);
            }
            if (out != null) {
                out.append(lone ? '\uFFFD' : c);
            }
        }
        return out == null ? text : out.toString();
    }

    private static void tokenizeChunk(String s, int start, int end, List<String> tokens) {
        if (s.startsWith("http://", start) || s.startsWith("https://", start) || s.startsWith("www.", start)) {
            tokens.add(URL_TOKEN);
            return;
        }
        if (containsAt(s, start, end) && isEmail(s, start, end)) {
            tokens.add(EMAIL_TOKEN);
            return;
        }
        int pos = start;
        while (pos < end) {
            int cp = s.codePointAt(pos);
            if (isWordChar(cp)) {
                int runEnd = wordRunEnd(s, pos, end);
                String run = s.substring(pos, runEnd);
                tokens.add(isNumber(run) ? NUMBER_TOKEN : run);
                pos = runEnd;
            } else {
                int type = Character.getType(cp);
                if (type == Character.OTHER_SYMBOL || type == Character.CURRENCY_SYMBOL) {
                    tokens.add(new String(Character.toChars(cp)));
                }
                pos += Character.charCount(cp);
            }
        }
    }

    private static boolean containsAt(String s, int start, int end) {
        for (int i = start; i < end; i++) {
            if (s.charAt(i) == '@') {
                return true;
            }
        }
        return false;
    }

    private static int wordRunEnd(String s, int start, int end) {
        int pos = start;
        while (pos < end) {
            int cp = s.codePointAt(pos);
            int next = pos + Character.charCount(cp);
            if (isWordChar(cp)) {
                pos = next;
            } else if (next < end && pos > start && isInnerJoiner(cp, s.codePointBefore(pos), s.codePointAt(next))) {
                pos = next;
            } else {
                break;
            }
        }
        return pos;
    }

    /** An apostrophe between letters (don't) or a separator between digits (1,000.50) stays inside a run. */
    private static boolean isInnerJoiner(int cp, int before, int after) {
        if (cp == '\'' || cp == '\u2019') {
            return Character.isLetter(before) && Character.isLetter(after);
        }
        if (cp == '.' || cp == ',') {
            return Character.isDigit(before) && Character.isDigit(after);
        }
        return false;
    }

    private static boolean isWordChar(int cp) {
        return Character.isLetterOrDigit(cp) || isMark(cp) || cp == '_';
    }

    private static boolean isMark(int cp) {
        int type = Character.getType(cp);
        return type == Character.NON_SPACING_MARK || type == Character.COMBINING_SPACING_MARK
                || type == Character.ENCLOSING_MARK;
    }

    private static boolean isNumber(String run) {
        for (int i = 0; i < run.length(); i++) {
            char c = run.charAt(i);
            if (!Character.isDigit(c) && c != '.' && c != ',') {
                return false;
            }
        }
        return true;
    }

    /** local@domain.tld after stripping surrounding punctuation such as {@code <…>,} or quotes. */
    private static boolean isEmail(String s, int start, int end) {
        while (start < end && !Character.isLetterOrDigit(s.charAt(start))) {
            start++;
        }
        while (end > start && !Character.isLetterOrDigit(s.charAt(end - 1))) {
            end--;
        }
        int at = s.indexOf('@', start);
        if (at <= start || at >= end - 1 || containsAt(s, at + 1, end)) {
            return false;
        }
        for (int i = start; i < at; i++) {
            char c = s.charAt(i);
            if (!(Character.isLetterOrDigit(c) || c == '.' || c == '_' || c == '%' || c == '+' || c == '-')) {
                return false;
            }
        }
        int lastDot = s.lastIndexOf('.', end - 1);
        if (lastDot <= at + 1 || lastDot >= end - 1) {
            return false;
        }
        for (int i = at + 1; i < end; i++) {
            char c = s.charAt(i);
            if (!(Character.isLetterOrDigit(c) || c == '.' || c == '-')) {
                return false;
            }
        }
        return true;
    }

    private void hashWordNgrams(List<String> tokens, FeatureIndexCollector out) {
        byte[][] utf8 = new byte[tokens.size()][];
        for (int i = 0; i < utf8.length; i++) {
            utf8[i] = tokens.get(i).getBytes(StandardCharsets.UTF_8);
        }
        byte[] buffer = new byte[64];
        for (int n = 1; n <= settings.wordNgramMax(); n++) {
            byte prefix = (byte) ('0' + n);
            for (int start = 0; start + n <= utf8.length; start++) {
                int needed = 2 + n - 1;
                for (int k = 0; k < n; k++) {
                    needed += utf8[start + k].length;
                }
                if (buffer.length < needed) {
                    buffer = new byte[Math.max(needed, buffer.length * 2)];
                }
                int len = 0;
                buffer[len++] = prefix;
                buffer[len++] = SPACE;
                for (int k = 0; k < n; k++) {
                    if (k > 0) {
                        buffer[len++] = SPACE;
                    }
                    byte[] token = utf8[start + k];
                    System.arraycopy(token, 0, buffer, len, token.length);
                    len += token.length;
                }
                out.add(indexOf(buffer, len));
            }
        }
    }

    private void hashCharNgrams(List<String> tokens, FeatureIndexCollector out) {
        for (String token : tokens) {
            if (token.startsWith("<")) {
                continue; // placeholders carry no sub-word information
            }
            int[] cps = ("<" + token + ">").codePoints().toArray();
            for (int n = settings.charNgramMin(); n <= settings.charNgramMax(); n++) {
                for (int start = 0; start + n <= cps.length; start++) {
                    byte[] gram = ("c " + new String(cps, start, n)).getBytes(StandardCharsets.UTF_8);
                    out.add(indexOf(gram, gram.length));
                }
            }
        }
    }

    private int indexOf(byte[] feature, int length) {
        int hash = Murmur3.hash32(feature, 0, length, settings.hashSeed());
        return (int) (Integer.toUnsignedLong(hash) % settings.dimensions());
    }

    /** Collects hashed indices, then turns them into a sorted, weighted, normalised vector. */
    private final class FeatureIndexCollector {
        private int[] indices;
        private int size;

        FeatureIndexCollector(int capacity) {
            indices = new int[Math.max(16, capacity)];
        }

        void add(int index) {
            if (size == indices.length) {
                indices = Arrays.copyOf(indices, size * 2);
            }
            indices[size++] = index;
        }

        SparseVector toWeightedVector() {
            Arrays.sort(indices, 0, size);
            int distinct = 0;
            for (int i = 0; i < size; i++) {
                if (i == 0 || indices[i] != indices[i - 1]) {
                    distinct++;
                }
            }
            int[] outIndices = new int[distinct];
            double[] weights = new double[distinct];
            int k = -1;
            for (int i = 0; i < size; i++) {
                if (i == 0 || indices[i] != indices[i - 1]) {
                    outIndices[++k] = indices[i];
                }
                weights[k]++;
            }
            double squaredNorm = 0;
            for (int i = 0; i < distinct; i++) {
                if (settings.sublinearTf()) {
                    weights[i] = 1.0 + Math.log(weights[i]);
                }
                squaredNorm += weights[i] * weights[i];
            }
            double scale = settings.l2Normalize() && squaredNorm > 0 ? 1.0 / Math.sqrt(squaredNorm) : 1.0;
            float[] values = new float[distinct];
            for (int i = 0; i < distinct; i++) {
                values[i] = (float) (weights[i] * scale);
            }
            return new SparseVector(settings.dimensions(), outIndices, values);
        }
    }
}
