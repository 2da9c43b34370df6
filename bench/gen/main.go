// Command gen writes large captures of real Go crypto/tls traffic for
// padlock's benchmarks, with their ground truth:
//
//	go run ./bench/gen -kind handshake -out /tmp/hs.pcap   # >= 100k connections, >= 800 MB
//	go run ./bench/gen -kind bulk -out /tmp/bulk.pcap      # ~2k connections, >= 2 GB
//
// To stay fast it runs a pool of distinct real TLS conversations (client and
// server from crypto/tls over loopback TCP, every byte they wrote recorded)
// and replays them many times over, each time with other addresses, ports,
// initial sequence numbers, round-trip times and start times, wrapped in
// Ethernet/IPv4 or IPv6/TCP packets built here. Connections overlap in time
// as on a busy link. The ground truth goes to OUT.truth.json.
package main

import (
	"bufio"
	"container/heap"
	"encoding/json"
	"flag"
	"fmt"
	"math"
	mrand "math/rand/v2"
	"net"
	"os"
	"time"

	"crypto/tls"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	"github.com/gopacket/gopacket/pcapgo"
)

// truth is what the capture holds, for bench/check.
type truth struct {
	Kind           string         `json:"kind"`
	File           string         `json:"file"`
	Bytes          int64          `json:"bytes"`
	Packets        int64          `json:"packets"`
	Connections    int            `json:"connections"`     // TCP connections, all of them TLS
	ClientHellos   int            `json:"client_hellos"`   // ClientHello messages (2 on a HelloRetryRequest)
	Established    int            `json:"established"`     // handshakes both sides completed
	Failed         int            `json:"failed"`          // handshakes that ended in an alert
	Resumed        int            `json:"resumed"`         // established by resumption
	HelloRetry     int            `json:"hello_retry"`     // with a HelloRetryRequest
	Records        map[string]int `json:"records"`         // complete TLS records: client, server
	RSTEndings     int            `json:"rst_endings"`     // ended by a client RST
	TupleReuse     int            `json:"tuple_reuse"`     // connections on the 4-tuple of an earlier one
	IPv6           int            `json:"ipv6"`            // connections over IPv6
	Templates      int            `json:"templates"`       // distinct real TLS conversations replayed
	Versions       map[string]int `json:"versions"`        // established connections per version
	MaxConcurrent  int            `json:"max_concurrent"`  // most connections open at once
	DurationSecond float64        `json:"duration_second"` // capture time span
}

