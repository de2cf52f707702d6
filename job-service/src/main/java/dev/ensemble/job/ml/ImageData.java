package dev.ensemble.job.ml;

import dev.ensemble.ml.Pixels;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/** Image folders ({@code <root>/<class>/<image>}) read as {@code [3, size, size]} floats in 0..1. */
public final class ImageData {

    private ImageData() {
    }

    public record Loaded(List<String> classes, List<float[]> images, List<Integer> labels) {
    }

    public static boolean isImage(Path p) {
        String n = p.getFileName().toString().toLowerCase(Locale.ROOT);
        return n.endsWith(".png") || n.endsWith(".jpg") || n.endsWith(".jpeg") || n.endsWith(".bmp") || n.endsWith(".gif");
    }

    public static Loaded load(Path root, int size, int maxImages) {
        if (!Files.isDirectory(root)) {
            throw new JobInputException("image training needs a folder of class folders (upload a zip)");
        }
        List<String> classes = new ArrayList<>();
        List<float[]> images = new ArrayList<>();
        List<Integer> labels = new ArrayList<>();
        try (Stream<Path> dirs = Files.list(root)) {
            for (Path dir : dirs.filter(Files::isDirectory).sorted().toList()) {
                List<Path> files;
                try (Stream<Path> s = Files.list(dir)) {
                    files = s.filter(Files::isRegularFile).filter(ImageData::isImage).sorted().toList();
                }
                if (files.isEmpty()) {
                    continue;
                }
                int label = classes.size();
                classes.add(dir.getFileName().toString());
                for (Path f : files) {
                    if (images.size() >= maxImages) {
                        throw new JobInputException("more than " + maxImages + " images");
                    }
                    images.add(read(f, size));
                    labels.add(label);
                }
            }
        } catch (IOException e) {
            throw new JobInputException("cannot read the image folders: " + e.getMessage(), e);
        }
        if (classes.size() < 2) {
            throw new JobInputException("image training needs at least two class folders with images");
        }
        return new Loaded(classes, images, labels);
    }

    public static float[] read(Path file, int size) {
        try {
            return Pixels.read(file, size);
        } catch (IOException | IllegalArgumentException e) {
            throw new JobInputException("cannot read image " + file.getFileName() + ": " + e.getMessage(), e);
        }
    }
}
