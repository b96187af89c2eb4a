package io.moderato.models.data;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvParser;
import com.fasterxml.jackson.dataformat.csv.CsvSchema;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A labelled text file read as rows of named string columns: CSV (RFC 4180: quoted fields may hold
 * commas, quotes and line breaks), TSV (tab-separated, same quoting) or JSON Lines (one object per line;
 * numbers and booleans are read as their text, nested values as JSON). The format comes from the file
 * extension ({@code .csv}, {@code .tsv}/{@code .tab}, {@code .jsonl}/{@code .ndjson}); the first CSV/TSV
 * line is the header. UTF-8, a leading byte-order mark is ignored. Errors name the file, the line or row
 * and the column.
 *
 * @param file    where the rows came from (for messages)
 * @param columns the header, in file order (JSON Lines: every key seen, in first-seen order)
 * @param rows    each row as column → value; a column missing on a row is absent from its map
 */
public record TextTable(Path file, List<String> columns, List<Map<String, String>> rows) {

    /** File formats {@link #read} understands. */
    public enum Format {
        CSV,
        TSV,
        JSONL
    }

    public static Format formatOf(Path file) {
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        if (name.endsWith(".csv")) {
            return Format.CSV;
        }
        if (name.endsWith(".tsv") || name.endsWith(".tab")) {
            return Format.TSV;
        }
        if (name.endsWith(".jsonl") || name.endsWith(".ndjson")) {
            return Format.JSONL;
        }
        throw new IllegalArgumentException(file + ": unknown file type (expected .csv, .tsv, .tab, .jsonl or .ndjson)");
    }

    public static TextTable read(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException(file + ": no such file");
        }
        Format format = formatOf(file);
        try (Reader reader = withoutByteOrderMark(Files.newBufferedReader(file, StandardCharsets.UTF_8))) {
            return format == Format.JSONL ? readJsonLines(file, reader) : readDelimited(file, reader, format);
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": cannot read: " + e.getMessage(), e);
        }
    }

    /** The value of {@code column} on row {@code index}; fails naming the file, row and column when absent. */
    public String value(int index, String column) {
        String value = rows.get(index).get(column);
        if (value == null) {
            throw new IllegalArgumentException(
                    file + ": row " + (index + 1) + " has no value for column '" + column + "'");
        }
        return value;
    }

    /** Fails naming the missing column and the columns there are. */
    public void requireColumns(String... names) {
        for (String name : names) {
            if (!columns.contains(name)) {
                throw new IllegalArgumentException(file + ": no column '" + name + "' (columns: " + columns + ")");
            }
        }
    }

    private static TextTable readDelimited(Path file, Reader reader, Format format) throws IOException {
        CsvMapper mapper = new CsvMapper();
        CsvSchema schema = CsvSchema.emptySchema().withHeader().withColumnSeparator(format == Format.TSV ? '\t' : ',');
        List<Map<String, String>> rows = new ArrayList<>();
        List<String> columns;
        try (MappingIterator<Map<String, String>> it = mapper.readerForMapOf(String.class)
                .with(schema)
                .with(CsvParser.Feature.FAIL_ON_MISSING_HEADER_COLUMNS)
                .readValues(reader)) {
            while (it.hasNextValue()) {
                rows.add(it.nextValue());
            }
            CsvSchema header = (CsvSchema) it.getParser().getSchema();
            columns = new ArrayList<>();
            header.forEach(c -> columns.add(c.getName()));
        } catch (RuntimeException | JsonProcessingException e) {
            throw new IllegalArgumentException(file + ": not valid " + format + ": " + message(e), e);
        }
        return new TextTable(file, List.copyOf(columns), List.copyOf(rows));
    }

    private static TextTable readJsonLines(Path file, Reader reader) throws IOException {
        ObjectMapper json = new ObjectMapper();
        List<Map<String, String>> rows = new ArrayList<>();
        LinkedHashMap<String, Boolean> columns = new LinkedHashMap<>();
        BufferedReader lines = new BufferedReader(reader);
        String line;
        int number = 0;
        while ((line = lines.readLine()) != null) {
            number++;
            if (line.isBlank()) {
                continue;
            }
            JsonNode node;
            try {
                node = json.readTree(line);
            } catch (JsonProcessingException e) {
                throw new IllegalArgumentException(
                        file + ": line " + number + ": not valid JSON: " + e.getOriginalMessage(), e);
            }
            if (node == null || !node.isObject()) {
                throw new IllegalArgumentException(file + ": line " + number + ": expected a JSON object, got "
                        + (node == null ? "nothing" : node.getNodeType()));
            }
            Map<String, String> row = new LinkedHashMap<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> field = it.next();
                JsonNode value = field.getValue();
                if (!value.isNull()) {
                    row.put(field.getKey(), value.isValueNode() ? value.asText() : value.toString());
                }
                columns.putIfAbsent(field.getKey(), Boolean.TRUE);
            }
            rows.add(row);
        }
        return new TextTable(file, List.copyOf(columns.keySet()), List.copyOf(rows));
    }

    private static Reader withoutByteOrderMark(BufferedReader reader) throws IOException {
        reader.mark(1);
        if (reader.read() != '\uFEFF') {
            reader.reset();
        }
        return reader;
    }

    private static String message(Exception e) {
        return e instanceof JsonProcessingException j
                ? j.getOriginalMessage() + " (" + j.getLocation() + ")"
                : String.valueOf(e.getMessage());
    }
}
