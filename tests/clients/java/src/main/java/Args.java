import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/** `--name value` options plus repeatable `-X key=value` client properties. */
final class Args {
    private final Map<String, String> opts = new HashMap<>();
    final Map<String, String> props = new LinkedHashMap<>();

    Args(String[] argv) {
        for (int i = 0; i < argv.length; i++) {
            String s = argv[i];
            if (i + 1 >= argv.length) {
                fail("option " + s + " needs a value");
            }
            String v = argv[++i];
            if (s.equals("-X")) {
                int eq = v.indexOf('=');
                if (eq <= 0) {
                    fail("-X needs key=value, got " + v);
                }
                props.put(v.substring(0, eq), v.substring(eq + 1));
            } else if (s.startsWith("--")) {
                opts.put(s.substring(2), v);
            } else {
                fail("unexpected argument " + s);
            }
        }
    }

    static void fail(String why) {
        System.err.println("error: " + why);
        System.exit(64);
    }

    String str(String name) {
        String v = opts.get(name);
        if (v == null) {
            fail("missing --" + name);
        }
        return v;
    }

    String str(String name, String dflt) {
        return opts.getOrDefault(name, dflt);
    }

    long num(String name, long dflt) {
        String v = opts.get(name);
        if (v == null) {
            return dflt;
        }
        try {
            return Long.parseLong(v);
        } catch (NumberFormatException e) {
            fail("--" + name + " needs a number, got " + v);
            return dflt;
        }
    }

    long num(String name) {
        str(name);
        return num(name, 0);
    }
}
