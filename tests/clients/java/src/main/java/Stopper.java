import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** SIGTERM/SIGINT for the bounded programs (produce, consume), so that stopping one by PID
 *  loses no output: the JVM's shutdown hook marks the program stopping, runs `onStop` (e.g.
 *  KafkaConsumer.wakeup()), then waits up to 30 s for done(), which the program calls once its
 *  client is closed and its summary printed. The JVM then exits with the signal's status
 *  (143 for SIGTERM). */
final class Stopper {
    private volatile boolean stopping;
    private final CountDownLatch finished = new CountDownLatch(1);
    private final Thread hook;

    Stopper(Runnable onStop) {
        hook = new Thread(() -> {
            stopping = true;
            onStop.run();
            try {
                finished.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        Runtime.getRuntime().addShutdownHook(hook);
    }

    boolean stopping() {
        return stopping;
    }

    /** Flushes stdout and lets a pending shutdown proceed; outside a shutdown, removes the
     *  hook so that System.exit does not run it. */
    void done() {
        Common.OUT.flush();
        finished.countDown();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // the hook is running: it returns now that `finished` is counted down
        }
    }
}
