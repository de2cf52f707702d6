package dev.ensemble.inference.ai;

import dev.ensemble.inference.rest.ModelViews;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Colour statistics of an image (read at {@link #SIZE} x {@link #SIZE}): dominant colours, mean colour, brightness. */
final class ImageStats {

    static final int SIZE = 64;

    private ImageStats() {
    }

    /**
     * @param chw {@code [3, SIZE, SIZE]} floats in 0..1
     */
    static Map<String, Object> colors(float[] chw) {
        int plane = SIZE * SIZE;
        long[] count = new long[64];
        double[][] sums = new double[64][3];
        double[] mean = new double[3];
        double luma = 0;
        for (int i = 0; i < plane; i++) {
            float r = chw[i];
            float g = chw[plane + i];
            float b = chw[2 * plane + i];
            int bin = level(r) * 16 + level(g) * 4 + level(b);
            count[bin]++;
            sums[bin][0] += r;
            sums[bin][1] += g;
            sums[bin][2] += b;
            mean[0] += r;
            mean[1] += g;
            mean[2] += b;
            luma += 0.2126 * r + 0.7152 * g + 0.0722 * b;
        }
        List<Integer> bins = new ArrayList<>();
        for (int i = 0; i < 64; i++) {
            if (count[i] > 0) {
                bins.add(i);
            }
        }
        bins.sort((a, b) -> Long.compare(count[b], count[a]));
        List<Map<String, Object>> dominant = new ArrayList<>();
        for (int bin : bins.subList(0, Math.min(5, bins.size()))) {
            Map<String, Object> c = new LinkedHashMap<>();
            c.put("hex", hex(sums[bin][0] / count[bin], sums[bin][1] / count[bin], sums[bin][2] / count[bin]));
            c.put("share", ModelViews.round(count[bin] / (double) plane));
            dominant.add(c);
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("dominant", dominant);
        out.put("mean_rgb", List.of(byteOf(mean[0] / plane), byteOf(mean[1] / plane), byteOf(mean[2] / plane)));
        double brightness = luma / plane;
        out.put("brightness", ModelViews.round(brightness));
        out.put("tone", brightness < 0.25 ? "dark" : brightness > 0.75 ? "bright" : "medium");
        return out;
    }

    private static int level(float v) {
        return Math.min(3, (int) (v * 4));
    }

    private static int byteOf(double v) {
        return (int) Math.round(Math.max(0, Math.min(1, v)) * 255);
    }

    private static String hex(double r, double g, double b) {
        return String.format("#%02x%02x%02x", byteOf(r), byteOf(g), byteOf(b));
    }
}
