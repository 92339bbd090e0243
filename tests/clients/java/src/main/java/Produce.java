import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/** `produce`: records 0..count-1 (Common.key/value), keyed unless --keys 0, through a
 *  KafkaProducer with its default settings except bootstrap.servers and any -X property.
 *  Prints an `ack` line per acknowledged record from the producer's callback (so in
 *  acknowledgement order, which is send order within a partition), `err` per failed one,
 *  then `summary acked=N failed=M ms=T`. Exit 1 if any record failed or the producer threw. */
final class Produce {
    private Produce() {}

    static int run(Args a) {
        String topic = a.str("topic");
        long count = a.num("count");
        long keys = a.num("keys", 100);
        long size = a.num("value-size", 100);
        long partition = a.num("partition", -1);
        if (count < 0 || size < 0 || size > 16 << 20 || keys < 0) {
            Args.fail("need count >= 0, keys >= 0, 0 <= value-size <= 16 MiB");
        }
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, a.str("bootstrap"));
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.putAll(a.props);

        AtomicLong acked = new AtomicLong();
        AtomicLong failed = new AtomicLong();
        long t0 = System.nanoTime();
        int rc = 0;
        KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p);
        try {
            for (long seq = 0; seq < count; seq++) {
                final long s = seq;
                byte[] key = Common.key(seq, keys);
                ProducerRecord<byte[], byte[]> rec = new ProducerRecord<>(topic,
                    partition < 0 ? null : (int) partition, key, Common.value(seq, (int) size));
                producer.send(rec, (md, e) -> {
                    if (e != null) {
                        failed.incrementAndGet();
                        Common.OUT.println("err " + s + " " + e.getClass().getSimpleName()
                                           + ": " + oneLine(e.getMessage()));
                    } else {
                        acked.incrementAndGet();
                        Common.OUT.println("ack " + md.partition() + " " + md.offset() + " "
                                           + Common.keyField(key) + " " + s);
                    }
                });
            }
            producer.flush();
        } catch (RuntimeException e) {
            Common.OUT.println("info fatal " + e.getClass().getName() + ": "
                               + oneLine(e.getMessage()));
            rc = 1;
        } finally {
            producer.close(Duration.ofSeconds(30));
        }
        long ms = (System.nanoTime() - t0) / 1_000_000;
        Common.OUT.println("summary acked=" + acked.get() + " failed=" + failed.get()
                           + " ms=" + ms);
        return rc != 0 || failed.get() > 0 || acked.get() != count ? 1 : 0;
    }

    static String oneLine(String s) {
        return s == null ? "" : s.replace('\n', ' ').replace('\r', ' ');
    }
}
