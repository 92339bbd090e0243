package main

import (
	"context"
	"errors"
	"flag"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/IBM/sarama"
	kafkago "github.com/segmentio/kafka-go"
)

// groupRun is the shared bookkeeping of the two group consumers below: records seen, the
// time of the last one, and a context cancelled at --count, --idle-ms, --max-ms or a signal.
type groupRun struct {
	c      consumeFlags
	t0     time.Time
	got    atomic.Int64
	lastMu sync.Mutex
	last   time.Time
	ctx    context.Context
	cancel context.CancelFunc
}

func newGroupRun(c consumeFlags) *groupRun {
	g := &groupRun{c: c, t0: time.Now(), last: time.Now()}
	g.ctx, g.cancel = context.WithTimeout(rootCtx, time.Duration(c.maxMs)*time.Millisecond)
	go g.watchIdle()
	return g
}

func (g *groupRun) watchIdle() {
	t := time.NewTicker(50 * time.Millisecond)
	defer t.Stop()
	for {
		select {
		case <-g.ctx.Done():
			return
		case <-t.C:
			g.lastMu.Lock()
			idle := time.Since(g.last)
			g.lastMu.Unlock()
			if idle >= time.Duration(g.c.idleMs)*time.Millisecond {
				g.cancel()
				return
			}
		}
	}
}

func (g *groupRun) record(partition int32, offset int64, key, value []byte) {
	emitRec(partition, offset, key, value)
	g.lastMu.Lock()
	g.last = time.Now()
	g.lastMu.Unlock()
	if g.got.Add(1) >= g.c.count {
		g.cancel()
	}
}

func (g *groupRun) finish(fatal bool) int {
	g.cancel()
	emit("summary records=%d ms=%d", g.got.Load(), time.Since(g.t0).Milliseconds())
	switch {
	case fatal:
		return 1
	case g.got.Load() >= g.c.count:
		return 0
	case rootCtx.Err() != nil:
		return exitSignalled
	}
	return 2
}

// cmdSaramaGroup: a sarama ConsumerGroup (oldest offset when the group has none, offsets
// marked per record and auto-committed, committed again at close).
func cmdSaramaGroup(args []string) int {
	fs := flag.NewFlagSet("sarama-group", flag.ExitOnError)
	var c consumeFlags
	addConsumeFlags(fs, &c)
	version := fs.String("kafka-version", "2.8.0", "protocol version sarama assumes")
	parse(fs, args, "bootstrap", "topic", "count", "group")
	cfg := sarama.NewConfig()
	v, err := sarama.ParseKafkaVersion(*version)
	if err != nil {
		usageExit(fs, "bad --kafka-version: "+err.Error())
	}
	cfg.Version = v
	cfg.ClientID = "kb-sarama"
	cfg.Consumer.Offsets.Initial = sarama.OffsetOldest
	cfg.Consumer.Return.Errors = true

	g := newGroupRun(c)
	cg, err := sarama.NewConsumerGroup(strings.Split(c.bootstrap, ","), c.group, cfg)
	if err != nil {
		emit("info fatal %s", oneLine(err.Error()))
		return g.finish(true)
	}
	go func() {
		for err := range cg.Errors() {
			emit("info error %s", oneLine(err.Error()))
		}
	}()
	for g.ctx.Err() == nil {
		if err := cg.Consume(g.ctx, []string{c.topic}, saramaHandler{g}); err != nil {
			if errors.Is(err, sarama.ErrClosedConsumerGroup) {
				break
			}
			emit("info error %s", oneLine(err.Error()))
			time.Sleep(100 * time.Millisecond)
		}
	}
	if err := cg.Close(); err != nil {
		emit("info close %s", oneLine(err.Error()))
	}
	return g.finish(false)
}

type saramaHandler struct{ g *groupRun }

func (h saramaHandler) Setup(s sarama.ConsumerGroupSession) error {
	emit("info assigned %s", partList(s.Claims()[h.g.c.topic]))
	return nil
}

func (h saramaHandler) Cleanup(s sarama.ConsumerGroupSession) error {
	emit("info revoked %s", partList(s.Claims()[h.g.c.topic]))
	return nil
}

func (h saramaHandler) ConsumeClaim(s sarama.ConsumerGroupSession, claim sarama.ConsumerGroupClaim) error {
	for {
		select {
		case m, ok := <-claim.Messages():
			if !ok {
				return nil
			}
			h.g.record(m.Partition, m.Offset, m.Key, m.Value)
			s.MarkMessage(m, "")
		case <-s.Context().Done():
			return nil
		}
	}
}

// cmdKafkaGoGroup: a segmentio/kafka-go Reader in a group (FirstOffset when the group has
// none; ReadMessage commits each message synchronously).
func cmdKafkaGoGroup(args []string) int {
	fs := flag.NewFlagSet("kafka-go-group", flag.ExitOnError)
	var c consumeFlags
	addConsumeFlags(fs, &c)
	parse(fs, args, "bootstrap", "topic", "count", "group")
	g := newGroupRun(c)
	r := kafkago.NewReader(kafkago.ReaderConfig{
		Brokers:     strings.Split(c.bootstrap, ","),
		GroupID:     c.group,
		Topic:       c.topic,
		StartOffset: kafkago.FirstOffset,
		MaxWait:     500 * time.Millisecond,
	})
	fatal := false
	for g.ctx.Err() == nil {
		m, err := r.ReadMessage(g.ctx)
		if err != nil {
			if g.ctx.Err() == nil {
				emit("info fatal %s", oneLine(err.Error()))
				fatal = true
			}
			break
		}
		g.record(int32(m.Partition), m.Offset, m.Key, m.Value)
	}
	if err := r.Close(); err != nil {
		emit("info close %s", oneLine(err.Error()))
	}
	return g.finish(fatal)
}
