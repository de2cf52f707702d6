package dev.ensemble.job.ml;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.TreeSet;
import java.util.stream.Stream;

/** Text for the small transformer models: hashed word ids for classifiers, characters for generators. */
public final class TextData {

    private TextData() {
    }

    /** Word ids in 1..vocab-1 (0 pads), by a stable hash, cut or padded to {@code length}. */
    public static long[] wordIds(String text, int vocab, int length) {
        long[] ids = new long[length];
        int i = 0;
        for (String w : text.toLowerCase(Locale.ROOT).split("[^\\p{L}\\p{N}]+")) {
            if (w.isEmpty()) {
                continue;
            }
            if (i == length) {
                break;
            }
            ids[i++] = 1 + Math.floorMod(w.hashCode(), vocab - 1);
        }
        return ids;
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

    /** The characters of {@code text} in order, at most {@code max} of the most common kept. */
    public static String alphabet(String text, int max) {
        TreeSet<Character> chars = new TreeSet<>();
        text.chars().forEach(c -> chars.add((char) c));
        StringBuilder sb = new StringBuilder();
        for (char c : chars) {
            if (sb.length() < max) {
                sb.append(c);
            }
        }
        return sb.toString();
    }

    /** Character ids (1-based positions in {@code alphabet}; 0 for unknown and padding), left-padded to {@code length}. */
    public static long[] charIds(String text, String alphabet, int length) {
        long[] ids = new long[length];
        int start = Math.max(0, text.length() - length);
        int offset = length - (text.length() - start);
        for (int i = start; i < text.length(); i++) {
            ids[offset + i - start] = alphabet.indexOf(text.charAt(i)) + 1;
        }
        return ids;
    }
}
