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
 *  then `summary acked=N failed=M ms=T`. Exit 1 if any record failed or the producer threw.
 *  --rate N paces the sends at N records/s (for runs that last while a test breaks things).
 *  SIGTERM stops sending, then the producer flushes, closes and prints its summary (Stopper). */
final class Produce {
    private Produce() {}

    static int run(Args a) {
        String topic = a.str("topic");
        long count = a.num("count");
        long keys = a.num("keys", 100);
        long size = a.num("value-size", 100);
        long partition = a.num("partition", -1);
        long rate = a.num("rate", 0);
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
        Stopper stop = new Stopper(() -> { });
        try {
            for (long seq = 0; seq < count && !stop.stopping(); seq++) {
                final long s = seq;
                if (rate > 0 && !pace(t0, seq, rate, stop)) {
                    break;
                }
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
        stop.done();
        return rc != 0 || failed.get() > 0 || acked.get() != count ? 1 : 0;
    }

    /** Sleeps until record `seq` is due at `rate` records/s from t0; false if stopped. */
    static boolean pace(long t0, long seq, long rate, Stopper stop) {
        long due = t0 + seq * 1_000_000_000L / rate;
        while (!stop.stopping()) {
            long ms = (due - System.nanoTime()) / 1_000_000;
            if (ms <= 0) {
                return true;
            }
            try {
                Thread.sleep(Math.min(ms, 100));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return false;
    }

    static String oneLine(String s) {
        return s == null ? "" : s.replace('\n', ' ').replace('\r', ' ');
    }
}
