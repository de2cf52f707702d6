package dev.ensemble.ml;

import javax.imageio.ImageIO;
import javax.imageio.ImageReadParam;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;

/** Images as the CNN reads them: RGB, resized to {@code height x width}, channels first, scaled to 0..1. */
public final class Pixels {

    static {
        System.setProperty("java.awt.headless", "true");
    }

    /** Larger images are refused before they are decoded. */
    public static final long MAX_PIXELS = 40_000_000L;

    private Pixels() {
    }

    /** What an image's header says: its format ({@code png}, {@code jpeg}, ...) and size. */
    public record Info(String format, int width, int height) {
    }

    /**
     * Reads only the header of encoded image bytes.
     *
     * @throws IllegalArgumentException when the bytes are not a PNG, JPEG, BMP or GIF image
     */
    public static Info info(byte[] encoded) {
        try {
            return withReader(new ByteArrayInputStream(encoded), reader -> new Info(
                    reader.getFormatName().toLowerCase(java.util.Locale.ROOT), reader.getWidth(0), reader.getHeight(0)));
        } catch (IllegalArgumentException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException("not a readable image: " + e.getMessage(), e);
        }
    }

    /** A PNG, JPEG, BMP or GIF file as {@code [3, size, size]} floats. */
    public static float[] read(Path file, int size) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return read(in, size, size);
        }
    }

    /** Encoded image bytes (PNG, JPEG, BMP, GIF) as {@code [3, height, width]} floats. */
    public static float[] decode(byte[] encoded, int height, int width) {
        try {
            return read(new ByteArrayInputStream(encoded), height, width);
        } catch (IllegalArgumentException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            // a broken file can fail deep inside a decoder with any runtime exception
            throw new IllegalArgumentException("not a readable image: " + e.getMessage(), e);
        }
    }

    private static float[] read(InputStream in, int height, int width) throws IOException {
        BufferedImage src = decodeBounded(in, height, width);
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
        g.drawImage(src, 0, 0, width, height, null);
        g.dispose();
        int plane = height * width;
        float[] chw = new float[3 * plane];
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                int rgb = img.getRGB(x, y);
                int i = y * width + x;
                chw[i] = ((rgb >> 16) & 0xff) / 255f;
                chw[plane + i] = ((rgb >> 8) & 0xff) / 255f;
                chw[2 * plane + i] = (rgb & 0xff) / 255f;
            }
        }
        return chw;
    }

    /**
     * Reads the size from the header first, so a decompression bomb is refused before it is decoded,
     * and decodes a large image subsampled to at most about four times the target size, so memory
     * stays small whatever the upload.
     */
    private static BufferedImage decodeBounded(InputStream in, int height, int width) throws IOException {
        return withReader(in, reader -> {
            int w = reader.getWidth(0);
            int h = reader.getHeight(0);
            if ((long) w * h > MAX_PIXELS) {
                throw new IllegalArgumentException("the image is larger than " + MAX_PIXELS / 1_000_000 + " megapixels");
            }
            ImageReadParam param = reader.getDefaultReadParam();
            int sx = Math.max(1, w / (4 * width));
            int sy = Math.max(1, h / (4 * height));
            if (sx > 1 || sy > 1) {
                param.setSourceSubsampling(sx, sy, 0, 0);
            }
            return reader.read(0, param);
        });
    }

    private interface ReaderWork<T> {
        T apply(ImageReader reader) throws IOException;
    }

    /** Runs {@code work} with the reader of the image's format, positioned on its first image. */
    private static <T> T withReader(InputStream in, ReaderWork<T> work) throws IOException {
        try (ImageInputStream iis = ImageIO.createImageInputStream(in)) {
            Iterator<ImageReader> readers = iis == null ? null : ImageIO.getImageReaders(iis);
            if (readers == null || !readers.hasNext()) {
                throw new IllegalArgumentException("not a readable image (PNG, JPEG, BMP or GIF)");
            }
            ImageReader reader = readers.next();
            try {
                reader.setInput(iis, true, true);
                return work.apply(reader);
            } finally {
                reader.dispose();
            }
        }
    }
}