func main() {
	kind := flag.String("kind", "handshake", "handshake (many short connections), bulk (few long transfers) or idle\n(connections that send a ClientHello and then nothing, never closed: flow-table and memory caps)")
	out := flag.String("out", "", "output pcap `FILE` (the ground truth goes to FILE.truth.json)")
	conns := flag.Int("conns", 0, "at least this many connections (default: 110000 handshake, 2000 bulk)")
	minBytes := flag.Int64("bytes", 0, "and at least this many bytes (default: 850 MB handshake, 2.1 GB bulk)")
	pool := flag.Int("pool", 0, "distinct real TLS conversations to replay (default: 600 handshake, 64 bulk)")
	seed := flag.Uint64("seed", 1, "seed of the replay (addresses, timings, choices)")
	flag.Parse()
	if *out == "" || (*kind != "handshake" && *kind != "bulk" && *kind != "idle") {
		fmt.Fprintln(os.Stderr, "usage: go run ./bench/gen -kind handshake|bulk|idle -out FILE [-conns N] [-bytes N] [-pool N]")
		os.Exit(2)
	}
	bulk := *kind == "bulk"
	def := func(v *int, h, b int) {
		if *v == 0 {
			*v = h
			if bulk {
				*v = b
			}
		}
	}
	def(conns, 110000, 2000)
	if *kind == "idle" && *minBytes == 0 {
		*conns, *minBytes = max(*conns, 1000000), 1
	}
	def(pool, 600, 64)
	if *minBytes == 0 {
		*minBytes = 850e6
		if bulk {
			*minBytes = 2100e6
		}
	}
	if err := generate(*kind, *out, *conns, *minBytes, *pool, *seed); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

func generate(kind, out string, nconns int, minBytes int64, npool int, seed uint64) error {
	bulk := kind == "bulk"
	r := mrand.New(mrand.NewPCG(seed, 0x9e3779b97f4a7c15))
	t0 := time.Now()
	p, err := newPKI()
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	defer ln.Close()
	var normal, rsts []*script
	for len(normal) < npool {
		fail := r.IntN(20) == 0 // ~4% of the templates: resumption pairs add two
		s := randomSpec(r, bulk, fail)
		pair := !fail && r.IntN(6) == 0 // a full handshake and one that resumes it
		if pair {
			s.cache = tls.NewLRUClientSessionCache(2)
		}
		for k := 0; k < 1+btoi(pair); k++ {
			t, err := s.run(p, ln)
			if err != nil {
				return fmt.Errorf("template %d (%+v): %w", len(normal), s, err)
			}
			if k == 1 && !t.resumed {
				return fmt.Errorf("template %d: the second connection did not resume", len(normal))
			}
			normal = append(normal, buildScript(t, false))
			rsts = append(rsts, buildScript(t, true))
		}
	}
	fmt.Fprintf(os.Stderr, "gen: %d real TLS conversations in %v\n", len(normal), time.Since(t0).Round(time.Millisecond))

	f, err := os.Create(out)
	if err != nil {
		return err
	}
	bw := bufio.NewWriterSize(f, 1<<20)
	pw := pcapgo.NewWriterNanos(bw)
	if err := pw.WriteFileHeader(65535, layers.LinkTypeEthernet); err != nil {
		return err
	}
	tr := truth{Kind: kind, File: out, Records: map[string]int{}, Versions: map[string]int{}, Templates: len(normal)}
	var written int64 = 24
	base := time.Date(2026, 1, 15, 9, 0, 0, 0, time.UTC)
	now := base
	// Mean time between connection starts: busy but not absurd.
	mean := 400 * time.Microsecond
	if bulk {
		mean = 6 * time.Millisecond
	}
	var h connHeap
	active := map[tuple]time.Time{} // tuple -> end of its latest connection
	var recent []tuple
	buf := make([]byte, 0, 2048)
	var last time.Time
	emitUntil := func(until time.Time) error {
		for len(h) > 0 && (until.IsZero() || !h[0].at.After(until)) {
			c := h[0]
			pkt := c.c.encode(buf[:0], c.c.next)
			ts := c.at
			if ts.Before(last) {
				ts = last
			}
			last = ts
			if err := pw.WritePacket(gopacket.CaptureInfo{Timestamp: ts, CaptureLength: len(pkt), Length: len(pkt)}, pkt); err != nil {
				return err
			}
			written += 16 + int64(len(pkt))
			tr.Packets++
			c.c.next++
			if c.c.next == len(c.c.sc.segs) {
				heap.Pop(&h)
			} else {
				h[0].at = c.c.start.Add(c.c.times[c.c.next])
				heap.Fix(&h, 0)
			}
		}
		return nil
	}
	for i := 0; i < nconns || written < minBytes; i++ {
		now = now.Add(time.Duration(r.ExpFloat64() * float64(mean)))
		if err := emitUntil(now); err != nil {
			return err
		}
		k := r.IntN(len(normal))
		sc := normal[k]
		if sc.established && r.IntN(20) == 0 {
			sc = rsts[k]
		}
		if kind == "idle" {
			sc = idle(sc)
		}
		c := &conn{sc: sc, start: now, isn: [2]uint32{r.Uint32(), r.Uint32()}, ipid: [2]uint16{uint16(r.Uint32()), uint16(r.Uint32())}}
		// Round trips from LAN to intercontinental, log-uniform.
		c.rtt = time.Duration(300e3 * math.Pow(150, r.Float64()))
		c.step = time.Duration(8000+r.IntN(12000)) * time.Nanosecond
		c.layout()
		var tp tuple
		if len(recent) > 0 && r.IntN(30) == 0 {
			cand := recent[r.IntN(len(recent))]
			if end, ok := active[cand]; ok && end.Before(now) {
				tp, c.reused = cand, true
			}
		}
		for !c.reused {
			tp = randomTuple(r)
			if end, ok := active[tp]; !ok || end.Before(now) {
				break
			}
		}
		active[tp] = c.end()
		if len(recent) < 4096 {
			recent = append(recent, tp)
		} else {
			recent[r.IntN(len(recent))] = tp
		}
		c.v6, c.cip, c.sip, c.cport, c.sport = tp.v6, tp.cip, tp.sip, tp.cport, tp.sport
		heap.Push(&h, &item{c: c, at: c.start})
		if len(h) > tr.MaxConcurrent {
			tr.MaxConcurrent = len(h)
		}
		tr.Connections++
		tr.ClientHellos += sc.hellos
		tr.Records["client"] += sc.records[0]
		tr.Records["server"] += sc.records[1]
		if sc.established {
			tr.Established++
			tr.Versions[tls.VersionName(sc.version)]++
		} else {
			tr.Failed++
		}
		tr.Resumed += btoi(sc.resumed)
		tr.HelloRetry += btoi(sc.hrr)
		tr.RSTEndings += btoi(sc.rst)
		tr.TupleReuse += btoi(c.reused)
		tr.IPv6 += btoi(c.v6)
		if i%10000 == 0 && i > 0 {
			fmt.Fprintf(os.Stderr, "gen: %d connections, %d MB\n", i, written>>20)
		}
	}
	if err := emitUntil(time.Time{}); err != nil {
		return err
	}
	if err := bw.Flush(); err != nil {
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	tr.Bytes = written
	tr.Records["total"] = tr.Records["client"] + tr.Records["server"]
	tr.DurationSecond = last.Sub(base).Seconds()
	js, _ := json.MarshalIndent(tr, "", "  ")
	if err := os.WriteFile(out+".truth.json", append(js, '\n'), 0o644); err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "gen: wrote %s: %d connections, %d packets, %d MB in %v\n", out, tr.Connections, tr.Packets, written>>20, time.Since(t0).Round(time.Millisecond))
	return nil
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

type tuple struct {
	v6           bool
	cip, sip     [16]byte
	cport, sport uint16
}

func randomTuple(r *mrand.Rand) tuple {
	var t tuple
	t.v6 = r.IntN(10) == 0
	srv := r.IntN(300)
	if t.v6 {
		copy(t.cip[:], []byte{0xfd, 0, 0, 0, 0, 0, 0, 1})
		t.cip[12], t.cip[13], t.cip[14], t.cip[15] = byte(r.IntN(256)), byte(r.IntN(256)), byte(r.IntN(256)), byte(1+r.IntN(254))
		copy(t.sip[:], []byte{0xfd, 0, 0, 0, 0, 0, 0, 2})
		t.sip[14], t.sip[15] = byte(srv>>8), byte(1+srv&0xff)
	} else {
		t.cip[0], t.cip[1], t.cip[2], t.cip[3] = 10, byte(r.IntN(256)), byte(r.IntN(256)), byte(1+r.IntN(254))
		t.sip[0], t.sip[1], t.sip[2], t.sip[3] = 172, 16, byte(srv>>8), byte(1+srv&0xff)
	}
	t.cport = uint16(32768 + r.IntN(28232))
	t.sport = 443
	if srv%10 == 9 {
		t.sport = 8443
	}
	return t
}

// item is a connection in the heap of connections ordered by their next packet.
type item struct {
	c  *conn
	at time.Time
}

type connHeap []*item

func (h connHeap) Len() int { return len(h) }
func (h connHeap) Less(i, j int) bool {
	if h[i].at.Equal(h[j].at) {
		return h[i].c.start.Before(h[j].c.start)
	}
	return h[i].at.Before(h[j].at)
}
func (h connHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *connHeap) Push(x any)   { *h = append(*h, x.(*item)) }
func (h *connHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

// idle cuts a script after the client's first flight: three-way handshake
// and ClientHello, then silence (no FIN, no RST).
func idle(sc *script) *script {
	// Through the client's last data segment before the server's first:
	// a ClientHello longer than a segment (one with an X25519MLKEM768
	// share is ~1.5 KB) is kept whole, not cut inside its record.
	n := 0
	for i, s := range sc.segs {
		if len(s.data) == 0 {
			continue
		}
		if s.dir != 0 {
			break
		}
		n = i + 1
	}
	out := &script{segs: sc.segs[:n], hellos: 1}
	out.records[0] = 1
	return out
}
