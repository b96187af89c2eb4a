package io.moderato.models.text;

import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns one raw RFC 822 e-mail into the text the text-spam model is trained on: the decoded
 * {@code Subject}, a blank line, then the decoded human-readable body. Every other header is dropped
 * (routing, dates, mailer names and list headers say which mailbox a message came from, not what it
 * says; at serving time the model only sees comment or message text).
 *
 * <p>Body rules: MIME multiparts are walked (depth ≤ 8); in {@code multipart/alternative} the
 * {@code text/plain} part wins over {@code text/html}; other multiparts contribute all their text
 * parts in order; {@code message/rfc822} parts contribute their own subject and body; non-text parts
 * (attachments, signatures, images) contribute nothing. Transfer encodings base64 and quoted-printable
 * are decoded; charsets are honoured, with {@code us-ascii} and {@code iso-8859-1} read as
 * {@code windows-1252} (as browsers do) and unknown charsets falling back to windows-1252. HTML is
 * reduced to its visible text, and a link's target URL is kept next to its text because a URL is
 * visible text in a comment. Runs of spaces collapse to one space and of blank lines to one blank line.
 *
 * <p>Pure function of the bytes; no I/O, no state.
 */
public final class EmailText {

    private static final int MAX_DEPTH = 8;
    private static final Charset FALLBACK = Charset.forName("windows-1252");
    private static final Pattern ENCODED_WORD = Pattern.compile("=\\?([^?\\s]+)\\?([bBqQ])\\?([^?]*)\\?=");
    private static final Pattern BETWEEN_ENCODED_WORDS =
            Pattern.compile("(=\\?[^?\\s]+\\?[bBqQ]\\?[^?]*\\?=)\\s+(?==\\?)");
    private static final Pattern HEADER_LINE = Pattern.compile("^([!-9;-~]+):[ \\t]?(.*)$");

    private EmailText() {}

    /** Subject and body of a raw e-mail, in that order, separated by a blank line. */
    public static String extract(byte[] rawEmail) {
        // ISO-8859-1 maps every byte to one char and back, so the charset of each part can be applied later
        String raw = new String(rawEmail, StandardCharsets.ISO_8859_1)
                .replace("\r\n", "\n")
                .replace('\r', '\n');
        Entity message = Entity.parse(raw);
        StringBuilder out = new StringBuilder();
        appendMessage(message, out, 0);
        return normalizeWhitespace(out.toString());
    }

    private static void appendMessage(Entity message, StringBuilder out, int depth) {
        String subject = message.header("subject");
        if (subject != null) {
            String decoded = decodeHeader(subject).strip();
            if (!decoded.isEmpty()) {
                out.append(decoded).append("\n\n");
            }
        }
        appendBody(message, out, depth);
    }

    private static void appendBody(Entity entity, StringBuilder out, int depth) {
        if (depth > MAX_DEPTH) {
            return;
        }
        ContentType type = ContentType.parse(entity.header("content-type"));
        if (type.mediaType().startsWith("multipart/")) {
            List<Entity> parts = entity.parts(type.parameter("boundary"));
            if (type.mediaType().equals("multipart/alternative")) {
                Entity best = null;
                for (Entity part : parts) {
                    String mt = ContentType.parse(part.header("content-type")).mediaType();
                    if (mt.equals("text/plain")
                            && !decodeText(part, "text/plain").isBlank()) {
                        best = part;
                        break;
                    }
                    if (best == null && (mt.equals("text/html") || mt.startsWith("multipart/"))) {
                        best = part;
                    }
                }
                if (best != null) {
                    appendBody(best, out, depth + 1);
                }
            } else {
                for (Entity part : parts) {
                    appendBody(part, out, depth + 1);
                }
            }
        } else if (type.mediaType().equals("message/rfc822")) {
            String inner = transferDecode(entity);
            appendMessage(Entity.parse(inner), out, depth + 1);
        } else if (type.mediaType().equals("text/plain")
                || type.mediaType().equals("text/html")
                || type.mediaType().equals("text/enriched")) {
            String text = decodeText(entity, type.mediaType());
            if (!text.isBlank()) {
                out.append(text).append("\n\n");
            }
        }
        // anything else (attachments, signatures, delivery reports, raw headers) carries no message text
    }

