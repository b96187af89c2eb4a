package io.moderato.jobs.local;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** RFC 4180 CSV as the corpora ship it: a header row, quoted fields with doubled quotes and line breaks inside. */
final class Csv {

    private Csv() {}

    /** One data row, addressed by the header's column names. */
    record Row(Map<String, Integer> columns, List<String> values, Path file, int line) {
        String get(String column) {
            Integer i = columns.get(column);
            if (i == null) {
                throw new IllegalArgumentException(
                        file + ": no column '" + column + "' (columns " + columns.keySet() + ")");
            }
            if (i >= values.size()) {
                throw new IllegalArgumentException(file + " row at line " + line + ": column '" + column + "' missing");
            }
            return values.get(i);
        }

        int getInt(String column) {
            try {
                return Integer.parseInt(get(column).strip());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(file + " row at line " + line + ": column '" + column
                        + "' is not a whole number: '" + get(column) + "'");
            }
        }
    }

    static List<Row> read(Path file) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
        Records parsed = records(text, file);
        List<List<String>> records = parsed.fields();
        List<Integer> lines = parsed.lines();
        if (records.isEmpty()) {
            throw new IllegalArgumentException(file + " is empty (expected a header row)");
        }
        Map<String, Integer> columns = new HashMap<>();
        List<String> header = records.get(0);
        for (int i = 0; i < header.size(); i++) {
            columns.put(header.get(i).strip().replace("\uFEFF", ""), i);
        }
        List<Row> rows = new ArrayList<>(records.size() - 1);
        for (int r = 1; r < records.size(); r++) {
            rows.add(new Row(columns, records.get(r), file, lines.get(r)));
        }
        return rows;
    }

    /** The records of {@code text} (RFC 4180 quoting, blank lines skipped) with the line each starts on. */
    private record Records(List<List<String>> fields, List<Integer> lines) {}

    private static Records records(String text, Path file) {
        List<List<String>> records = new ArrayList<>();
        List<Integer> lines = new ArrayList<>();
        List<String> record = new ArrayList<>();
        StringBuilder field = new StringBuilder();
        boolean quoted = false;
        int line = 1;
        int recordLine = 1;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (quoted) {
                if (c == '"' && i + 1 < text.length() && text.charAt(i + 1) == '"') {
                    field.append('"');
                    i++;
                } else if (c == '"') {
                    quoted = false;
                } else {
                    line += c == '\n' ? 1 : 0;
                    field.append(c);
                }
            } else if (c == '"' && field.isEmpty()) {
                quoted = true;
            } else if (c == ',') {
                record.add(field.toString());
                field.setLength(0);
            } else if (c == '\n' || c == '\r') {
                if (c == '\r' && i + 1 < text.length() && text.charAt(i + 1) == '\n') {
                    i++;
                }
                record.add(field.toString());
                field.setLength(0);
                if (!(record.size() == 1 && record.get(0).isEmpty())) {
                    records.add(record);
                    lines.add(recordLine);
                }
                record = new ArrayList<>();
                line++;
                recordLine = line;
            } else {
                field.append(c);
            }
        }
        if (quoted) {
            throw new IllegalArgumentException(file + ": unterminated quoted field starting on line " + recordLine);
        }
        if (!field.isEmpty() || !record.isEmpty()) {
            record.add(field.toString());
            records.add(record);
            lines.add(recordLine);
        }
        return new Records(records, lines);
    }
}
