package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"
)

// cmdProduce: records 0..count-1 (recKey/recValue) through a franz-go client with its
// default producer settings (idempotent, acks=all) unless a flag says otherwise. Prints an
// ack line per acknowledged record from the promise (in order within a partition), err per
// failed record (--rate paces the sends; SIGTERM stops them, then the rest is flushed),
// `info producer-id ID EPOCH` unless --no-idempotence (ID -1: the client fell
// back to plain produce), then `summary acked=N failed=M ms=T`. Exit 1 if any record failed.
func cmdProduce(args []string) int {
	fs := flag.NewFlagSet("produce", flag.ExitOnError)
	bootstrap := fs.String("bootstrap", "", "bootstrap servers")
	topic := fs.String("topic", "", "topic")
	count := fs.Int64("count", 0, "records to produce")
	keys := fs.Int64("keys", 100, "key space (0: null keys)")
	size := fs.Int("value-size", 100, "value size in bytes")
	partition := fs.Int("partition", -1, "send every record to this partition (-1: by key)")
	acks := fs.String("acks", "all", "all, 1 or 0 (1 and 0 need --no-idempotence)")
	noIdem := fs.Bool("no-idempotence", false, "kgo.DisableIdempotentWrite()")
	compression := fs.String("compression", "", "none, gzip, snappy, lz4 or zstd")
	maxMs := fs.Int64("max-ms", 120000, "give up on unacknowledged records after this long")
	rate := fs.Int64("rate", 0, "records per second (0: as fast as possible)")
	parse(fs, args, "bootstrap", "topic", "count")
	if *size < 0 || *size > 16<<20 || *keys < 0 {
		usageExit(fs, "need keys >= 0, 0 <= value-size <= 16 MiB")
	}

	opts := []kgo.Opt{kgo.SeedBrokers(strings.Split(*bootstrap, ",")...),
		kgo.DefaultProduceTopic(*topic)}
	if *noIdem {
		opts = append(opts, kgo.DisableIdempotentWrite())
	}
	switch *acks {
	case "all", "-1":
	case "1":
		opts = append(opts, kgo.RequiredAcks(kgo.LeaderAck()))
	case "0":
		opts = append(opts, kgo.RequiredAcks(kgo.NoAck()))
	default:
		usageExit(fs, "--acks must be all, 1 or 0")
	}
	if *partition >= 0 {
		opts = append(opts, kgo.RecordPartitioner(kgo.ManualPartitioner()))
	}
	if *compression != "" {
		codec, ok := map[string]kgo.CompressionCodec{"none": kgo.NoCompression(),
			"gzip": kgo.GzipCompression(), "snappy": kgo.SnappyCompression(),
			"lz4": kgo.Lz4Compression(), "zstd": kgo.ZstdCompression()}[*compression]
		if !ok {
			usageExit(fs, "unknown --compression "+*compression)
		}
		opts = append(opts, kgo.ProducerBatchCompression(codec))
	}
	cl, err := kgo.NewClient(opts...)
	if err != nil {
		emit("info fatal %s", oneLine(err.Error()))
		return 1
	}
	defer cl.Close()

	ctx, cancel := context.WithTimeout(context.Background(), time.Duration(*maxMs)*time.Millisecond)
	defer cancel()
	var acked, failed atomic.Int64
	t0 := time.Now()
	for seq := int64(0); seq < *count && rootCtx.Err() == nil; seq++ {
		s := seq
		if *rate > 0 {
			due := t0.Add(time.Duration(seq * int64(time.Second) / *rate))
			select {
			case <-time.After(time.Until(due)):
			case <-rootCtx.Done():
				continue
			}
		}
		r := &kgo.Record{Key: recKey(seq, *keys), Value: recValue(seq, *size)}
		if *partition >= 0 {
			r.Partition = int32(*partition)
		}
		cl.Produce(ctx, r, func(r *kgo.Record, err error) {
			if err != nil {
				failed.Add(1)
				emit("err %d %s", s, oneLine(err.Error()))
				return
			}
			acked.Add(1)
			emit("ack %d %d %s %d", r.Partition, r.Offset, keyField(r.Key), s)
		})
	}
	if err := cl.Flush(ctx); err != nil {
		emit("info flush %s", oneLine(err.Error()))
	}
	if !*noIdem {
		// franz-go quietly produces without idempotence when the broker cannot give it an
		// id (producer id -1): this line tells the two apart.
		if id, epoch, err := cl.ProducerID(ctx); err == nil {
			emit("info producer-id %d %d", id, epoch)
		} else {
			emit("info producer-id-error %s", oneLine(err.Error()))
		}
	}
	emit("summary acked=%d failed=%d ms=%d", acked.Load(), failed.Load(),
		time.Since(t0).Milliseconds())
	switch {
	case failed.Load() > 0:
		return 1
	case rootCtx.Err() != nil:
		return exitSignalled
	case acked.Load() != *count:
		return 1
	}
	return 0
}

