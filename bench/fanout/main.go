// fanout: publish-to-screen latency and deliveries per second of a fan-out
// server (the gateway's /v1/subscribe, or Centrifugo fed by its Kafka consumer)
// to N WebSocket subscribers of one channel, all reading the same Kafka records.
//
// It produces records to one topic at a fixed rate (each carries its send time),
// connects N subscribers first, and measures, over a window after a warm-up,
// every delivery's latency (receive time minus send time, same clock) and the
// server's CPU (from /proc/PID/stat). One JSON line of results on stdout.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math"
	"math/bits"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"
	"github.com/twmb/franz-go/pkg/kgo"
)

type config struct {
	mode, url, token, division, channel, brokers, topic string
	subscribers, connectParallel                        int
	rate                                                float64
	warmup, duration                                    time.Duration
	pid                                                 int
	payloadBytes                                        int
}

// Log-linear histogram of microseconds (like HdrHistogram, 2 significant digits).
type histogram struct{ counts [64 * 128]uint64 }

func bucket(us int64) int {
	if us < 128 {
		return int(us)
	}
	exp := 63 - bits.LeadingZeros64(uint64(us)) - 6
	return exp*64 + int(us>>uint(exp))
}

func bucketValue(b int) float64 {
	if b < 128 {
		return float64(b)
	}
	exp := b/64 - 1
	mant := b - exp*64
	return float64(int64(mant) << uint(exp))
}

func (h *histogram) add(us int64) {
	if us < 0 {
		us = 0
	}
	b := bucket(us)
	if b >= len(h.counts) {
		b = len(h.counts) - 1
	}
	h.counts[b]++
}

func (h *histogram) merge(o *histogram) {
	for i := range h.counts {
		h.counts[i] += o.counts[i]
	}
}

func (h *histogram) quantile(q float64) float64 {
	var total uint64
	for _, c := range h.counts {
		total += c
	}
	if total == 0 {
		return math.NaN()
	}
	target := uint64(math.Ceil(q * float64(total)))
	var seen uint64
	for i, c := range h.counts {
		seen += c
		if seen >= target {
			return bucketValue(i) / 1000.0
		}
	}
	return math.NaN()
}

type subscriber struct {
	conn      *websocket.Conn
	hist      histogram
	delivered uint64
	measured  uint64
}

var sentNs = []byte(`"sent_ns":`)

func cpuSeconds(pid int) float64 {
	if pid <= 0 {
		return 0
	}
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	s := string(b)
	fields := strings.Fields(s[strings.LastIndexByte(s, ')')+2:])
	ut, _ := strconv.ParseFloat(fields[11], 64)
	st, _ := strconv.ParseFloat(fields[12], 64)
	return (ut + st) / 100.0 // clock ticks (USER_HZ = 100 on Linux)
}

func dial(cfg config) (*websocket.Conn, error) {
	d := websocket.Dialer{HandshakeTimeout: 60 * time.Second, ReadBufferSize: 64 << 10, WriteBufferSize: 4 << 10}
	h := http.Header{}
	if cfg.mode == "gateway" {
		d.Subprotocols = []string{"civic.subscribe.v1"}
		h.Set("Authorization", "Bearer "+cfg.token)
	}
	c, _, err := d.Dial(cfg.url, h)
	if err != nil {
		return nil, err
	}
	var first []byte
	if cfg.mode == "gateway" {
		sub := fmt.Sprintf(`{"type":"subscribe","id":"s","division":%q,"from":"now"}`, cfg.division)
		if err := c.WriteMessage(websocket.TextMessage, []byte(sub)); err != nil {
			return nil, err
		}
		first = []byte(`"type":"live"`)
	} else {
		cmds := fmt.Sprintf(`{"id":1,"connect":{"token":%q}}`+"\n"+`{"id":2,"subscribe":{"channel":%q}}`, cfg.token, cfg.channel)
		if err := c.WriteMessage(websocket.TextMessage, []byte(cmds)); err != nil {
			return nil, err
		}
		first = []byte(`"id":2`)
	}
	c.SetReadDeadline(time.Now().Add(60 * time.Second))
	for {
		_, m, err := c.ReadMessage()
		if err != nil {
			return nil, err
		}
		if bytes.Contains(m, []byte(`"error"`)) && !bytes.Contains(m, first) {
			return nil, fmt.Errorf("refused: %s", m)
		}
		if bytes.Contains(m, first) {
			break
		}
	}
	c.SetReadDeadline(time.Time{})
	return c, nil
}

