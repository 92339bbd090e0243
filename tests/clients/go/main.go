// kgo-client: Go Kafka clients for kbroker's integration tests, one binary with subcommands:
//
//	produce         franz-go producer (idempotent by default; --no-idempotence disables it)
//	consume         franz-go consumer: direct partitions (default) or a group (--group)
//	sarama-group    IBM/sarama consumer group
//	kafka-go-group  segmentio/kafka-go group reader
//	create-topic    franz-go kadm CreateTopics
//
// Output lines and exit codes are those of tests/clients/java (see Main.java there):
//
//	ack PARTITION OFFSET KEY SEQ / err SEQ MESSAGE / rec PARTITION OFFSET KEY LEN HASH SEQ [VALUE] /
//	info WORDS / summary k=v ...
//
// exit 0 done, 1 fatal error or a failed record, 2 consume stopped by --idle-ms or --max-ms
// before --count records, 64 bad usage, 143 stopped by SIGTERM/SIGINT (after the summary). Built by scripts/install-deps.sh into
// build/clients/kgo-client; tests/integration/clients_jvm_go.py runs it.
package main

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// rootCtx is cancelled by SIGTERM or SIGINT: the commands then stop producing or consuming,
// close their clients, print their summary and exit with exitSignalled, so that a process
// stopped by PID loses no output.
var rootCtx = context.Background()

const exitSignalled = 143 // as a JVM stopped by SIGTERM

// out is stdout, buffered; every line goes through emit (client callbacks run on several
// goroutines).
var (
	outMu sync.Mutex
	out   = bufio.NewWriterSize(os.Stdout, 1<<16)
)

func emit(format string, a ...any) {
	outMu.Lock()
	fmt.Fprintf(out, format+"\n", a...)
	outMu.Unlock()
}

func flushOut() {
	outMu.Lock()
	out.Flush()
	outMu.Unlock()
}

// recKey is record seq's key: "k" + seq%keys, nil when keys is 0 (as Common.key in Java).
func recKey(seq, keys int64) []byte {
	if keys <= 0 {
		return nil
	}
	return []byte("k" + strconv.FormatInt(seq%keys, 10))
}

// recValue is record seq's value: "<seq>:" then bytes (seq*131 + j*7) & 0xff up to size
// bytes in all, never shorter than the prefix (as Common.value in Java).
func recValue(seq int64, size int) []byte {
	prefix := strconv.FormatInt(seq, 10) + ":"
	n := size
	if n < len(prefix) {
		n = len(prefix)
	}
	v := make([]byte, n)
	copy(v, prefix)
	for j := len(prefix); j < n; j++ {
		v[j] = byte((seq*131 + int64(j)*7) & 0xff)
	}
	return v
}

func keyField(k []byte) string {
	if k == nil {
		return "-"
	}
	return "x" + hex.EncodeToString(k)
}

func hashField(v []byte) string {
	if v == nil {
		return "-"
	}
	h := sha256.Sum256(v)
	return hex.EncodeToString(h[:8])
}

func emitRec(partition int32, offset int64, key, value []byte) {
	n := -1
	if value != nil {
		n = len(value)
	}
	if printValue {
		emit("rec %d %d %s %d %s %s %s", partition, offset, keyField(key), n,
			hashField(value), seqField(value), keyField(value))
		return
	}
	emit("rec %d %d %s %d %s %s", partition, offset, keyField(key), n, hashField(value),
		seqField(value))
}

// printValue (--print-value) appends each record's value to its rec line, printed as a key.
var printValue bool

// seqField is the decimal number before the first ':' of a value made by recValue, else "-".
func seqField(v []byte) string {
	i := 0
	for i < len(v) && i < 20 && v[i] >= '0' && v[i] <= '9' {
		i++
	}
	if i == 0 || i >= len(v) || v[i] != ':' {
		return "-"
	}
	return string(v[:i])
}

func oneLine(s string) string {
	return strings.NewReplacer("\n", " ", "\r", " ").Replace(s)
}

// common flags of the consumers.
type consumeFlags struct {
	bootstrap, topic, group, partitions string
	count, idleMs, maxMs                int64
}

func addConsumeFlags(fs *flag.FlagSet, c *consumeFlags) {
	fs.StringVar(&c.bootstrap, "bootstrap", "", "bootstrap servers host:port[,host:port]")
	fs.StringVar(&c.topic, "topic", "", "topic")
	fs.StringVar(&c.group, "group", "", "consumer group id")
	fs.Int64Var(&c.count, "count", 0, "stop after this many records")
	fs.Int64Var(&c.idleMs, "idle-ms", 10000, "stop after this long without a record")
	fs.Int64Var(&c.maxMs, "max-ms", 120000, "stop after this long in all")
	fs.BoolVar(&printValue, "print-value", false, "append the value (hex) to each rec line")
}

func parse(fs *flag.FlagSet, args []string, required ...string) {
	fs.Usage = func() {
		fmt.Fprintf(os.Stderr, "usage: kgo-client %s [flags]\n", fs.Name())
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		os.Exit(64)
	}
	if fs.NArg() != 0 {
		usageExit(fs, "unexpected argument "+fs.Arg(0))
	}
	for _, name := range required {
		if f := fs.Lookup(name); f == nil || f.Value.String() == f.DefValue {
			usageExit(fs, "missing --"+name)
		}
	}
}

func usageExit(fs *flag.FlagSet, why string) {
	fmt.Fprintln(os.Stderr, "error: "+why)
	fs.Usage()
	os.Exit(64)
}

func main() {
	cmds := map[string]func([]string) int{
		"produce":        cmdProduce,
		"consume":        cmdConsume,
		"sarama-group":   cmdSaramaGroup,
		"kafka-go-group": cmdKafkaGoGroup,
		"create-topic":   cmdCreateTopic,
	}
	if len(os.Args) < 2 || cmds[os.Args[1]] == nil {
		fmt.Fprintln(os.Stderr, "usage: kgo-client produce|consume|sarama-group|kafka-go-group|create-topic [flags] (-h for each)")
		os.Exit(64)
	}
	var stopSignals context.CancelFunc
	rootCtx, stopSignals = signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	go func() { // output shows up while a command runs (tests watch it), at most 200 ms late
		for range time.Tick(200 * time.Millisecond) {
			flushOut()
		}
	}()
	rc := cmds[os.Args[1]](os.Args[2:])
	stopSignals()
	flushOut()
	os.Exit(rc)
}