// cmdConsume: franz-go consumer. Without --group it reads the --partitions given (default:
// every partition of the topic) directly from the start; with --group it joins the group
// (reset to the start, auto-commit on, uncommitted offsets committed at the end).
func cmdConsume(args []string) int {
	fs := flag.NewFlagSet("consume", flag.ExitOnError)
	var c consumeFlags
	addConsumeFlags(fs, &c)
	fs.StringVar(&c.partitions, "partitions", "", "direct mode: comma-separated partitions")
	parse(fs, args, "bootstrap", "topic", "count")

	opts := []kgo.Opt{kgo.SeedBrokers(strings.Split(c.bootstrap, ",")...),
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart())}
	switch {
	case c.group != "":
		opts = append(opts, kgo.ConsumerGroup(c.group), kgo.ConsumeTopics(c.topic),
			kgo.OnPartitionsAssigned(func(_ context.Context, _ *kgo.Client, m map[string][]int32) {
				emit("info assigned %s", partList(m[c.topic]))
			}),
			kgo.OnPartitionsRevoked(func(_ context.Context, _ *kgo.Client, m map[string][]int32) {
				emit("info revoked %s", partList(m[c.topic]))
			}))
	case c.partitions != "":
		parts := map[int32]kgo.Offset{}
		for _, s := range strings.Split(c.partitions, ",") {
			p, err := strconv.Atoi(strings.TrimSpace(s))
			if err != nil || p < 0 {
				usageExit(fs, "bad --partitions "+c.partitions)
			}
			parts[int32(p)] = kgo.NewOffset().AtStart()
		}
		opts = append(opts, kgo.ConsumePartitions(map[string]map[int32]kgo.Offset{c.topic: parts}))
	default: // no group: every partition of the topic, consumed directly
		opts = append(opts, kgo.ConsumeTopics(c.topic))
	}
	cl, err := kgo.NewClient(opts...)
	if err != nil {
		emit("info fatal %s", oneLine(err.Error()))
		return 1
	}
	t0 := time.Now()
	got, rc := pollLoop(cl, c, t0)
	if c.group != "" && rc != 1 {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		if err := cl.CommitUncommittedOffsets(ctx); err != nil {
			emit("info commit %s", oneLine(err.Error()))
		}
		cancel()
	}
	cl.Close()
	emit("summary records=%d ms=%d", got, time.Since(t0).Milliseconds())
	return rc
}

func pollLoop(cl *kgo.Client, c consumeFlags, t0 time.Time) (int64, int) {
	var got int64
	last := time.Now()
	for got < c.count {
		wait := time.Duration(c.idleMs)*time.Millisecond - time.Since(last)
		if left := time.Duration(c.maxMs)*time.Millisecond - time.Since(t0); left < wait {
			wait = left
		}
		if wait <= 0 {
			return got, 2
		}
		ctx, cancel := context.WithTimeout(rootCtx, wait)
		fetches := cl.PollFetches(ctx)
		cancel()
		if rootCtx.Err() != nil {
			emit("info stopped by signal")
			return got, exitSignalled
		}
		if fetches.IsClientClosed() {
			return got, 1
		}
		for _, fe := range fetches.Errors() {
			if errors.Is(fe.Err, context.DeadlineExceeded) || errors.Is(fe.Err, context.Canceled) {
				continue
			}
			emit("info error %s %d %s", fe.Topic, fe.Partition, oneLine(fe.Err.Error()))
		}
		fetches.EachRecord(func(r *kgo.Record) {
			emitRec(r.Partition, r.Offset, r.Key, r.Value)
			got++
			last = time.Now()
		})
	}
	return got, 0
}

func partList(ps []int32) string {
	if len(ps) == 0 {
		return "none"
	}
	s := make([]string, len(ps))
	for i, p := range ps {
		s[i] = strconv.Itoa(int(p))
	}
	return strings.Join(s, ",")
}

// cmdCreateTopic: kadm CreateTopics; prints `info created TOPIC` or the error, exit 1 on one.
func cmdCreateTopic(args []string) int {
	fs := flag.NewFlagSet("create-topic", flag.ExitOnError)
	bootstrap := fs.String("bootstrap", "", "bootstrap servers")
	topic := fs.String("topic", "", "topic")
	partitions := fs.Int("partitions", 1, "partitions")
	rf := fs.Int("replication-factor", 1, "replication factor (-1: broker default)")
	parse(fs, args, "bootstrap", "topic")
	cl, err := kgo.NewClient(kgo.SeedBrokers(strings.Split(*bootstrap, ",")...))
	if err != nil {
		emit("info fatal %s", oneLine(err.Error()))
		return 1
	}
	defer cl.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	res, err := kadm.NewClient(cl).CreateTopic(ctx, int32(*partitions), int16(*rf), nil, *topic)
	if err == nil {
		err = res.Err
	}
	if err != nil {
		emit("info error %s", oneLine(fmt.Sprint(err)))
		return 1
	}
	emit("info created %s", res.Topic)
	return 0
}