func (s *subscriber) read(start, end *atomic.Int64, wg *sync.WaitGroup) {
	defer wg.Done()
	// One buffer per subscriber, reused: the client shares the cores with the
	// server it measures, so it should spend as little as it can per message.
	var buf bytes.Buffer
	for {
		_, r, err := s.conn.NextReader()
		if err != nil {
			return
		}
		buf.Reset()
		if _, err := buf.ReadFrom(r); err != nil && err != io.EOF {
			return
		}
		m := buf.Bytes()
		now := time.Now().UnixNano()
		for len(m) > 0 {
			i := bytes.Index(m, sentNs)
			if i < 0 {
				break
			}
			m = m[i+len(sentNs):]
			j := 0
			var sent int64
			for j < len(m) && m[j] >= '0' && m[j] <= '9' {
				sent = sent*10 + int64(m[j]-'0')
				j++
			}
			m = m[j:]
			atomic.AddUint64(&s.delivered, 1)
			if sent >= start.Load() && sent < end.Load() {
				s.hist.add((now - sent) / 1000)
				s.measured++
			}
		}
	}
}

func main() {
	var cfg config
	flag.StringVar(&cfg.mode, "mode", "gateway", "gateway or centrifugo")
	flag.StringVar(&cfg.url, "url", "", "WebSocket URL")
	flag.StringVar(&cfg.token, "token", "", "token for the subscribers")
	flag.StringVar(&cfg.division, "division", "bench", "gateway: division to subscribe to")
	flag.StringVar(&cfg.channel, "channel", "division:bench", "centrifugo: channel (the records' centrifugo-channels header)")
	flag.StringVar(&cfg.brokers, "brokers", "127.0.0.1:9092", "Kafka bootstrap servers")
	flag.StringVar(&cfg.topic, "topic", "division.bench", "topic to produce to")
	flag.IntVar(&cfg.subscribers, "subscribers", 1000, "WebSocket subscribers")
	flag.IntVar(&cfg.connectParallel, "connect-parallel", 64, "connections opened at once")
	flag.Float64Var(&cfg.rate, "rate", 100, "records per second produced")
	flag.DurationVar(&cfg.warmup, "warmup", 4*time.Second, "time before measuring")
	flag.DurationVar(&cfg.duration, "duration", 16*time.Second, "measured time")
	flag.IntVar(&cfg.pid, "pid", 0, "server process id (CPU accounting)")
	flag.IntVar(&cfg.payloadBytes, "payload", 600, "bytes of text per record (a typical routed message is 1-2 KB)")
	flag.Parse()

	subs := make([]*subscriber, cfg.subscribers)
	connectStart := time.Now()
	var next atomic.Int64
	var failed atomic.Int64
	var cwg sync.WaitGroup
	errs := make(chan error, 1)
	for w := 0; w < cfg.connectParallel; w++ {
		cwg.Add(1)
		go func() {
			defer cwg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= cfg.subscribers {
					return
				}
				c, err := dial(cfg)
				if err != nil {
					failed.Add(1)
					select {
					case errs <- err:
					default:
					}
					continue
				}
				subs[i] = &subscriber{conn: c}
			}
		}()
	}
	cwg.Wait()
	if failed.Load() > 0 {
		fmt.Fprintf(os.Stderr, "fanout: %d connections failed, first: %v\n", failed.Load(), <-errs)
		os.Exit(1)
	}
	connectSeconds := time.Since(connectStart).Seconds()

	var start, end atomic.Int64
	start.Store(math.MaxInt64)
	end.Store(math.MaxInt64)
	var rwg sync.WaitGroup
	for _, s := range subs {
		rwg.Add(1)
		go s.read(&start, &end, &rwg)
	}

	client, err := kgo.NewClient(kgo.SeedBrokers(strings.Split(cfg.brokers, ",")...),
		kgo.ProducerLinger(0), kgo.RequiredAcks(kgo.AllISRAcks()), kgo.DisableIdempotentWrite())
	if err != nil {
		fmt.Fprintln(os.Stderr, "fanout:", err)
		os.Exit(1)
	}
	defer client.Close()
	text := strings.Repeat("도로에 포트홀이 생겼어요 ", cfg.payloadBytes/34+1)[:0]
	for len(text) < cfg.payloadBytes {
		text += "도로에 포트홀이 생겼어요 "
	}
	ctx := context.Background()
	interval := time.Duration(float64(time.Second) / cfg.rate)
	begin := time.Now()
	measureFrom := begin.Add(cfg.warmup)
	measureTo := measureFrom.Add(cfg.duration)
	start.Store(measureFrom.UnixNano())
	end.Store(measureTo.UnixNano())
	var produced, producedMeasured int64
	var cpuBefore, cpuAfter, clientBefore, clientAfter float64
	cpuTaken := false
	for seq := int64(0); ; seq++ {
		due := begin.Add(time.Duration(seq) * interval)
		if due.After(measureTo) {
			break
		}
		if d := time.Until(due); d > 0 {
			time.Sleep(d)
		}
		if !cpuTaken && !time.Now().Before(measureFrom) {
			cpuBefore = cpuSeconds(cfg.pid)
			clientBefore = cpuSeconds(os.Getpid())
			cpuTaken = true
		}
		now := time.Now().UnixNano()
		value := fmt.Sprintf(`{"schema":"routed-message.v1","case_id":"bench-%d","division":%q,"divisions":[%q],"kind":"complaint","district":"Mapo-gu","urgency":"normal","matched":[],"rules_version":"bench","envelope":{"version":1,"id":"bench-%d","channel":"bench","text":%q},"sent_ns":%d}`,
			seq%97, cfg.division, cfg.division, seq, text, now)
		r := &kgo.Record{Topic: cfg.topic, Key: []byte(fmt.Sprintf("bench-%d", seq%97)), Value: []byte(value),
			Headers: []kgo.RecordHeader{{Key: "centrifugo-channels", Value: []byte(cfg.channel)}}}
		client.Produce(ctx, r, func(_ *kgo.Record, err error) {
			if err != nil {
				fmt.Fprintln(os.Stderr, "fanout: produce:", err)
			}
		})
		produced++
		if now >= measureFrom.UnixNano() && now < measureTo.UnixNano() {
			producedMeasured++
		}
	}
	client.Flush(ctx)
	cpuAfter = cpuSeconds(cfg.pid)
	clientAfter = cpuSeconds(os.Getpid())
	// Let the last records arrive, then close.
	time.Sleep(3 * time.Second)
	for _, s := range subs {
		s.conn.Close()
	}
	rwg.Wait()

	var all histogram
	var delivered, measured uint64
	for _, s := range subs {
		all.merge(&s.hist)
		delivered += atomic.LoadUint64(&s.delivered)
		measured += s.measured
	}
	expected := uint64(producedMeasured) * uint64(cfg.subscribers)
	out := map[string]any{
		"mode": cfg.mode, "subscribers": cfg.subscribers, "rate": cfg.rate, "produced": produced,
		"connect_seconds": connectSeconds, "delivered_total": delivered,
		"measured_deliveries": measured, "expected_deliveries": expected,
		"deliveries_per_second": float64(measured) / cfg.duration.Seconds(),
		"p50_ms":                all.quantile(0.5),
		"p99_ms":                all.quantile(0.99),
		"p999_ms":               all.quantile(0.999),
		"max_ms":                all.quantile(1.0),
		"server_cpu_seconds":    cpuAfter - cpuBefore,
	}
	if measured > 0 && cfg.pid > 0 {
		out["server_cpu_us_per_delivery"] = (cpuAfter - cpuBefore) * 1e6 / float64(measured)
	}
	// The receiving side shares the cores: what it spends bounds what a server can show.
	if measured > 0 {
		out["client_cpu_us_per_delivery"] = (clientAfter - clientBefore) * 1e6 / float64(measured)
	}
	json.NewEncoder(os.Stdout).Encode(out)
}
