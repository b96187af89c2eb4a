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
 * surrogates with U+FFFD → [decode HTML entities] → Unicode NFKC → lower-case (root locale) →
 * [cut elongated letters] → tokenize → word n-grams (and optional character n-grams) → feature
 * hashing → term frequency (optionally 1 + ln tf) → optional L2 normalisation. Steps in brackets,
 * the {@code <mention>} token and leetspeak reading are the optional {@link TextNormalization}
 * rules; without them (a manifest with no {@code normalization}) nothing else changes.
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
    public static final String MENTION_TOKEN = "<mention>";

    private static final byte SPACE = ' ';
    private static final int RADIX_BITS = 6;
    private static final int RADIX_MASK = (1 << RADIX_BITS) - 1;

    /**
     * The character classes the scanners ask about, for the ASCII range: computed once from the same predicates
     * the general path calls (so every answer is the same), then read from this table instead of Character's
     * Unicode tables, several times per character of every text.
     */
    private static final byte[] ASCII_CLASSES = new byte[128];

    private static final int SPACE_CLASS = 1;
    private static final int WORD_CLASS = 2;
    private static final int LETTER_CLASS = 4;
    private static final int LEET_RUN_CLASS = 8;
    private static final int LEET_CLASS = 16;

    static {
        for (int c = 0; c < 128; c++) {
            boolean word = isWordCharOutsideAscii(c);
            ASCII_CLASSES[c] = (byte) ((Character.isWhitespace(c) || Character.isSpaceChar(c) ? SPACE_CLASS : 0)
                    | (word ? WORD_CLASS : 0)
                    | (Character.isLetter(c) ? LETTER_CLASS : 0)
                    | (word || leetReading(c) != 0 ? LEET_RUN_CLASS : 0)
                    | (leetReading(c) != 0 ? LEET_CLASS : 0));
        }
    }

    private final FeaturizerSettings settings;
    /** dimensions − 1 when dimensions is a power of two, else −1. */
    private final int dimensionMask;

    private final boolean htmlEntities;
    private final boolean mentions;
    private final boolean elongations;
    private final boolean leetspeak;

    public TextFeaturizer(FeaturizerSettings settings) {
        this.settings = Objects.requireNonNull(settings, "settings");
        TextNormalization rules = settings.normalization();
        this.htmlEntities = rules != null && rules.htmlEntities();
        this.mentions = rules != null && rules.mentions();
        this.elongations = rules != null && rules.elongations();
        this.leetspeak = rules != null && rules.leetspeak();
        int d = settings.dimensions();
        this.dimensionMask = (d & (d - 1)) == 0 ? d - 1 : -1;
    }

    public FeaturizerSettings settings() {
        return settings;
    }

    public SparseVector featurize(String text) {
        List<String> tokens = tokenize(text);
        if (tokens.isEmpty()) {
            return SparseVector.empty(settings.dimensions());
        }
        int capacity = tokens.size() * settings.wordNgramMax();
        if (settings.charNgramMax() > 0) {
            int sizes = settings.charNgramMax() - settings.charNgramMin() + 1;
            for (String token : tokens) {
                capacity += (token.length() + 2) * sizes;
            }
        }
        FeatureIndexCollector indices = new FeatureIndexCollector(capacity);
        byte[][] utf8 = new byte[tokens.size()][];
        for (int i = 0; i < utf8.length; i++) {
            utf8[i] = tokens.get(i).getBytes(StandardCharsets.UTF_8);
        }
        hashWordNgrams(utf8, indices);
        if (settings.charNgramMax() > 0) {
            hashCharNgrams(utf8, indices);
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
            if (isSpace(cp)) {
                pos += Character.charCount(cp);
                continue;
            }
            int end = pos;
            while (end < length) {
                int c = normalized.codePointAt(end);
                if (isSpace(c)) {
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
        boolean ascii = isAscii(bounded); // most texts: then no surrogate can be lone and NFKC changes nothing
        String wellFormed = ascii ? bounded : replaceLoneSurrogates(bounded);
        if (htmlEntities) {
            String decoded = decodeHtmlEntities(wellFormed);
            ascii = decoded == wellFormed ? ascii : isAscii(decoded);
            wellFormed = decoded;
        }
        String normalized = ascii ? wellFormed : Normalizer.normalize(wellFormed, Normalizer.Form.NFKC);
        String folded = normalized.toLowerCase(Locale.ROOT);
        return elongations ? squeezeElongations(folded) : folded;
    }

    private static boolean isAscii(String text) {
        for (int i = 0; i < text.length(); i++) {
            if (text.charAt(i) >= 0x80) {
                return false;
            }
        }
        return true;
    }

    /** Named ({@code &amp; &lt; &gt; &quot; &apos; &nbsp;}) and numeric references → characters; anything else stays. */
    static String decodeHtmlEntities(String text) {
        int amp = text.indexOf('&');
        if (amp < 0) {
            return text;
        }
        StringBuilder out = new StringBuilder(text.length()).append(text, 0, amp);
        int pos = amp;
        int length = text.length();
        while (pos < length) {
            char c = text.charAt(pos);
            if (c != '&') {
                out.append(c);
                pos++;
                continue;
            }
            int semicolon = text.indexOf(';', pos + 1);
            int decoded = semicolon < 0 || semicolon - pos > 10 ? -1 : entity(text, pos + 1, semicolon);
            if (decoded < 0) {
                out.append(c);
                pos++;
            } else {
                out.appendCodePoint(decoded);
                pos = semicolon + 1;
            }
        }
        return out.toString();
    }

    /** The code point of the entity name in text[from, to), or -1. */
    private static int entity(String text, int from, int to) {
        String name = text.substring(from, to);
        switch (name) {
            case "amp":
                return '&';
            case "lt":
                return '<';
            case "gt":
                return '>';
            case "quot":
                return '"';
            case "apos":
                return '\'';
            case "nbsp":
                return '\u00a0';
            default:
                break;
        }
        if (name.length() < 2 || name.charAt(0) != '#') {
            return -1;
        }
        boolean hex = name.charAt(1) == 'x' || name.charAt(1) == 'X';
        String digits = name.substring(hex ? 2 : 1);
        if (digits.isEmpty() || digits.length() > (hex ? 6 : 7)) {
            return -1;
        }
        int cp = 0;
        for (int i = 0; i < digits.length(); i++) {
            int d = Character.digit(digits.charAt(i), hex ? 16 : 10);
            if (d < 0) {
                return -1;
            }
            cp = cp * (hex ? 16 : 10) + d;
        }
        boolean valid = cp > 0
                && cp <= Character.MAX_CODE_POINT
                && !(cp >= Character.MIN_SURROGATE && cp <= Character.MAX_SURROGATE);
        return valid ? cp : -1;
    }

    /** Runs of three or more of the same letter are cut to two. */
    static String squeezeElongations(String text) {
        StringBuilder out = null;
        int length = text.length();
        int previous = -1;
        int run = 0;
        for (int pos = 0; pos < length; ) {
            int cp = text.codePointAt(pos);
            int next = pos + Character.charCount(cp);
            run = cp == previous ? run + 1 : 1;
            previous = cp;
            boolean drop = run > 2 && isLetter(cp);
            if (drop && out == null) {
                out = new StringBuilder(length).append(text, 0, pos);
            }
            if (out != null && !drop) {
                out.appendCodePoint(cp);
            }
            pos = next;
        }
        return out == null ? text : out.toString();
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

    private void tokenizeChunk(String s, int start, int end, List<String> tokens) {
        if (s.startsWith("http://", start) || s.startsWith("https://", start) || s.startsWith("www.", start)) {
            tokens.add(URL_TOKEN);
            return;
        }
        if (containsAt(s, start, end) && isEmail(s, start, end)) {
            tokens.add(EMAIL_TOKEN);
            return;
        }
        if (leetspeak) {
            String read = readLeetspeak(s, start, end);
            if (read != null) {
                s = read;
                start = 0;
                end = read.length();
            }
        }
        int pos = start;
        while (pos < end) {
            int cp = s.codePointAt(pos);
            if (isWordChar(cp)) {
                int runEnd = wordRunEnd(s, pos, end);
                String run = s.substring(pos, runEnd);
                tokens.add(isNumber(run) ? NUMBER_TOKEN : run);
                pos = runEnd;
            } else if (mentions
                    && cp == '@'
                    && pos + 1 < end
                    && isHandleChar(s.codePointAt(pos + 1))
                    && (pos == start || !Character.isLetterOrDigit(s.codePointBefore(pos)))) {
                tokens.add(MENTION_TOKEN);
                pos++;
                while (pos < end && isHandleChar(s.codePointAt(pos))) {
                    pos += Character.charCount(s.codePointAt(pos));
                }
            } else {
                int type = Character.getType(cp);
                if (type == Character.OTHER_SYMBOL || type == Character.CURRENCY_SYMBOL) {
                    tokens.add(new String(Character.toChars(cp)));
                }
                pos += Character.charCount(cp);
            }
        }
    }

    private static boolean isHandleChar(int cp) {
        return Character.isLetterOrDigit(cp) || cp == '_';
    }

    /**
     * The chunk s[start, end) with leetspeak read as letters (see {@link TextNormalization#leetspeak}), or null
     * when nothing changes. Works on runs of letters, digits, marks and leet symbols: within a run, a group of
     * consecutive non-letters strictly between the run's first and last letter is rewritten when every member of
     * the group has a reading.
     */
    static String readLeetspeak(String s, int start, int end) {
        if (!hasLeetReading(s, start, end)) {
            return null; // no digit or leet symbol at all: the common case, one cheap scan
        }
        StringBuilder out = null;
        int pos = start;
        while (pos < end) {
            int cp = s.codePointAt(pos);
            if (isLeetRunChar(cp)) {
                int runEnd = leetRunEnd(s, pos, end);
                out = readLeetRun(s, start, end, pos, runEnd, out);
                pos = runEnd;
                continue;
            }
            if (out != null) {
                out.appendCodePoint(cp);
            }
            pos += Character.charCount(cp);
        }
        return out == null ? null : out.toString();
    }

    /** Whether any character of s[start, end) has a leetspeak reading (only ASCII ones have). */
    private static boolean hasLeetReading(String s, int start, int end) {
        for (int i = start; i < end; i++) {
            char c = s.charAt(i);
            if (c < 128 && (ASCII_CLASSES[c] & LEET_CLASS) != 0) {
                return true;
            }
        }
        return false;
    }

    private static int leetRunEnd(String s, int pos, int end) {
        int runEnd = pos;
        while (runEnd < end) {
            int c = s.codePointAt(runEnd);
            if (!isLeetRunChar(c)) {
                break;
            }
            runEnd += Character.charCount(c);
        }
        return runEnd;
    }

    /**
     * Reads the run s[from, runEnd): each group of consecutive non-letters strictly between the run's first and last
     * letter is replaced by its readings when all its members have one. Returns {@code out}, created (holding
     * s[start, first rewrite)) at the first rewrite of the chunk; while it is null nothing is copied.
     */
    private static StringBuilder readLeetRun(String s, int start, int end, int from, int runEnd, StringBuilder out) {
        int firstLetter = -1;
        int lastLetter = -1;
        for (int i = from; i < runEnd; ) {
            int c = s.codePointAt(i);
            if (isLetter(c)) {
                firstLetter = firstLetter < 0 ? i : firstLetter;
                lastLetter = i;
            }
            i += Character.charCount(c);
        }
        int i = from;
        while (i < runEnd) {
            int c = s.codePointAt(i);
            int groupEnd = nonLetterGroupEnd(s, i, runEnd);
            if (groupEnd == i) { // a letter
                if (out != null) {
                    out.appendCodePoint(c);
                }
                i += Character.charCount(c);
                continue;
            }
            boolean readable =
                    firstLetter >= 0 && i > firstLetter && groupEnd <= lastLetter && allHaveReadings(s, i, groupEnd);
            if (readable && out == null) {
                out = new StringBuilder(end - start).append(s, start, i);
            }
            for (int k = i; out != null && k < groupEnd; k++) {
                out.append(readable ? leetReading(s.charAt(k)) : s.charAt(k));
            }
            i = groupEnd;
        }
        return out;
    }

    private static int nonLetterGroupEnd(String s, int from, int runEnd) {
        int groupEnd = from;
        while (groupEnd < runEnd && !isLetter(s.codePointAt(groupEnd))) {
            groupEnd += Character.charCount(s.codePointAt(groupEnd));
        }
        return groupEnd;
    }

    private static boolean allHaveReadings(String s, int from, int to) {
        for (int k = from; k < to; k++) {
            if (leetReading(s.charAt(k)) == 0) {
                return false;
            }
        }
        return true;
    }

    private static boolean isLeetRunChar(int cp) {
        return cp < 128 ? (ASCII_CLASSES[cp] & LEET_RUN_CLASS) != 0 : isWordChar(cp);
    }

    /** The letter a leetspeak character stands for ('_' for a masking '*'), or 0 when it has no reading. */
    private static char leetReading(int cp) {
        return switch (cp) {
            case '0' -> 'o';
            case '1', '!', '|' -> 'i';
            case '3' -> 'e';
            case '4', '@' -> 'a';
            case '5', '$' -> 's';
            case '7' -> 't';
            case '*' -> '_';
            default -> 0;
        };
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
            return isLetter(before) && isLetter(after);
        }
        if (cp == '.' || cp == ',') {
            return Character.isDigit(before) && Character.isDigit(after);
        }
        return false;
    }

    private static boolean isWordChar(int cp) {
        return cp < 128 ? (ASCII_CLASSES[cp] & WORD_CLASS) != 0 : isWordCharOutsideAscii(cp);
    }

    private static boolean isWordCharOutsideAscii(int cp) {
        return Character.isLetterOrDigit(cp) || isMark(cp) || cp == '_';
    }

    private static boolean isLetter(int cp) {
        return cp < 128 ? (ASCII_CLASSES[cp] & LETTER_CLASS) != 0 : Character.isLetter(cp);
    }

    private static boolean isSpace(int cp) {
        return cp < 128
                ? (ASCII_CLASSES[cp] & SPACE_CLASS) != 0
                : Character.isWhitespace(cp) || Character.isSpaceChar(cp);
    }

    private static boolean isMark(int cp) {
        int type = Character.getType(cp);
        return type == Character.NON_SPACING_MARK
                || type == Character.COMBINING_SPACING_MARK
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

    private void hashWordNgrams(byte[][] utf8, FeatureIndexCollector out) {
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

    /**
     * Character n-grams of {@code "<" + token + ">"} for every word token (placeholders such as {@code <url>}
     * excluded), hashed as the UTF-8 bytes of {@code "c " + gram}. The grams starting at one code point are
     * prefixes of each other, so they are hashed as one growing key: Murmur3's blocks are mixed once per start and
     * each gram costs only its tail and the final avalanche (the same hash as {@link Murmur3#hash32} of the gram,
     * which the fingerprint tests pin). Nothing is allocated per gram.
     */
    private void hashCharNgrams(byte[][] utf8, FeatureIndexCollector out) {
        byte[] bracketed = new byte[64];
        int[] boundaries = new int[32];
        int min = settings.charNgramMin();
        int max = settings.charNgramMax();
        int seed = settings.hashSeed();
        for (byte[] token : utf8) {
            if (token.length > 0 && token[0] == '<') {
                continue; // placeholders carry no sub-word information
            }
            int length = token.length + 2;
            if (bracketed.length < length) {
                bracketed = new byte[Math.max(length, bracketed.length * 2)];
            }
            if (boundaries.length < length + 1) {
                boundaries = new int[Math.max(length + 1, boundaries.length * 2)];
            }
            bracketed[0] = '<';
            System.arraycopy(token, 0, bracketed, 1, token.length);
            bracketed[length - 1] = '>';
            int codePoints = 0;
            for (int b = 0; b < length; b++) {
                if ((bracketed[b] & 0xC0) != 0x80) { // not a UTF-8 continuation byte: a code point starts here
                    boundaries[codePoints++] = b;
                }
            }
            boundaries[codePoints] = length;
            for (int start = 0; start + min <= codePoints; start++) {
                hashGramsAt(bracketed, boundaries, start, Math.min(max, codePoints - start), min, seed, out);
            }
        }
    }

    /** The grams of {@code min..longest} code points starting at code point {@code start}, one growing key. */
    private void hashGramsAt(
            byte[] bracketed, int[] boundaries, int start, int longest, int min, int seed, FeatureIndexCollector out) {
        int h1 = seed;
        int k1 = 'c' | (SPACE << 8); // the key starts "c "
        int pending = 2; // bytes in k1 not yet mixed as a block
        int keyLength = 2;
        int b = boundaries[start];
        for (int n = 1; n <= longest; n++) {
            for (int gramEnd = boundaries[start + n]; b < gramEnd; b++) {
                k1 |= (bracketed[b] & 0xff) << (pending << 3);
                keyLength++;
                if (++pending == 4) {
                    h1 = Murmur3.mixBlock(h1, k1);
                    k1 = 0;
                    pending = 0;
                }
            }
            if (n >= min) {
                out.add(indexOfHash(Murmur3.finish(pending == 0 ? h1 : Murmur3.mixTail(h1, k1), keyLength)));
            }
        }
    }

    private int indexOf(byte[] feature, int length) {
        return indexOfHash(Murmur3.hash32(feature, 0, length, settings.hashSeed()));
    }

    private int indexOfHash(int hash) {
        // unsigned hash mod D; for a power of two that is a mask (the same index, without a long division per n-gram)
        return dimensionMask >= 0 ? hash & dimensionMask : (int) (Integer.toUnsignedLong(hash) % settings.dimensions());
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

        /**
         * Sorts, folds each run of equal indices into one entry with its count (in place), then weights and scales:
         * the same doubles in the same order as ever, so the same floats.
         */
        SparseVector toWeightedVector() {
            sort(indices, size, settings.dimensions());
            int[] counts = new int[size];
            int distinct = 0;
            for (int i = 0; i < size; i++) {
                if (distinct == 0 || indices[i] != indices[distinct - 1]) {
                    indices[distinct++] = indices[i];
                }
                counts[distinct - 1]++;
            }
            double squaredNorm = 0;
            for (int i = 0; i < distinct; i++) {
                double w = weight(counts[i]);
                squaredNorm += w * w;
            }
            double scale = settings.l2Normalize() && squaredNorm > 0 ? 1.0 / Math.sqrt(squaredNorm) : 1.0;
            float[] values = new float[distinct];
            for (int i = 0; i < distinct; i++) {
                values[i] = (float) (weight(counts[i]) * scale);
            }
            return new SparseVector(settings.dimensions(), Arrays.copyOf(indices, distinct), values);
        }

        private double weight(int count) {
            // 1 + ln 1 = 1 exactly: most features occur once
            return settings.sublinearTf() && count != 1 ? 1.0 + Math.log(count) : count;
        }
    }

    /**
     * Sorts a[0, n) ascending; the values are in [0, dimensions). Small arrays use {@link Arrays#sort}; larger ones
     * (character n-grams give a short text a few hundred features) an LSD radix sort on 6-bit digits (2^18
     * dimensions: three passes). Linear whatever the values, so no text makes it quadratic. The digit width is a
     * constant so a pass's 65 counts fit in a few cache lines and the JIT drops their bounds checks: measured on
     * 300 hashed indices below 2^18 on this project's busy machine, 3.0–3.3 µs, against 3.5–3.7 µs for two 9-bit
     * passes, 4.0–4.4 µs for a variable digit width and 11 µs for {@link Arrays#sort}.
     */
    static void sort(int[] a, int n, int dimensions) {
        if (n < 96) {
            Arrays.sort(a, 0, n);
            return;
        }
        int bits = 32 - Integer.numberOfLeadingZeros(Math.max(1, dimensions - 1));
        int[] from = a;
        int[] to = new int[n];
        int[] offsets = new int[RADIX_MASK + 2];
        for (int shift = 0; shift < bits; shift += RADIX_BITS) {
            Arrays.fill(offsets, 0);
            for (int i = 0; i < n; i++) {
                offsets[((from[i] >>> shift) & RADIX_MASK) + 1]++;
            }
            for (int b = 0; b <= RADIX_MASK; b++) { // counts → start offsets
                offsets[b + 1] += offsets[b];
            }
            for (int i = 0; i < n; i++) {
                int v = from[i];
                to[offsets[(v >>> shift) & RADIX_MASK]++] = v;
            }
            int[] swap = from;
            from = to;
            to = swap;
        }
        if (from != a) {
            System.arraycopy(from, 0, a, 0, n);
        }
    }
}