    private static String decodeText(Entity entity, String mediaType) {
        ContentType type = ContentType.parse(entity.header("content-type"));
        String bytesAsLatin1 = transferDecode(entity);
        String text =
                new String(bytesAsLatin1.getBytes(StandardCharsets.ISO_8859_1), charset(type.parameter("charset")));
        return switch (mediaType) {
            case "text/html" -> Html.toText(text);
            case "text/enriched" -> text.replaceAll("<[^>]{0,40}>", "");
            default -> text;
        };
    }

    /** Body with its Content-Transfer-Encoding undone, as one char per byte (ISO-8859-1). */
    private static String transferDecode(Entity entity) {
        String cte = entity.header("content-transfer-encoding");
        cte = cte == null ? "" : cte.strip().toLowerCase(Locale.ROOT);
        if (cte.startsWith("base64")) {
            try {
                return new String(Base64.getMimeDecoder().decode(entity.body().strip()), StandardCharsets.ISO_8859_1);
            } catch (IllegalArgumentException e) {
                return "";
            }
        }
        if (cte.startsWith("quoted-printable")) {
            return decodeQuotedPrintable(entity.body(), false);
        }
        return entity.body();
    }

    static Charset charset(String name) {
        if (name == null || name.isBlank()) {
            return FALLBACK;
        }
        String n = name.strip().toLowerCase(Locale.ROOT);
        if (n.equals("us-ascii") || n.equals("ascii") || n.equals("iso-8859-1") || n.equals("latin1")) {
            return FALLBACK;
        }
        try {
            return Charset.forName(n);
        } catch (RuntimeException e) { // IllegalCharsetNameException, UnsupportedCharsetException
            return FALLBACK;
        }
    }

