import java.util.Arrays;
import java.util.Locale;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Produced;

/** `streams-wordcount`: Kafka Streams word count. Input values (UTF-8 text) are split on
 *  non-word characters and lower-cased; the output topic gets (word, count as a Long, 8 bytes
 *  big-endian) on every update. processing.guarantee, application.id and state.dir come from
 *  --guarantee, --app-id, --state-dir; -X sets any other StreamsConfig. Prints `info state
 *  OLD NEW` on every state change. Runs until SIGTERM/SIGINT, then closes (commits) from the
 *  shutdown hook and exits with the JVM's signal status (143 for SIGTERM); exits 1 by itself
 *  if the application dies (state ERROR). */
final class WordCount {
    private WordCount() {}

    static int run(Args a) throws InterruptedException {
        String guarantee = a.str("guarantee");
        if (!guarantee.equals(StreamsConfig.AT_LEAST_ONCE)
            && !guarantee.equals(StreamsConfig.EXACTLY_ONCE_V2)) {
            Args.fail("--guarantee must be at_least_once or exactly_once_v2");
        }
        Properties p = new Properties();
        p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, a.str("bootstrap"));
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, a.str("app-id"));
        p.put(StreamsConfig.STATE_DIR_CONFIG, a.str("state-dir"));
        p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, guarantee);
        p.putAll(a.props);

        StreamsBuilder b = new StreamsBuilder();
        b.stream(a.str("input"), Consumed.with(Serdes.ByteArray(), Serdes.String()))
            .flatMapValues(v -> v == null ? java.util.List.<String>of()
                           : Arrays.asList(v.toLowerCase(Locale.ROOT).split("\\W+")))
            .filter((k, w) -> !w.isEmpty())
            .map((k, w) -> KeyValue.pair(w, w))
            .groupByKey(org.apache.kafka.streams.kstream.Grouped.with(Serdes.String(),
                                                                       Serdes.String()))
            .count()
            .toStream()
            .to(a.str("output"), Produced.with(Serdes.String(), Serdes.Long()));

        KafkaStreams streams = new KafkaStreams(b.build(), p);
        CountDownLatch done = new CountDownLatch(1);
        final boolean[] died = {false};
        streams.setStateListener((now, old) -> {
            Common.OUT.println("info state " + old + " " + now);
            Common.OUT.flush();
            if (now == KafkaStreams.State.ERROR) {
                died[0] = true;
            }
            if (now == KafkaStreams.State.ERROR || now == KafkaStreams.State.NOT_RUNNING) {
                done.countDown();
            }
        });
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            streams.close(java.time.Duration.ofSeconds(20));
            Common.OUT.flush();
        }));
        streams.start();
        done.await();
        streams.close(java.time.Duration.ofSeconds(20));
        return died[0] ? 1 : 0;
    }
}
