package dev.ensemble.llm.model;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * A character tokenizer: one token per Unicode code point seen in the training text, plus id 0 for
 * any character the text never contained. Immutable and thread-safe.
 *
 * <p>Saved as a UTF-8 file with one code point per line written as its hexadecimal value, so that
 * newlines, spaces and tabs survive the round trip.
 */
public final class Vocabulary {

    /** The id every unknown character maps to; the model never samples it. */
    public static final int UNKNOWN = 0;
    /** What {@link #decode} renders the unknown id as. */
    public static final String UNKNOWN_TEXT = "\uFFFD";

    private final int[] codePoints; // index = id; codePoints[0] is unused (UNKNOWN)
    private final Map<Integer, Integer> ids;

    private Vocabulary(int[] codePoints) {
        this.codePoints = codePoints;
        this.ids = new HashMap<>(codePoints.length * 2);
        for (int i = 1; i < codePoints.length; i++) {
            ids.put(codePoints[i], i);
        }
    }

    /** Builds the vocabulary of every distinct code point of {@code text}, in code point order. */
    public static Vocabulary fromText(String text) {
        TreeSet<Integer> seen = new TreeSet<>();
        text.codePoints().forEach(seen::add);
        int[] cps = new int[seen.size() + 1];
        int i = 1;
        for (int cp : seen) {
            cps[i++] = cp;
        }
        return new Vocabulary(cps);
    }

    /** The number of ids, the unknown id included. */
    public int size() {
        return codePoints.length;
    }

    /** The id of one code point, or {@link #UNKNOWN}. */
    public int id(int codePoint) {
        return ids.getOrDefault(codePoint, UNKNOWN);
    }

    /** Encodes text to ids, one per code point. */
    public int[] encode(String text) {
        return text.codePoints().map(this::id).toArray();
    }

    /** The text of one id. */
    public String token(int id) {
        if (id <= UNKNOWN || id >= codePoints.length) {
            return UNKNOWN_TEXT;
        }
        return new String(Character.toChars(codePoints[id]));
    }

    /** Decodes ids back to text. */
    public String decode(int[] tokens) {
        StringBuilder sb = new StringBuilder(tokens.length);
        for (int t : tokens) {
            sb.append(token(t));
        }
        return sb.toString();
    }

    /** The code points in id order (id 1 first), for inspection. */
    public List<String> tokens() {
        List<String> out = new ArrayList<>(codePoints.length - 1);
        for (int i = 1; i < codePoints.length; i++) {
            out.add(token(i));
        }
        return Collections.unmodifiableList(out);
    }

    /** Writes the vocabulary to {@code file}. */
    public void save(Path file) throws IOException {
        StringBuilder sb = new StringBuilder("# ensemble-llm character vocabulary: one code point (hex) per line, id = line number\n");
        for (int i = 1; i < codePoints.length; i++) {
            sb.append(Integer.toHexString(codePoints[i])).append('\n');
        }
        Files.writeString(file, sb.toString(), StandardCharsets.UTF_8);
    }

    /** Reads a vocabulary written by {@link #save}. */
    public static Vocabulary load(Path file) throws IOException {
        List<Integer> cps = new ArrayList<>();
        cps.add(0);
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            String l = line.strip();
            if (l.isEmpty() || l.startsWith("#")) {
                continue;
            }
            try {
                cps.add(Integer.parseInt(l, 16));
            } catch (NumberFormatException e) {
                throw new IOException("bad vocabulary line in " + file + ": " + line, e);
            }
        }
        return new Vocabulary(cps.stream().mapToInt(Integer::intValue).toArray());
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Vocabulary v && java.util.Arrays.equals(codePoints, v.codePoints);
    }

    @Override
    public int hashCode() {
        return java.util.Arrays.hashCode(codePoints);
    }
}
