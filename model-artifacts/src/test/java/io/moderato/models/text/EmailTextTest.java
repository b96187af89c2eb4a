package io.moderato.models.text;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.Test;

class EmailTextTest {

    private static byte[] mail(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    @Test
    void shouldKeepSubjectAndBodyAndDropAllOtherHeaders() {
        String text = EmailText.extract(mail("""
                From someone@example.com  Thu Aug 22 12:36:23 2002
                Return-Path: <list-admin@example.org>
                Received: from relay.example.org (relay [10.0.0.1])
                \tby mx.example.com with SMTP
                Subject: Meeting   notes
                X-Mailer: SuperMailer 9
                Content-Type: text/plain; charset=us-ascii

                See you at 10.
                """));
        assertThat(text).isEqualTo("Meeting notes\n\nSee you at 10.");
    }

    @Test
    void shouldDecodeEncodedWordSubjectsAndQuotedPrintableBodies() {
        String text = EmailText.extract(mail("""
                Subject: =?iso-8859-1?Q?=DCber_alles?= =?utf-8?B?4pyT?=
                Content-Type: text/plain; charset="iso-8859-1"
                Content-Transfer-Encoding: quoted-printable

                caf=E9 soft=
                break
                """));
        assertThat(text).isEqualTo("Über alles✓\n\ncafé softbreak");
    }

    @Test
    void shouldPreferPlainTextInAlternativeAndSkipAttachments() {
        String b64 = Base64.getMimeEncoder().encodeToString("second text part".getBytes(StandardCharsets.UTF_8));
        String text = EmailText.extract(mail("""
                Subject: offer
                Content-Type: multipart/mixed; boundary="outer"

                preamble is ignored
                --outer
                Content-Type: multipart/alternative; boundary=inner

                --inner
                Content-Type: text/plain

                plain version
                --inner
                Content-Type: text/html

                <p>html version</p>
                --inner--
                --outer
                Content-Type: text/plain; charset=utf-8
                Content-Transfer-Encoding: base64

                %s
                --outer
                Content-Type: application/octet-stream
                Content-Transfer-Encoding: base64

                AAECAwQ=
                --outer--
                """.formatted(b64)));
        assertThat(text).isEqualTo("offer\n\nplain version\n\nsecond text part");
    }

    @Test
    void shouldReduceHtmlToVisibleTextKeepingLinkTargets() {
        String text = EmailText.extract(mail("""
                Subject: Win
                Content-Type: text/html

                <html><head><title>Big prize</title><style>p {color:red}</style></head>
                <body><!-- hidden --><p>Click <a href="http://win.example/now">HERE</a> &amp; save&nbsp;50&#37;</p>
                <script>alert(1)</script></body></html>
                """));
        assertThat(text)
                .contains("Big prize")
                .contains("Click http://win.example/now HERE & save 50%")
                .doesNotContain("color")
                .doesNotContain("alert")
                .doesNotContain("hidden")
                .doesNotContain("<");
    }

    @Test
    void shouldReadForwardedMessagesButNotRawHeaderParts() {
        String text = EmailText.extract(mail("""
                Subject: Fwd: hello
                Content-Type: multipart/mixed; boundary=b

                --b
                Content-Type: message/rfc822

                Received: from x
                Subject: inner subject

                inner body
                --b
                Content-Type: text/rfc822-headers

                Received: from y
                --b--
                """));
        assertThat(text).isEqualTo("Fwd: hello\n\ninner subject\n\ninner body");
    }

    @Test
    void shouldFallBackToWindows1252ForUnknownCharsets() {
        String text = EmailText.extract(new byte[] {
            'S',
            'u',
            'b',
            'j',
            'e',
            'c',
            't',
            ':',
            ' ',
            'x',
            '\n',
            'C',
            'o',
            'n',
            't',
            'e',
            'n',
            't',
            '-',
            'T',
            'y',
            'p',
            'e',
            ':',
            ' ',
            't',
            'e',
            'x',
            't',
            '/',
            'p',
            'l',
            'a',
            'i',
            'n',
            ';',
            ' ',
            'c',
            'h',
            'a',
            'r',
            's',
            'e',
            't',
            '=',
            'b',
            'o',
            'g',
            'u',
            's',
            '\n',
            '\n',
            (byte) 0x93,
            'q',
            (byte) 0x94
        });
        assertThat(text).isEqualTo("x\n\n\u201cq\u201d");
    }
}
