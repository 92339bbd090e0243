import java.io.BufferedOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/** The record contents and line formats shared with the Go client and the Python checker. */
final class Common {
    /** Buffered stdout; println is synchronized, so client threads may print. */
    static final PrintStream OUT = new PrintStream(
        new BufferedOutputStream(new FileOutputStream(FileDescriptor.out), 1 << 16), false);

    private Common() {}

    /** Key of record `seq`: "k" + (seq % keys); null when keys is 0. */
    static byte[] key(long seq, long keys) {
        return keys <= 0 ? null : ("k" + (seq % keys)).getBytes(StandardCharsets.US_ASCII);
    }

    /** Value of record `seq`: "<seq>:" then filler bytes (seq*131 + j*7) & 0xff up to `size`
     *  bytes in all (never shorter than the prefix). */
    static byte[] value(long seq, int size) {
        byte[] prefix = (seq + ":").getBytes(StandardCharsets.US_ASCII);
        byte[] v = new byte[Math.max(size, prefix.length)];
        System.arraycopy(prefix, 0, v, 0, prefix.length);
        for (int j = prefix.length; j < v.length; j++) {
            v[j] = (byte) ((seq * 131 + (long) j * 7) & 0xff);
        }
        return v;
    }

    private static final char[] HEX = "0123456789abcdef".toCharArray();

    static String hex(byte[] b, int n) {
        StringBuilder sb = new StringBuilder(2 * n);
        for (int i = 0; i < n; i++) {
            sb.append(HEX[(b[i] >> 4) & 0xf]).append(HEX[b[i] & 0xf]);
        }
        return sb.toString();
    }

    static String keyField(byte[] key) {
        return key == null ? "-" : "x" + hex(key, key.length);
    }

    /** SEQ field of a rec line: the decimal digits before the first ':' when the value
     *  starts with them (a value made by value()), else "-". */
    static String seqField(byte[] value) {
        if (value == null) {
            return "-";
        }
        int i = 0;
        while (i < value.length && i < 20 && value[i] >= '0' && value[i] <= '9') {
            i++;
        }
        if (i == 0 || i >= value.length || value[i] != ':') {
            return "-";
        }
        return new String(value, 0, i, StandardCharsets.US_ASCII);
    }

    static String hashField(byte[] value) {
        if (value == null) {
            return "-";
        }
        try {
            return hex(MessageDigest.getInstance("SHA-256").digest(value), 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
