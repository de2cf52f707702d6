package dev.ensemble.inference.ai;

import dev.ensemble.inference.rest.ModelViews;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Classic text analysis in plain Java, with no model to download: lexicon sentiment with negation
 * and intensifiers (VADER-style normalisation), stop-word language identification, RAKE keywords,
 * pattern entities, and extractive summaries (sentences scored by content-word frequency). What
 * each method is, is said in the answers ({@code method}), so nobody mistakes it for a large model.
 */
final class TextAnalysis {

    private TextAnalysis() {
    }

    static final Pattern WORD = Pattern.compile("[\\p{L}\\p{N}']+");

    /** English valences, -3 (very negative) to +3 (very positive). */
    static final Map<String, Double> VALENCE = new HashMap<>();

    static {
        String[][] groups = {
                {"3", "amazing", "awesome", "excellent", "fantastic", "incredible", "love", "loved", "loves", "outstanding",
                        "perfect", "perfectly", "superb", "wonderful", "brilliant", "delightful", "exceptional", "best"},
                {"2", "beautiful", "enjoy", "enjoyed", "glad", "good", "great", "happy", "impressive", "liked",
                        "lovely", "nice", "pleased", "recommend", "satisfied", "smooth", "reliable", "fast", "helpful",
                        "works", "worth", "friendly", "easy", "fun", "clean", "better", "thanks", "thank"},
                {"1", "ok", "okay", "fine", "decent", "fair", "useful", "solid", "stable", "calm", "quick", "cheap",
                        "affordable", "correct", "clear", "safe", "win", "won", "success", "successful"},
                {"-1", "slow", "expensive", "late", "issue", "issues", "problem", "problems", "bug", "bugs", "confusing",
                        "difficult", "hard", "lacking", "mediocre", "noisy", "odd", "weird", "wrong", "unclear", "boring",
                        "meh", "delay", "delayed", "missing"},
                {"-2", "bad", "broke", "broken", "disappointed", "disappointing", "fail", "failed", "fails", "failure",
                        "hate", "poor", "poorly", "sad", "angry", "annoying", "crash", "crashed", "crashes", "useless",
                        "waste", "worse", "ugly", "rude", "unreliable", "refund", "dirty", "error", "errors"},
                {"-3", "awful", "horrible", "terrible", "worst", "disgusting", "hated", "pathetic", "scam", "garbage",
                        "nightmare", "dreadful", "atrocious", "unacceptable"}};
        for (String[] g : groups) {
            double v = Double.parseDouble(g[0]);
            for (int i = 1; i < g.length; i++) {
                VALENCE.put(g[i], v);
            }
        }
    }

    static final Set<String> NEGATORS = Set.of("not", "no", "never", "none", "nobody", "nothing", "neither", "nor",
            "without", "hardly", "barely", "isn't", "wasn't", "aren't", "don't", "doesn't", "didn't", "can't",
            "cannot", "won't", "wouldn't", "shouldn't", "couldn't");

    static final Map<String, Double> INTENSIFIERS = Map.ofEntries(Map.entry("very", 1.3), Map.entry("really", 1.3),
            Map.entry("extremely", 1.5), Map.entry("so", 1.2), Map.entry("super", 1.3), Map.entry("totally", 1.3),
            Map.entry("absolutely", 1.4), Map.entry("incredibly", 1.4), Map.entry("quite", 1.1),
            Map.entry("slightly", 0.6), Map.entry("somewhat", 0.7), Map.entry("barely", 0.5),
            Map.entry("kinda", 0.7), Map.entry("pretty", 1.1));

    /** Stop words per language, for identification (and English ones for keywords). */
    static final Map<String, Set<String>> STOP = new LinkedHashMap<>();

