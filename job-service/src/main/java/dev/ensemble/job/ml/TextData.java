package dev.ensemble.job.ml;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.stream.Stream;

/** Text corpora for the small transformer models (their ids: {@link dev.ensemble.ml.TextIds}). */
public final class TextData {

    private TextData() {
    }

    /** All text under {@code path} (a file, or a folder of .txt/.csv/.md files), at most {@code maxChars}. */
    public static String corpus(Path path, int maxChars) {
        StringBuilder sb = new StringBuilder();
        try {
            if (Files.isRegularFile(path)) {
                sb.append(Files.readString(path, StandardCharsets.UTF_8));
            } else {
                try (Stream<Path> files = Files.walk(path, 3)) {
                    for (Path f : files.filter(Files::isRegularFile).filter(TextData::isText).sorted().toList()) {
                        sb.append(Files.readString(f, StandardCharsets.UTF_8)).append('\n');
                        if (sb.length() >= maxChars) {
                            break;
                        }
                    }
                }
            }
        } catch (IOException e) {
            throw new JobInputException("cannot read the text data: " + e.getMessage(), e);
        }
        String text = sb.length() > maxChars ? sb.substring(0, maxChars) : sb.toString();
        if (text.isBlank()) {
            throw new JobInputException("the text data is empty");
        }
        return text;
    }

    static boolean isText(Path p) {
        String n = p.getFileName().toString().toLowerCase(Locale.ROOT);
        return n.endsWith(".txt") || n.endsWith(".csv") || n.endsWith(".md");
    }
}
