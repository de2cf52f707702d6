package dev.ensemble.job.ml;

import javax.imageio.ImageIO;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/** Small data sets the tests create: separable numeric blobs, coloured images, labelled sentences, text. */
public final class TestData {

    private TestData() {
    }

    /** Four numeric features, three classes around distinct centres. */
    public static String blobsCsv(int rows, long seed) {
        Random r = new Random(seed);
        StringBuilder sb = new StringBuilder("feature1,feature2,feature3,feature4,label\n");
        String[] names = {"setosa", "versicolor", "virginica"};
        for (int i = 0; i < rows; i++) {
            int c = i % 3;
            sb.append(String.format(java.util.Locale.ROOT, "%.3f,%.3f,%.3f,%.3f,%s%n",
                    c * 3 + r.nextGaussian() * 0.5, -c * 2 + r.nextGaussian() * 0.5, r.nextGaussian(),
                    c + r.nextGaussian() * 0.3, names[c]));
        }
        return sb.toString();
    }

    public static String sentimentCsv(int rows, long seed) {
        Random r = new Random(seed);
        String[] good = {"great", "wonderful", "excellent", "love", "amazing", "fantastic"};
        String[] bad = {"terrible", "awful", "bad", "hate", "horrible", "poor"};
        String[] filler = {"this", "product", "is", "the", "service", "was", "really", "quite"};
        StringBuilder sb = new StringBuilder("text,label\n");
        for (int i = 0; i < rows; i++) {
            boolean pos = i % 2 == 0;
            String[] words = pos ? good : bad;
            sb.append('"').append(filler[r.nextInt(filler.length)]).append(' ')
                    .append(filler[r.nextInt(filler.length)]).append(' ').append(words[r.nextInt(words.length)])
                    .append(' ').append(filler[r.nextInt(filler.length)]).append("\",")
                    .append(pos ? "positive" : "negative").append('\n');
        }
        return sb.toString();
    }

    public static String corpus() {
        return "the quick brown fox jumps over the lazy dog. ".repeat(30)
                + "a small model learns to write the same sentence again. ".repeat(20);
    }

    public static byte[] png(Color color, long seed) throws IOException {
        Random r = new Random(seed);
        BufferedImage img = new BufferedImage(12, 12, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setColor(color);
        g.fillRect(0, 0, 12, 12);
        g.setColor(new Color(r.nextInt(60), r.nextInt(60), r.nextInt(60)));
        g.fillRect(r.nextInt(8), r.nextInt(8), 3, 3);
        g.dispose();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(img, "png", out);
        return out.toByteArray();
    }

    /** A zip of {@code red/}, {@code blue/} (and {@code green/}) folders of small PNGs. */
    public static byte[] imagesZip(int perClass) throws IOException {
        System.setProperty("java.awt.headless", "true");
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
            Color[] colors = {Color.RED, Color.BLUE, Color.GREEN};
            String[] names = {"red", "blue", "green"};
            for (int c = 0; c < colors.length; c++) {
                for (int i = 0; i < perClass; i++) {
                    zip.putNextEntry(new ZipEntry(names[c] + "/img" + i + ".png"));
                    zip.write(png(colors[c], c * 1000L + i));
                    zip.closeEntry();
                }
            }
        }
        return bytes.toByteArray();
    }

    public static void unzip(byte[] zip, Path dir) throws IOException {
        try (var in = new java.util.zip.ZipInputStream(new java.io.ByteArrayInputStream(zip))) {
            ZipEntry e;
            while ((e = in.getNextEntry()) != null) {
                Path p = dir.resolve(e.getName());
                Files.createDirectories(p.getParent());
                Files.write(p, in.readAllBytes());
            }
        }
    }
}