    static {
        STOP.put("en", Set.of("the", "and", "is", "it", "this", "that", "to", "of", "in", "for", "with", "was", "are",
                "i", "you", "he", "she", "we", "they", "a", "an", "on", "at", "be", "have", "has", "my", "but", "not",
                "or", "as", "by", "from", "so", "its", "it's", "me", "our", "your", "their", "will", "would", "can",
                "all", "just", "very", "there", "what", "which", "been", "were", "do", "does", "did", "than", "then",
                "also", "about", "after", "again", "into", "out", "up", "if", "no", "too", "more", "most", "some",
                "any", "these", "those", "his", "her", "them", "him", "us", "am", "being", "had", "how", "when",
                "where", "who", "why", "because", "while", "over", "under", "each", "own", "same", "such", "only",
                "really", "should", "could", "here", "one", "get", "got"));
        STOP.put("es", Set.of("el", "la", "de", "que", "y", "en", "los", "las", "del", "se", "por", "un", "una", "con",
                "para", "es", "al", "lo", "como", "más", "pero", "sus", "le", "ya", "muy", "este", "esta", "son",
                "fue", "porque", "cuando", "también", "me", "mi", "yo"));
        STOP.put("fr", Set.of("le", "la", "les", "de", "des", "du", "et", "est", "un", "une", "en", "que", "qui",
                "dans", "pour", "pas", "sur", "au", "aux", "avec", "ce", "cette", "il", "elle", "je", "nous", "vous",
                "ils", "mais", "ou", "très", "sont", "être", "ne", "se", "c'est"));
        STOP.put("de", Set.of("der", "die", "das", "und", "ist", "nicht", "ein", "eine", "zu", "den", "dem", "mit",
                "sich", "des", "auf", "für", "im", "von", "es", "ich", "sie", "wir", "auch", "aber", "sehr", "wie",
                "noch", "nach", "bei", "war", "sind", "wird", "oder", "dass"));
        STOP.put("it", Set.of("il", "lo", "la", "di", "che", "e", "è", "un", "una", "per", "non", "con", "del",
                "della", "sono", "gli", "le", "ma", "molto", "questo", "questa", "come", "anche", "nel", "alla",
                "io", "mi", "ho", "ha", "più"));
        STOP.put("pt", Set.of("o", "a", "os", "as", "de", "que", "e", "do", "da", "em", "um", "uma", "para", "com",
                "não", "é", "por", "mais", "dos", "das", "como", "mas", "ao", "ele", "ela", "muito", "isso", "eu",
                "foi", "são", "está"));
        STOP.put("nl", Set.of("de", "het", "een", "en", "van", "is", "dat", "niet", "in", "op", "te", "zijn", "met",
                "voor", "ik", "je", "ze", "wij", "maar", "ook", "heel", "erg", "dit", "was", "er", "naar", "wel"));
    }

    static List<String> words(String text) {
        List<String> out = new ArrayList<>();
        Matcher m = WORD.matcher(text.toLowerCase(Locale.ROOT));
        while (m.find()) {
            out.add(m.group());
        }
        return out;
    }

    /** The language whose stop words the text uses most, or {@code und} when too few match. */
    static Map<String, Object> language(String text) {
        List<String> words = words(text);
        String best = "und";
        int bestHits = 0;
        int second = 0;
        for (Map.Entry<String, Set<String>> e : STOP.entrySet()) {
            int hits = 0;
            for (String w : words) {
                if (e.getValue().contains(w)) {
                    hits++;
                }
            }
            if (hits > bestHits) {
                second = bestHits;
                bestHits = hits;
                best = e.getKey();
            } else if (hits > second) {
                second = hits;
            }
        }
        if (bestHits < 2 && !(bestHits == 1 && words.size() <= 4)) {
            best = "und";
        }
        double confidence = bestHits == 0 ? 0 : Math.min(0.99, 0.5 + 0.5 * (bestHits - second) / (double) bestHits
                * Math.min(1.0, bestHits / 4.0));
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("language", best);
        r.put("confidence", ModelViews.round(best.equals("und") ? 0 : confidence));
        return r;
    }

    /** Lexicon sentiment: polarity -1..1, subjectivity 0..1, label, confidence. */
    static Map<String, Object> sentiment(String text) {
        List<String> words = words(text);
        double sum = 0;
        int opinion = 0;
        int content = 0;
        for (int i = 0; i < words.size(); i++) {
            String w = words.get(i);
            if (!STOP.get("en").contains(w)) {
                content++;
            }
            Double v = VALENCE.get(w);
            if (v == null) {
                continue;
            }
            opinion++;
            double s = v;
            for (int back = 1; back <= 3 && i - back >= 0; back++) {
                String prev = words.get(i - back);
                if (NEGATORS.contains(prev) || prev.endsWith("n't")) {
                    s *= -0.74;
                    break;
                }
                Double k = INTENSIFIERS.get(prev);
                if (k != null && back == 1) {
                    s *= k;
                }
            }
            sum += s;
        }
        long bangs = text.chars().filter(c -> c == '!').count();
        if (sum != 0) {
            sum += Math.signum(sum) * Math.min(bangs, 3) * 0.3;
        }
        double polarity = sum / Math.sqrt(sum * sum + 15);
        double subjectivity = content == 0 ? 0 : Math.min(1.0, 2.0 * opinion / content);
        String label = polarity >= 0.05 ? "positive" : polarity <= -0.05 ? "negative" : "neutral";
        double confidence = opinion == 0 ? 0.5 : Math.min(0.99, 0.55 + Math.abs(polarity) * 0.45);
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("polarity", ModelViews.round(polarity));
        r.put("subjectivity", ModelViews.round(subjectivity));
        r.put("label", label);
        r.put("confidence", ModelViews.round(confidence));
        r.put("method", "lexicon");
        return r;
    }

