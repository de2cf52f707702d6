package dev.ensemble.llm.model;

import java.util.Arrays;
import java.util.Random;

/** Picks the next token from logits: temperature, top-k, top-p (nucleus); greedy at temperature 0. */
final class Sampler {

    private final double temperature;
    private final int topK;
    private final double topP;
    private final Random random;

    Sampler(GenerationParams params, long seed) {
        this.temperature = params.temperature();
        this.topK = params.topK();
        this.topP = params.topP();
        this.random = new Random(seed);
    }

    /** The chosen id; id {@link Vocabulary#UNKNOWN} is never chosen. */
    int sample(float[] logits) {
        int v = logits.length;
        if (temperature == 0) {
            int best = 1;
            for (int i = 2; i < v; i++) {
                if (logits[i] > logits[best]) {
                    best = i;
                }
            }
            return best;
        }
        Integer[] order = new Integer[v - 1];
        for (int i = 1; i < v; i++) {
            order[i - 1] = i;
        }
        Arrays.sort(order, (a, b) -> Float.compare(logits[b], logits[a]));
        int keep = topK > 0 ? Math.min(topK, order.length) : order.length;
        double max = logits[order[0]];
        double[] p = new double[keep];
        double sum = 0;
        for (int i = 0; i < keep; i++) {
            p[i] = Math.exp((logits[order[i]] - max) / temperature);
            sum += p[i];
        }
        if (topP < 1) {
            double cumulative = 0;
            int cut = keep;
            for (int i = 0; i < keep; i++) {
                cumulative += p[i] / sum;
                if (cumulative >= topP) {
                    cut = i + 1;
                    break;
                }
            }
            keep = cut;
            sum = 0;
            for (int i = 0; i < keep; i++) {
                sum += p[i];
            }
        }
        double r = random.nextDouble() * sum;
        for (int i = 0; i < keep; i++) {
            r -= p[i];
            if (r <= 0) {
                return order[i];
            }
        }
        return order[keep - 1];
    }
}