    /** Quoted-printable (RFC 2045); in headers (RFC 2047 "Q") '_' means space. Bad escapes stay literal. */
    static String decodeQuotedPrintable(String s, boolean header) {
        StringBuilder out = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '=') {
                if (i + 1 < s.length() && s.charAt(i + 1) == '\n') { // soft line break
                    i++;
                    continue;
                }
                if (i + 2 < s.length()) {
                    int hi = Character.digit(s.charAt(i + 1), 16);
                    int lo = Character.digit(s.charAt(i + 2), 16);
                    if (hi >= 0 && lo >= 0) {
                        out.append((char) (hi * 16 + lo));
                        i += 2;
                        continue;
                    }
                }
                out.append(c);
            } else if (header && c == '_') {
                out.append(' ');
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    /** Header value with RFC 2047 encoded words decoded; plain 8-bit header bytes read as windows-1252. */
    static String decodeHeader(String value) {
        String joined = BETWEEN_ENCODED_WORDS.matcher(value).replaceAll("$1");
        Matcher m = ENCODED_WORD.matcher(joined);
        StringBuilder out = new StringBuilder();
        int last = 0;
        while (m.find()) {
            out.append(latin1BytesAs(joined.substring(last, m.start()), FALLBACK));
            Charset cs = charset(m.group(1).split("\\*", 2)[0]);
            String payload = m.group(3);
            String bytes;
            if (m.group(2).equalsIgnoreCase("b")) {
                try {
                    bytes = new String(Base64.getMimeDecoder().decode(payload), StandardCharsets.ISO_8859_1);
                } catch (IllegalArgumentException e) {
                    bytes = payload;
                }
            } else {
                bytes = decodeQuotedPrintable(payload, true);
            }
            out.append(latin1BytesAs(bytes, cs));
            last = m.end();
        }
        out.append(latin1BytesAs(joined.substring(last), FALLBACK));
        return out.toString();
    }

    private static String latin1BytesAs(String latin1, Charset cs) {
        return new String(latin1.getBytes(StandardCharsets.ISO_8859_1), cs);
    }

    static String normalizeWhitespace(String text) {
        String s = text.replace('\u00a0', ' ')
                .replaceAll("[ \\t\\x0B\\f]+", " ")
                .replaceAll(" ?\n ?", "\n")
                .replaceAll("\n{3,}", "\n\n");
        return s.strip();
    }

    /** A MIME entity: unfolded headers (lower-case names, first occurrence wins) and the raw body. */
    private record Entity(Map<String, String> headers, String body) {

        static Entity parse(String raw) {
            int split = raw.indexOf("\n\n");
            String head = split < 0 ? raw : raw.substring(0, split);
            String body = split < 0 ? "" : raw.substring(split + 2);
            Map<String, String> headers = new LinkedHashMap<>();
            String name = null;
            StringBuilder value = new StringBuilder();
            for (String line : head.split("\n", -1)) {
                if (!line.isEmpty() && (line.charAt(0) == ' ' || line.charAt(0) == '\t') && name != null) {
                    value.append(' ').append(line.strip());
                    continue;
                }
                if (name != null) {
                    headers.putIfAbsent(name, value.toString());
                }
                Matcher m = HEADER_LINE.matcher(line);
                if (m.matches()) {
                    name = m.group(1).toLowerCase(Locale.ROOT);
                    value.setLength(0);
                    value.append(m.group(2).strip());
                } else {
                    name = null; // e.g. the mbox "From " line
                }
            }
            if (name != null) {
                headers.putIfAbsent(name, value.toString());
            }
            return new Entity(headers, body);
        }

        String header(String lowerCaseName) {
            return headers.get(lowerCaseName);
        }

        List<Entity> parts(String boundary) {
            List<Entity> parts = new ArrayList<>();
            if (boundary == null || boundary.isEmpty()) {
                return parts;
            }
            String delimiter = "--" + boundary;
            StringBuilder current = null;
            for (String line : body.split("\n", -1)) {
                String trimmed = line.stripTrailing();
                if (trimmed.equals(delimiter + "--")) {
                    if (current != null) {
                        parts.add(parse(current.toString()));
                    }
                    return parts;
                }
                if (trimmed.equals(delimiter)) {
                    if (current != null) {
                        parts.add(parse(current.toString()));
                    }
                    current = new StringBuilder();
                    continue;
                }
                if (current != null) {
                    current.append(line).append('\n');
                }
            }
            if (current != null) { // unterminated multipart: keep what we have
                parts.add(parse(current.toString()));
            }
            return parts;
        }
    }

    /** Media type (lower case, default text/plain) and its parameters. */
    private record ContentType(String mediaType, Map<String, String> parameters) {

        private static final Pattern PARAM = Pattern.compile(";\\s*([A-Za-z0-9_.*-]+)\\s*=\\s*(\"([^\"]*)\"|[^;\\s]+)");

        static ContentType parse(String header) {
            if (header == null || header.isBlank()) {
                return new ContentType("text/plain", Map.of());
            }
            int semi = header.indexOf(';');
            String mt = (semi < 0 ? header : header.substring(0, semi)).strip().toLowerCase(Locale.ROOT);
            if (!mt.contains("/")) {
                mt = "text/plain";
            }
            Map<String, String> params = new LinkedHashMap<>();
            Matcher m = PARAM.matcher(semi < 0 ? "" : header.substring(semi));
            while (m.find()) {
                String v = m.group(3) != null ? m.group(3) : m.group(2);
                params.putIfAbsent(m.group(1).toLowerCase(Locale.ROOT), v);
            }
            return new ContentType(mt, params);
        }

        String parameter(String name) {
            return parameters.get(name);
        }
    }

    /** Visible text of an HTML document, with link targets kept. */
    static final class Html {
        private static final Pattern INVISIBLE =
                Pattern.compile("(?is)<!--.*?-->|<(script|style|head)\\b[^>]*>.*?</\\1\\s*>");
        private static final Pattern TITLE = Pattern.compile("(?is)<title\\b[^>]*>(.*?)</title\\s*>");
        private static final Pattern LINK =
                Pattern.compile("(?is)<a\\b[^>]*?\\bhref\\s*=\\s*(?:\"([^\"]*)\"|'([^']*)'|([^\\s>]+))[^>]*>");
        private static final Pattern BLOCK =
                Pattern.compile("(?i)<\\s*/?\\s*(br|p|div|tr|li|ul|ol|table|h[1-6]|blockquote|hr|center)\\b[^>]*>");
        private static final Pattern TAG = Pattern.compile("(?s)<[^>]*>");
        private static final Pattern ENTITY = Pattern.compile("&(#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[a-zA-Z]{2,8});?");
        private static final Map<String, String> NAMED = Map.ofEntries(
                Map.entry("nbsp", " "),
                Map.entry("amp", "&"),
                Map.entry("lt", "<"),
                Map.entry("gt", ">"),
                Map.entry("quot", "\""),
                Map.entry("apos", "'"),
                Map.entry("copy", "\u00a9"),
                Map.entry("reg", "\u00ae"),
                Map.entry("trade", "\u2122"),
                Map.entry("euro", "\u20ac"),
                Map.entry("pound", "\u00a3"),
                Map.entry("cent", "\u00a2"),
                Map.entry("yen", "\u00a5"),
                Map.entry("middot", "\u00b7"),
                Map.entry("bull", "\u2022"),
                Map.entry("hellip", "\u2026"),
                Map.entry("ndash", "\u2013"),
                Map.entry("mdash", "\u2014"),
                Map.entry("laquo", "\u00ab"),
                Map.entry("raquo", "\u00bb"),
                Map.entry("lsquo", "\u2018"),
                Map.entry("rsquo", "\u2019"),
                Map.entry("ldquo", "\u201c"),
                Map.entry("rdquo", "\u201d"));

        private Html() {}

        static String toText(String html) {
            String title = "";
            Matcher t = TITLE.matcher(html);
            if (t.find()) {
                title = t.group(1) + "\n";
            }
            String s = INVISIBLE.matcher(html).replaceAll(" ");
            s = LINK.matcher(s).replaceAll(mr -> {
                String url = mr.group(1) != null ? mr.group(1) : mr.group(2) != null ? mr.group(2) : mr.group(3);
                return Matcher.quoteReplacement(" " + url + " ");
            });
            s = BLOCK.matcher(s).replaceAll("\n");
            s = TAG.matcher(s).replaceAll(" ");
            return unescape(TAG.matcher(title).replaceAll(" ") + s);
        }

        static String unescape(String s) {
            Matcher m = ENTITY.matcher(s);
            StringBuilder out = new StringBuilder();
            while (m.find()) {
                String e = m.group(1);
                String rep = null;
                if (e.charAt(0) == '#') {
                    try {
                        int cp = (e.charAt(1) == 'x' || e.charAt(1) == 'X')
                                ? Integer.parseInt(e.substring(2), 16)
                                : Integer.parseInt(e.substring(1));
                        if (Character.isValidCodePoint(cp) && cp != 0) {
                            rep = new String(Character.toChars(cp));
                        }
                    } catch (NumberFormatException ignored) {
                        // not an entity after all
                    }
                } else {
                    rep = NAMED.get(e.toLowerCase(Locale.ROOT));
                }
                m.appendReplacement(out, Matcher.quoteReplacement(rep != null ? rep : m.group()));
            }
            m.appendTail(out);
            return out.toString();
        }
    }
}