    /** RAKE: runs of non-stop words are candidates, scored by word degree over frequency. */
    static List<Map<String, Object>> keywords(String text, int max) {
        Set<String> stop = STOP.get("en");
        List<List<String>> phrases = new ArrayList<>();
        for (String chunk : text.toLowerCase(Locale.ROOT).split("[.,;:!?()\\[\\]{}\"\\n]+")) {
            List<String> current = new ArrayList<>();
            for (String w : words(chunk)) {
                boolean skip = stop.contains(w) || NEGATORS.contains(w) || INTENSIFIERS.containsKey(w)
                        || w.length() < 3 || w.chars().allMatch(Character::isDigit);
                if (skip) {
                    if (!current.isEmpty()) {
                        phrases.add(current);
                        current = new ArrayList<>();
                    }
                } else {
                    current.add(w);
                }
            }
            if (!current.isEmpty()) {
                phrases.add(current);
            }
        }
        Map<String, Integer> freq = new HashMap<>();
        Map<String, Integer> degree = new HashMap<>();
        for (List<String> p : phrases) {
            if (p.size() > 4) {
                continue;
            }
            for (String w : p) {
                freq.merge(w, 1, Integer::sum);
                degree.merge(w, p.size(), Integer::sum);
            }
        }
        Map<String, Double> scores = new LinkedHashMap<>();
        Map<String, List<String>> words = new HashMap<>();
        for (List<String> p : phrases) {
            if (p.size() > 4) {
                continue;
            }
            String key = String.join(" ", p);
            double s = 0;
            for (String w : p) {
                s += degree.get(w) / (double) freq.get(w);
            }
            s += freq.get(p.get(0)) > 1 ? 0.5 * (freq.get(p.get(0)) - 1) : 0;
            scores.merge(key, s, Math::max);
            words.put(key, p);
        }
        double top = scores.values().stream().mapToDouble(Double::doubleValue).max().orElse(1);
        List<Map<String, Object>> out = new ArrayList<>();
        scores.entrySet().stream().sorted(Map.Entry.<String, Double>comparingByValue().reversed()).limit(max)
                .forEach(e -> {
                    double v = 0;
                    int n = 0;
                    for (String w : words.get(e.getKey())) {
                        Double val = VALENCE.get(w);
                        if (val != null) {
                            v += val;
                            n++;
                        }
                    }
                    Map<String, Object> k = new LinkedHashMap<>();
                    k.put("text", e.getKey());
                    k.put("relevance", ModelViews.round(e.getValue() / top));
                    k.put("sentiment", ModelViews.round(n == 0 ? 0 : Math.max(-1, Math.min(1, v / n / 3))));
                    out.add(k);
                });
        return out;
    }

    // Each pattern starts only at the start of a run (look-behind, \\b) and does not backtrack into it,
    // so a long run without a match costs linear time, not quadratic; repeated groups are bounded,
    // as Java's matcher recurses once per repetition (a long run would overflow the stack).
    private static final Pattern EMAIL = Pattern.compile("(?<![\\w.+-])[\\w.+-]++@[\\w-]++(?:\\.[\\w-]++){1,10}");
    private static final Pattern URL = Pattern.compile("\\bhttps?://[^\\s<>\"]*[^\\s<>\".,;:!?)]");
    private static final Pattern MONEY = Pattern.compile("[$€£¥]\\s?\\d[\\d,]*(?:\\.\\d+)?|\\b\\d[\\d,]*(?:\\.\\d+)?\\s?(?:USD|EUR|GBP|dollars|euros)\\b");
    private static final Pattern PERCENT = Pattern.compile("\\b\\d+(?:\\.\\d+)?\\s?%");
    private static final Pattern DATE = Pattern.compile("\\b\\d{4}-\\d{2}-\\d{2}\\b|\\b(?:January|February|March|April|May|June|July|"
            + "August|September|October|November|December)\\s+\\d{1,2}(?:st|nd|rd|th)?(?:,?\\s+\\d{4})?\\b");
    private static final Pattern PROPER = Pattern.compile("\\b[A-Z][\\p{L}'-]+(?:\\s+[A-Z][\\p{L}'-]+){0,5}\\b");

