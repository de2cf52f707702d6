package dev.ensemble.ml;

import org.junit.jupiter.api.Test;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class PreprocessingTest {

    @Test
    void wordIdsAreStableHashesPaddedWithZeros() {
        long[] ids = TextIds.wordIds("Great product, GREAT price!", 512, 6);
        assertEquals(6, ids.length);
        assertEquals(ids[0], ids[2]);
        assertEquals(1 + Math.floorMod("great".hashCode(), 511), ids[0]);
        assertEquals(0, ids[4]);
        assertEquals(3, TextIds.wordIds("a b c d e", 512, 3).length);
    }

    @Test
    void charIdsKeepTheLastCharactersLeftPadded() {
        assertArrayEquals(new long[]{0, 0, 1, 2}, TextIds.charIds("ab", "ab", 4));
        assertArrayEquals(new long[]{0, 2, 1}, TextIds.charIds("abzba", "ab", 3));
        assertEquals(" abc", TextIds.alphabet("cab a", 10));
    }

    @Test
    void imagesAreResizedChannelsFirstAndScaled() throws Exception {
        BufferedImage img = new BufferedImage(2, 2, BufferedImage.TYPE_INT_RGB);
        img.setRGB(0, 0, 0xff0000);
        img.setRGB(1, 0, 0x00ff00);
        img.setRGB(0, 1, 0x0000ff);
        img.setRGB(1, 1, 0xffffff);
        ByteArrayOutputStream png = new ByteArrayOutputStream();
        ImageIO.write(img, "png", png);
        float[] chw = Pixels.decode(png.toByteArray(), 2, 2);
        assertArrayEquals(new float[]{1, 0, 0, 1, 0, 1, 0, 1, 0, 0, 1, 1}, chw, 1e-6f);
        assertEquals(3 * 8 * 8, Pixels.decode(png.toByteArray(), 8, 8).length);
        assertEquals(new Pixels.Info("png", 2, 2), Pixels.info(png.toByteArray()));
    }

    @Test
    void aLargeImageIsDecodedSubsampledToTheSameColours() throws Exception {
        BufferedImage big = new BufferedImage(1200, 900, BufferedImage.TYPE_INT_RGB);
        java.awt.Graphics2D g = big.createGraphics();
        g.setColor(new java.awt.Color(200, 40, 10));
        g.fillRect(0, 0, 600, 900);
        g.setColor(new java.awt.Color(10, 40, 200));
        g.fillRect(600, 0, 600, 900);
        g.dispose();
        ByteArrayOutputStream png = new ByteArrayOutputStream();
        ImageIO.write(big, "png", png);
        float[] chw = Pixels.decode(png.toByteArray(), 8, 8);
        assertEquals(200 / 255f, chw[0], 1e-6f);          // red plane, top-left
        assertEquals(10 / 255f, chw[7], 1e-6f);           // red plane, top-right
        assertEquals(200 / 255f, chw[2 * 64 + 7], 1e-6f); // blue plane, top-right
    }

    @Test
    void garbageIsNotAnImage() {
        assertThrows(IllegalArgumentException.class,
                () -> Pixels.decode("not an image".getBytes(StandardCharsets.UTF_8), 4, 4));
        assertThrows(IllegalArgumentException.class, () -> Pixels.decode(new byte[0], 4, 4));
        byte[] truncated = {(byte) 0x89, 'P', 'N', 'G', 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 'I', 'H', 'D', 'R'};
        assertThrows(IllegalArgumentException.class, () -> Pixels.decode(truncated, 4, 4));
        assertThrows(IllegalArgumentException.class, () -> Pixels.info(truncated));
        assertThrows(IllegalArgumentException.class, () -> Pixels.info(new byte[]{1, 2, 3}));
    }
}
