import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/** `consume`: reads --topic until --count records, --idle-ms without a record after the
 *  first poll (default 10 s), or --max-ms in all (default 120 s). Without --group it assign()s
 *  the --partitions given (default: all, from metadata) from the beginning, with no group
 *  id; with --group it subscribe()s (auto.offset.reset=earliest, auto-commit on, as the
 *  defaults say; -X overrides). Prints a `rec` line per record, `info assigned/revoked` on
 *  rebalances, then `summary records=N ms=T`. --print-value 1 appends the value to each rec
 *  line (as a key is printed: "-" or "x" + hex), e.g. for word counts. Exit 0 at --count, 2 on the idle or overall
 *  limit, 1 on an error. */
final class Consume {
    private Consume() {}

    static int run(Args a) {
        String topic = a.str("topic");
        long count = a.num("count");
        long idleMs = a.num("idle-ms", 10_000);
        long maxMs = a.num("max-ms", 120_000);
        String group = a.str("group", null);
        boolean printValue = a.num("print-value", 0) != 0;
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, a.str("bootstrap"));
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG,
              ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        if (group != null) {
            p.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        }
        p.putAll(a.props);

        long t0 = System.nanoTime();
        long got = 0;
        int rc = 2;
        Stopper stop = null;
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p)) {
            stop = new Stopper(c::wakeup);
            if (group != null) {
                c.subscribe(List.of(topic), new ConsumerRebalanceListener() {
                    @Override public void onPartitionsRevoked(Collection<TopicPartition> tps) {
                        Common.OUT.println("info revoked " + names(tps));
                    }
                    @Override public void onPartitionsAssigned(Collection<TopicPartition> tps) {
                        Common.OUT.println("info assigned " + names(tps));
                    }
                });
            } else {
                List<TopicPartition> tps = partitions(c, topic, a.str("partitions", null));
                c.assign(tps);
                c.seekToBeginning(tps);
                Common.OUT.println("info assigned " + names(tps));
            }
            long last = System.nanoTime();
            while (got < count && !stop.stopping()) {
                long now = System.nanoTime();
                if ((now - last) / 1_000_000 >= idleMs || (now - t0) / 1_000_000 >= maxMs) {
                    break;
                }
                for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(200))) {
                    Common.OUT.println("rec " + r.partition() + " " + r.offset() + " "
                                       + Common.keyField(r.key()) + " "
                                       + (r.value() == null ? -1 : r.value().length) + " "
                                       + Common.hashField(r.value()) + " "
                                       + Common.seqField(r.value())
                                       + (printValue ? " " + Common.keyField(r.value()) : ""));
                    got++;
                    last = System.nanoTime();
                }
            }
            if (got >= count) {
                rc = 0;
            }
        } catch (WakeupException stopped) {
            Common.OUT.println("info stopped by signal");
        } catch (RuntimeException e) {
            Common.OUT.println("info fatal " + e.getClass().getName() + ": "
                               + Produce.oneLine(e.getMessage()));
            rc = 1;
        }
        Common.OUT.println("summary records=" + got + " ms=" + (System.nanoTime() - t0) / 1_000_000);
        if (stop != null) {
            stop.done();
        }
        return rc;
    }

    static List<TopicPartition> partitions(KafkaConsumer<byte[], byte[]> c, String topic,
                                           String list) {
        List<TopicPartition> tps = new ArrayList<>();
        if (list != null) {
            for (String s : list.split(",")) {
                tps.add(new TopicPartition(topic, Integer.parseInt(s.trim())));
            }
            return tps;
        }
        List<PartitionInfo> infos = c.partitionsFor(topic, Duration.ofSeconds(30));
        if (infos == null || infos.isEmpty()) {
            throw new IllegalStateException("no partitions for topic " + topic);
        }
        for (PartitionInfo pi : infos) {
            tps.add(new TopicPartition(topic, pi.partition()));
        }
        tps.sort((x, y) -> Integer.compare(x.partition(), y.partition()));
        return tps;
    }

    static String names(Collection<TopicPartition> tps) {
        List<String> s = new ArrayList<>();
        for (TopicPartition tp : tps) {
            s.add(String.valueOf(tp.partition()));
        }
        return s.isEmpty() ? "none" : String.join(",", s);
    }
}