    /** Pattern entities (email, URL, money, percent, date) and runs of capitalised words (proper nouns). */
    static List<Map<String, Object>> entities(String text, int max) {
        List<Map<String, Object>> out = new ArrayList<>();
        List<int[]> taken = new ArrayList<>();
        Object[][] kinds = {{EMAIL, "EMAIL", 0.99}, {URL, "URL", 0.99}, {MONEY, "MONEY", 0.95}, {PERCENT, "PERCENT", 0.95},
                {DATE, "DATE", 0.9}};
        for (Object[] k : kinds) {
            Matcher m = ((Pattern) k[0]).matcher(text);
            while (m.find() && out.size() < max) {
                if (overlaps(taken, m.start(), m.end())) {
                    continue;
                }
                taken.add(new int[]{m.start(), m.end()});
                out.add(entity(m.group().trim(), (String) k[1], m.start(), m.start() + m.group().trim().length(), (double) k[2]));
            }
        }
        Matcher m = PROPER.matcher(text);
        while (m.find() && out.size() < max) {
            if (overlaps(taken, m.start(), m.end())) {
                continue;
            }
            String s = m.group();
            boolean sentenceStart = sentenceStart(text, m.start());
            boolean single = !s.contains(" ");
            if (sentenceStart && single || single && STOP.get("en").contains(s.toLowerCase(Locale.ROOT))) {
                continue; // "The", "I": capitalised because of where they stand
            }
            taken.add(new int[]{m.start(), m.end()});
            out.add(entity(s, "PROPER_NOUN", m.start(), m.end(), single ? 0.6 : 0.75));
        }
        out.sort(Comparator.comparingInt(e -> (int) e.get("start")));
        return out;
    }

    private static boolean sentenceStart(String text, int at) {
        int i = at - 1;
        while (i >= 0 && Character.isWhitespace(text.charAt(i))) {
            i--;
        }
        return i < 0 || ".!?\n\"".indexOf(text.charAt(i)) >= 0;
    }

    private static boolean overlaps(List<int[]> taken, int start, int end) {
        for (int[] t : taken) {
            if (start < t[1] && end > t[0]) {
                return true;
            }
        }
        return false;
    }

    private static Map<String, Object> entity(String text, String label, int start, int end, double confidence) {
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("text", text);
        e.put("label", label);
        e.put("start", start);
        e.put("end", end);
        e.put("confidence", confidence);
        return e;
    }

    /**
     * An extractive summary: the best-scoring sentences that fit in {@code maxWords}, in their order;
     * weaker sentences join only while the summary is shorter than {@code minWords}.
     */
    record Summary(String text, int originalWords, int summaryWords, int sentences, int sentencesSelected) {
    }

    static Summary summarize(String text, int minWords, int maxWords) {
        String[] sentences = text.trim().split("(?<=[.!?])\\s+|\\n{2,}");
        List<List<String>> words = new ArrayList<>();
        Map<String, Integer> freq = new HashMap<>();
        int total = 0;
        Set<String> stop = STOP.get("en");
        for (String s : sentences) {
            List<String> w = words(s);
            words.add(w);
            total += w.size();
            for (String x : w) {
                if (!stop.contains(x) && x.length() > 2) {
                    freq.merge(x, 1, Integer::sum);
                }
            }
        }
        int top = freq.values().stream().mapToInt(Integer::intValue).max().orElse(1);
        double[] score = new double[sentences.length];
        for (int i = 0; i < sentences.length; i++) {
            double s = 0;
            int content = 0;
            for (String x : words.get(i)) {
                Integer f = freq.get(x);
                if (f != null) {
                    s += f / (double) top;
                    content++;
                }
            }
            score[i] = content == 0 ? 0 : s / Math.sqrt(content) * (i == 0 ? 1.2 : 1.0);
        }
        Integer[] order = new Integer[sentences.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        java.util.Arrays.sort(order, (a, b) -> Double.compare(score[b], score[a]));
        boolean[] chosen = new boolean[sentences.length];
        int used = 0;
        int picked = 0;
        double best = sentences.length == 0 ? 0 : score[order[0]];
        // first the strong sentences (at least half the best score), then, only to reach minWords, the rest
        for (int pass = 0; pass < 2 && used < maxWords; pass++) {
            if (pass == 1 && used >= minWords) {
                break;
            }
            for (int i : order) {
                int n = words.get(i).size();
                if (chosen[i] || n == 0 || pass == 0 && score[i] < 0.5 * best) {
                    continue;
                }
                // the best sentences that fit; the first one is cut to fit when even it is too long
                if (used + n <= maxWords || picked == 0 && n > maxWords) {
                    chosen[i] = true;
                    used += Math.min(n, maxWords);
                    picked++;
                }
                if (used >= maxWords) {
                    break;
                }
            }
        }
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < sentences.length; i++) {
            if (!chosen[i]) {
                continue;
            }
            String s = sentences[i].trim();
            if (words.get(i).size() > maxWords) {
                s = firstWords(s, maxWords) + "...";
            }
            if (sb.length() > 0) {
                sb.append(' ');
            }
            sb.append(s);
        }
        String summary = sb.toString();
        return new Summary(summary, total, words(summary).size(), sentences.length, picked);
    }

    private static String firstWords(String s, int n) {
        Matcher m = WORD.matcher(s);
        int end = 0;
        for (int i = 0; i < n && m.find(); i++) {
            end = m.end();
        }
        return s.substring(0, end);
    }
}
