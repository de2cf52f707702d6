package dev.ensemble.inference.models;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.WireFormat;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Enumeration;
import java.util.Optional;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * Recognises a model file by its content: DJL's {@code DJL@} header, a TorchScript zip archive
 * ({@code data.pkl} and {@code code/}), a Tribuo protobuf (its first field names an
 * {@code org.tribuo.} class) or an ONNX {@code ModelProto} (walked field by field, streaming,
 * never read whole into memory).
 */
public final class FormatDetector {

    private static final byte[] DJL_MAGIC = "DJL@".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] ZIP_MAGIC = {0x50, 0x4b, 0x03, 0x04};
    private static final byte[] TRIBUO_PREFIX = "org.tribuo.".getBytes(StandardCharsets.US_ASCII);

    private FormatDetector() {
    }

    /** The format the content shows, if any. */
    public static Optional<ModelFormat> detect(Path file) throws IOException {
        byte[] head = new byte[64];
        int n;
        try (InputStream in = Files.newInputStream(file)) {
            n = in.readNBytes(head, 0, head.length);
        }
        if (n >= 4 && Arrays.equals(Arrays.copyOf(head, 4), DJL_MAGIC)) {
            return Optional.of(ModelFormat.DJL);
        }
        if (n >= 4 && Arrays.equals(Arrays.copyOf(head, 4), ZIP_MAGIC)) {
            return isTorchScript(file) ? Optional.of(ModelFormat.TORCHSCRIPT) : Optional.empty();
        }
        if (isTribuo(head, n)) {
            return Optional.of(ModelFormat.CLASSICAL);
        }
        if (isOnnx(file)) {
            return Optional.of(ModelFormat.ONNX);
        }
        return Optional.empty();
    }

    private static boolean isTorchScript(Path file) {
        try (ZipFile zip = new ZipFile(file.toFile())) {
            boolean data = false;
            boolean code = false;
            for (Enumeration<? extends ZipEntry> e = zip.entries(); e.hasMoreElements(); ) {
                String name = e.nextElement().getName();
                data |= name.endsWith("/data.pkl") || name.equals("data.pkl");
                code |= name.contains("/code/") || name.startsWith("code/");
            }
            return data && code;
        } catch (IOException e) {
            return false;
        }
    }

    /** Field 2 (class name, a string) first, naming a Tribuo class. */
    private static boolean isTribuo(byte[] head, int n) {
        int i = 0;
        if (n > 2 && head[0] == 0x08) {
            // an explicit version field before the class name
            i = 2;
        }
        if (n < i + 2 + TRIBUO_PREFIX.length || head[i] != 0x12) {
            return false;
        }
        int len = head[i + 1] & 0xff;
        int start = i + 2;
        if ((len & 0x80) != 0) {
            start++;
        }
        return n >= start + TRIBUO_PREFIX.length
                && Arrays.equals(Arrays.copyOfRange(head, start, start + TRIBUO_PREFIX.length), TRIBUO_PREFIX);
    }

    /** A well-formed ModelProto with an IR version and a graph; unknown fields make it something else. */
    private static boolean isOnnx(Path file) {
        try (InputStream raw = new BufferedInputStream(Files.newInputStream(file), 65536)) {
            CodedInputStream in = CodedInputStream.newInstance(raw);
            in.setSizeLimit(Integer.MAX_VALUE);
            boolean irVersion = false;
            boolean graph = false;
            int fields = 0;
            while (true) {
                int tag = in.readTag();
                if (tag == 0) {
                    break;
                }
                int number = WireFormat.getTagFieldNumber(tag);
                int wire = WireFormat.getTagWireType(tag);
                fields++;
                switch (number) {
                    case 1, 5 -> {
                        if (wire != WireFormat.WIRETYPE_VARINT) {
                            return false;
                        }
                        in.readInt64();
                        irVersion |= number == 1;
                    }
                    case 2, 3, 4, 6, 7, 8, 14, 20, 25 -> {
                        if (wire != WireFormat.WIRETYPE_LENGTH_DELIMITED) {
                            return false;
                        }
                        graph |= number == 7;
                        in.skipField(tag);
                    }
                    default -> {
                        return false;
                    }
                }
            }
            return irVersion && graph && fields >= 2;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }
}
