package dev.ensemble.job.ml;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** A small RFC 4180 reader: a header row, then rows; quoted fields with doubled quotes; bounded size. */
public final class Csv {

    public record Table(List<String> header, List<String[]> rows) {
        public int column(String name) {
            return header.indexOf(name);
        }
    }

    private Csv() {
    }

    public static Table read(Path file, int maxRows) {
        try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String line = reader.readLine();
            if (line == null || line.isBlank()) {
                throw new JobInputException("the CSV file is empty");
            }
            if (line.startsWith("\uFEFF")) {
                line = line.substring(1);
            }
            List<String> header = List.of(parse(line)).stream().map(String::trim).toList();
            List<String[]> rows = new ArrayList<>();
            while ((line = reader.readLine()) != null) {
                if (line.isBlank()) {
                    continue;
                }
                String[] row = parse(line);
                if (row.length != header.size()) {
                    throw new JobInputException("CSV row " + (rows.size() + 2) + " has " + row.length
                            + " fields, the header has " + header.size());
                }
                rows.add(row);
                if (rows.size() > maxRows) {
                    throw new JobInputException("the CSV file has more than " + maxRows + " rows");
                }
            }
            if (rows.isEmpty()) {
                throw new JobInputException("the CSV file has a header but no rows");
            }
            return new Table(header, rows);
        } catch (IOException e) {
            throw new JobInputException("cannot read the CSV file: " + e.getMessage(), e);
        }
    }

    public static String[] parse(String line) {
        List<String> out = new ArrayList<>();
        StringBuilder field = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (quoted) {
                if (c == '"') {
                    if (i + 1 < line.length() && line.charAt(i + 1) == '"') {
                        field.append('"');
                        i++;
                    } else {
                        quoted = false;
                    }
                } else {
                    field.append(c);
                }
            } else if (c == '"') {
                quoted = true;
            } else if (c == ',') {
                out.add(field.toString());
                field.setLength(0);
            } else {
                field.append(c);
            }
        }
        out.add(field.toString());
        return out.toArray(String[]::new);
    }
}
