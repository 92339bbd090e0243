// Entry point of kb-java-clients.jar: `java -cp kb-java-clients.jar Main SUBCOMMAND [options]`.
// One jar and one Main keep JVM start-up to a single class path. Subcommands:
//   produce            KafkaProducer (default settings but bootstrap.servers; -X overrides)
//   consume            KafkaConsumer, assign() (default) or subscribe() with --group
//   streams-wordcount  Kafka Streams word count, runs until SIGTERM/SIGINT
// Output contract (stdout, one record per line, space-separated, parsed by
// tests/integration/clients_jvm_go.py; the Go client prints the same lines):
//   ack PARTITION OFFSET KEY SEQ          one per acknowledged record (produce)
//   err SEQ MESSAGE...                    one per failed record (produce)
//   rec PARTITION OFFSET KEY LEN HASH SEQ [VALUE]   one per consumed record (consume); LEN -1
//                                         for null; VALUE (as KEY) with --print-value
//   info WORDS...                         anything else worth seeing (assignments, states)
//   summary k=v ...                       last line of produce and consume
// KEY is "-" for a null key, else "x" followed by the key's bytes in lower-case hex. HASH is
// the first 16 hex digits of the SHA-256 of the value ("-" for a null value). Values and keys
// produced are defined by Common.value()/Common.key(), mirrored in Go and Python; SEQ is the
// decimal number before the first ':' of a value made that way, else "-".
// Exit codes: 0 done, 1 fatal error or a failed record, 2 consume stopped by its idle timeout
// before --count records, 64 bad usage; stopped by SIGTERM: the JVM's 143, after the
// summary line (see Stopper).
public final class Main {
    public static void main(String[] argv) throws Exception {
        if (argv.length == 0) {
            usage();
        }
        Thread flusher = new Thread(() -> {
            // output shows up while a program runs (tests watch it), at most 200 ms late
            while (true) {
                try {
                    Thread.sleep(200);
                } catch (InterruptedException e) {
                    return;
                }
                Common.OUT.flush();
            }
        }, "kb-flusher");
        flusher.setDaemon(true);
        flusher.start();
        String[] rest = java.util.Arrays.copyOfRange(argv, 1, argv.length);
        Args a = new Args(rest);
        int rc;
        switch (argv[0]) {
            case "produce":
                rc = Produce.run(a);
                break;
            case "consume":
                rc = Consume.run(a);
                break;
            case "streams-wordcount":
                rc = WordCount.run(a);
                break;
            default:
                usage();
                return;
        }
        Common.OUT.flush();
        System.exit(rc);
    }

    static void usage() {
        System.err.println(String.join("\n",
            "usage: java -cp kb-java-clients.jar Main SUBCOMMAND [options] [-X key=value]...",
            "  produce --bootstrap B --topic T --count N [--keys K] [--value-size S] [--partition P]",
            "          [--rate RECORDS_PER_S]",
            "  consume --bootstrap B --topic T --count N [--group G | --partitions 0,1]",
            "          [--idle-ms MS] [--max-ms MS] [--print-value 1]",
            "  streams-wordcount --bootstrap B --app-id ID --input T --output T",
            "          --guarantee at_least_once|exactly_once_v2 --state-dir DIR",
            "-X sets any client property (repeatable), e.g. -X enable.idempotence=false"));
        System.exit(64);
    }
}
