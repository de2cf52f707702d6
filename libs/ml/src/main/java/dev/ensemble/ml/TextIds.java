package dev.ensemble.ml;

import java.util.Locale;
import java.util.TreeSet;

/** Text as the transformer models read it: hashed word ids for classifiers, character ids for generators. */
public final class TextIds {

    /** The word-id space of job-service's text classifiers. */
    public static final int DEFAULT_VOCAB = 512;

    private TextIds() {
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

    /** The characters of {@code text} in order, at most {@code max} of them kept. */
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

    /**
     * Character ids (1-based positions in {@code alphabet}; 0 for unknown characters and padding) of
     * the last {@code length} characters of {@code text}, left-padded.
     */
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
