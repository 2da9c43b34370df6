package reassembly

import (
	"math/rand/v2"
	"net/netip"
	"testing"
	"time"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/padlock-tls/padlock/capture"
)

// A RST ends the connection at once (both directions), so ordered output
// does not wait for the idle timeout; a new SYN on the tuple afterwards is
// a new connection, and late packets of the old one are not.
func TestRSTEndsConnectionAtOnce(t *testing.T) {
	f := newFlow(5000, 100, 200)
	f.handshake()
	f.send(0, record(22, 10, 1), "")
	f.send(1, record(22, 20, 2), "")
	f.send(0, nil, "R")
	f.send(1, nil, "") // a late ACK from the server
	rec := newRecorder()
	tr := New(DefaultOptions, rec)
	for i := range f.out {
		tr.Add(&f.out[i])
	}
	require.Len(t, rec.done, 1, "reported before the input ends")
	c := rec.done[0]
	assert.False(t, c.Evicted)
	assert.Equal(t, [2]int{6, 0}, c.RST)
	assert.Equal(t, [2]int{1, 1}, c.Records)

	g := newFlow(5000, 5555, 6666)
	g.frame, g.t = f.frame, f.t
	g.handshake()
	g.send(0, record(22, 30, 3), "F")
	g.send(1, nil, "F")
	for i := range g.out {
		tr.Add(&g.out[i])
	}
	tr.Close()
	require.Len(t, rec.done, 2)
	assert.Equal(t, 2, rec.done[1].ID)
	assert.Equal(t, 30, rec.records[2][0].Length)
	assert.Equal(t, 1, tr.Stats().Connections-1, "the late ACK made no connection")
}

// An ended connection leaves a tombstone: its last ACK makes no new
// connection (which would hold back ordered output until the idle
// timeout), and a new SYN on the tuple is a new connection.
func TestLatePacketsAfterFINAreDropped(t *testing.T) {
	f := newFlow(5000, 100, 200)
	f.handshake()
	f.send(0, record(22, 10, 1), "F")
	f.send(1, record(22, 20, 2), "F")
	f.send(0, nil, "") // the last ACK, after both FINs
	f.send(0, nil, "") // and a duplicate
	f.seq = [2]uint32{4444, 5555}
	f.handshake()
	f.send(0, record(22, 30, 3), "F")
	f.send(1, nil, "F")
	rec := newRecorder()
	tr := New(DefaultOptions, rec)
	for i := range f.out {
		tr.Add(&f.out[i])
	}
	require.Len(t, rec.done, 2, "both reported before the input ends")
	tr.Close()
	require.Len(t, rec.done, 2)
	assert.Equal(t, 2, tr.Stats().Connections)
	assert.Equal(t, 2, tr.Stats().LateSegments)
	assert.Equal(t, 30, rec.records[2][0].Length)
	assert.Equal(t, 0, tr.liveFlows())
}

type nullHandler struct{}

func (nullHandler) Record(*Conn, *Record)  {}
func (nullHandler) Problem(*Conn, Problem) {}
func (nullHandler) Done(*Conn)             {}

// noAppData is a handler with no keys: it never wants application data.
type noAppData struct{ nullHandler }

func (noAppData) WantAppData(*Conn) bool { return false }

// appDataPackets returns Ethernet frames of an established connection:
// handshake records both ways, then application data records of 3000
// bytes (and some of 40) cut into segments of at most 1448 bytes, with
// an ACK from the peer every second segment.
func appDataPackets(t testing.TB, n int) []capture.Packet {
	f := newFlow(5000, 100, 200)
	f.handshake()
	f.send(0, record(22, 300, 1), "")
	f.send(1, record(22, 3000, 2), "")
	f.send(0, record(22, 100, 3), "")
	var stream []byte
	for len(stream) < n*1448 {
		stream = append(stream, record(23, 2995, 7)...)
		stream = append(stream, record(23, 40, 8)...)
	}
	for k := 0; len(stream) > 0; k++ {
		m := min(len(stream), 1448)
		f.send(1, stream[:m], "")
		stream = stream[m:]
		if k%2 == 1 {
			f.send(0, nil, "")
		}
	}
	var out []capture.Packet
	for _, s := range f.out {
		src, dst := s.Net.Endpoints()
		ip := &layers.IPv4{Version: 4, IHL: 5, TTL: 64, Protocol: layers.IPProtocolTCP, SrcIP: src.Raw(), DstIP: dst.Raw()}
		tcp := *s.TCP
		require.NoError(t, tcp.SetNetworkLayerForChecksum(ip))
		buf := gopacket.NewSerializeBuffer()
		eth := &layers.Ethernet{SrcMAC: []byte{2, 0, 0, 0, 0, 1}, DstMAC: []byte{2, 0, 0, 0, 0, 2}, EthernetType: layers.EthernetTypeIPv4}
		require.NoError(t, gopacket.SerializeLayers(buf, gopacket.SerializeOptions{FixLengths: true, ComputeChecksums: true},
			eth, ip, &tcp, gopacket.Payload(s.TCP.Payload)))
		data := append([]byte(nil), buf.Bytes()...)
		out = append(out, capture.Packet{Frame: s.Frame, Time: s.Time, Data: data, Length: len(data), LinkType: layers.LinkTypeEthernet})
	}
	return out
}

// In the steady state of an established connection, decoding a packet and
// following it (application data walked by record headers, ACKs) costs no
// allocation.
func TestSteadyStateAllocatesNothing(t *testing.T) {
	pkts := appDataPackets(t, 3000)
	dec := capture.NewDecoder()
	tr := New(DefaultOptions, noAppData{})
	i := 0
	var seg capture.Segment // the caller's, reused: Add keeps no pointer to it
	step := func() {
		var ok bool
		var err error
		seg, ok, err = dec.DecodeShared(pkts[i])
		if err != nil || !ok {
			t.Fatalf("frame %d: %v", pkts[i].Frame, err)
		}
		tr.Add(&seg)
		i++
	}
	for i < 100 { // handshake and warm-up
		step()
	}
	allocs := testing.AllocsPerRun(2000, step)
	assert.Zero(t, allocs, "allocations per packet")
	for i < len(pkts) {
		step()
	}
	tr.Close()
	st := tr.Stats()
	assert.Greater(t, st.Records, 2000)
	assert.Zero(t, st.Gaps)
}

// Skipped application data gives the same records (types, lengths,
// offsets, frames) as buffered application data, bodies aside.
func TestSkippedAppDataMatchesBuffered(t *testing.T) {
	pkts := appDataPackets(t, 200)
	type rec struct {
		Dir     Dir
		Type    uint8
		Length  int
		Offset  int64
		Frames  []int
		Spans   []Span
		Header  string
		Skipped bool
	}
	collect := func(h Handler, got *[]rec) {
		dec := capture.NewDecoder()
		tr := New(DefaultOptions, h)
		for _, p := range pkts {
			seg, ok, err := dec.DecodeShared(p)
			require.NoError(t, err)
			require.True(t, ok)
			tr.Add(&seg)
		}
		tr.Close()
	}
	var a, b []rec
	keep := func(out *[]rec) func(*Conn, *Record) {
		return func(_ *Conn, r *Record) {
			*out = append(*out, rec{r.Dir, r.Type, r.Length, r.Offset, r.Frames(), append([]Span(nil), r.Spans...), string(r.Header), false})
		}
	}
	collect(funcHandler{record: keep(&a)}, &a)
	collect(skipFuncHandler{funcHandler{record: keep(&b)}}, &b)
	require.NotEmpty(t, a)
	assert.Equal(t, a, b)
}

type funcHandler struct {
	nullHandler
	record func(*Conn, *Record)
}

func (h funcHandler) Record(c *Conn, r *Record) { h.record(c, r) }

type skipFuncHandler struct{ funcHandler }

func (skipFuncHandler) WantAppData(*Conn) bool { return false }

// BenchmarkSteadyState is decode and tracking of an established
// connection's packets, application data walked by record headers.
func BenchmarkSteadyState(b *testing.B) {
	pkts := appDataPackets(b, 20000)
	var bytes int64
	for _, p := range pkts {
		bytes += int64(len(p.Data))
	}
	b.SetBytes(bytes / int64(len(pkts)))
	b.ReportAllocs()
	dec := capture.NewDecoder()
	tr := New(DefaultOptions, noAppData{})
	i := 0
	var seg capture.Segment
	for b.Loop() {
		if i == len(pkts) {
			b.StopTimer()
			tr.Close()
			dec, tr, i = capture.NewDecoder(), New(DefaultOptions, noAppData{}), 0
			b.StartTimer()
		}
		seg, _, _ = dec.DecodeShared(pkts[i])
		tr.Add(&seg)
		i++
	}
}

// Skipping application data changes nothing but the bodies, also with
// records cut at random sizes, lost segments, retransmissions and records
// of other types between application data.
func TestSkippedAppDataMatchesBufferedRandom(t *testing.T) {
	for seed := uint64(1); seed <= 20; seed++ {
		r := rand.New(rand.NewPCG(seed, 7))
		f := newFlow(5000, 100, 200)
		f.handshake()
		f.send(0, record(22, 300, 1), "")
		f.send(1, record(22, 2000, 2), "")
		var stream []byte
		for len(stream) < 200000 {
			typ := byte(23)
			if r.IntN(20) == 0 {
				typ = byte(21 + r.IntN(2))
			}
			stream = append(stream, record(typ, 1+r.IntN(16000), byte(r.IntN(256)))...)
		}
		if seed%2 == 0 { // the capture ends inside a record
			stream = stream[:len(stream)-1-r.IntN(5000)]
		}
		for len(stream) > 0 {
			n := min(len(stream), 1+r.IntN(3000))
			switch r.IntN(50) {
			case 0: // lost
				f.seq[1] += uint32(n)
			case 1: // sent twice
				f.send(1, stream[:n], "")
				f.seq[1] -= uint32(n)
				f.send(1, stream[:n], "")
			default:
				f.send(1, stream[:n], "")
			}
			stream = stream[n:]
			if r.IntN(3) == 0 {
				f.send(0, nil, "")
			}
		}
		f.send(1, nil, "F")
		f.send(0, nil, "F")
		type rec struct {
			Type          uint8
			Length        int
			Offset        int64
			Frames        []int
			Spans         []Span
			Header        string
			Body, Skipped bool
		}
		run := func(h func(func(*Conn, *Record), func(*Conn, Problem)) Handler) ([]rec, []Problem) {
			var recs []rec
			var probs []Problem
			tr := New(DefaultOptions, h(func(_ *Conn, x *Record) {
				recs = append(recs, rec{x.Type, x.Length, x.Offset, x.Frames(), append([]Span(nil), x.Spans...), string(x.Header), x.Body != nil, x.Skipped})
			}, func(_ *Conn, p Problem) { probs = append(probs, p) }))
			for i := range f.out {
				tr.Add(&f.out[i])
			}
			tr.Close()
			return recs, probs
		}
		a, pa := run(func(r func(*Conn, *Record), p func(*Conn, Problem)) Handler { return probeHandler{r, p} })
		b, pb := run(func(r func(*Conn, *Record), p func(*Conn, Problem)) Handler {
			return skipProbeHandler{probeHandler{r, p}}
		})
		require.Equal(t, len(a), len(b), "seed %d", seed)
		skipped := 0
		for i := range a {
			if b[i].Skipped {
				skipped++
				assert.Equal(t, uint8(23), b[i].Type)
				assert.False(t, b[i].Body)
				b[i].Skipped, b[i].Body = false, a[i].Body
			}
		}
		assert.Equal(t, a, b, "seed %d", seed)
		assert.Equal(t, pa, pb, "seed %d", seed)
		assert.Greater(t, skipped, 0)
	}
}

type probeHandler struct {
	record  func(*Conn, *Record)
	problem func(*Conn, Problem)
}

func (h probeHandler) Record(c *Conn, r *Record)  { h.record(c, r) }
func (h probeHandler) Problem(c *Conn, p Problem) { h.problem(c, p) }
func (probeHandler) Done(*Conn)                   {}

type skipProbeHandler struct{ probeHandler }

func (skipProbeHandler) WantAppData(*Conn) bool { return false }

// EvictIdle ends the connections idle for the given time, flagged Evicted,
// and leaves the others.
func TestEvictIdle(t *testing.T) {
	a := newFlow(5000, 1, 2)
	a.handshake()
	a.send(0, record(22, 10, 1), "")
	b := newFlow(5001, 3, 4)
	b.frame, b.t = a.frame, a.t.Add(20*time.Second)
	b.handshake()
	b.send(0, record(22, 10, 1), "")
	rec := newRecorder()
	tr := New(DefaultOptions, rec)
	for _, s := range append(a.out, b.out...) {
		tr.Add(&s)
	}
	assert.Equal(t, 0, tr.EvictIdle(time.Minute))
	assert.Equal(t, 1, tr.EvictIdle(10*time.Second))
	require.Len(t, rec.done, 1)
	assert.True(t, rec.done[0].Evicted)
	assert.Equal(t, 5000, int(rec.done[0].A.Port))
	tr.Close()
	require.Len(t, rec.done, 2)
	assert.False(t, rec.done[1].Evicted)
}

// EvictOldest ends the given share of the open connections, those that saw
// no packet for longest, however recent that was: in a dense capture all
// of them can be less than a second old.
func TestEvictOldest(t *testing.T) {
	var flows []*flow
	frame, at := 0, time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range 8 {
		f := newFlow(uint16(6000+i), 1, 2)
		f.cli = netip.AddrPortFrom(netip.AddrFrom4([4]byte{10, 0, 1, byte(i)}), f.cli.Port())
		f.frame, f.t = frame, at.Add(time.Duration(10*i)*time.Millisecond)
		f.handshake()
		f.send(0, record(22, 10, 1), "")
		frame = f.frame
		flows = append(flows, f)
	}
	rec := newRecorder()
	tr := New(DefaultOptions, rec)
	for _, f := range flows {
		for _, s := range f.out {
			tr.Add(&s)
		}
	}
	assert.Equal(t, 0, tr.EvictIdle(time.Second), "none idle for a second")
	assert.Equal(t, 2, tr.EvictOldest(0.25))
	require.Len(t, rec.done, 2)
	for i, c := range rec.done {
		assert.True(t, c.Evicted)
		assert.Equal(t, 6000+i, int(c.A.Port), "the oldest go first")
	}
	assert.Equal(t, 0, tr.EvictOldest(0))
	tr.Close()
	require.Len(t, rec.done, 8)
}

// A connection a RST ended costs nothing once its tombstone's time is up:
// gopacket lets go of both halves at the RST (it would hold the half that
// did not send it until the idle timeout, minutes later), and the
// tombstone goes after tombstoneTTL, also when the other side had sent
// its FIN before the RST. Late packets within that time are still late.
func TestRSTReleasesConnection(t *testing.T) {
	rec := newRecorder()
	tr := New(DefaultOptions, rec)
	var last *flow
	const n = 200
	for i := range n {
		f := newFlow(uint16(10000+i), 100, 200)
		if last != nil {
			f.frame, f.t = last.frame, last.t
		}
		f.handshake()
		f.send(0, record(22, 10, 1), "")
		f.send(1, record(22, 20, 2), "")
		switch i % 3 {
		case 0:
			f.send(0, nil, "R")
			f.send(1, record(23, 30, 3), "") // in flight: late
		case 1:
			f.send(1, nil, "R") // the server resets
			f.send(0, record(23, 30, 3), "")
		case 2:
			f.send(1, nil, "F") // the server closes, the client resets
			f.send(0, nil, "R")
			f.send(1, nil, "") // its last ACK
		}
		for j := range f.out {
			tr.Add(&f.out[j])
		}
		last = f
	}
	require.Len(t, rec.done, n, "each reported at its RST")
	assert.Equal(t, n, tr.Stats().LateSegments)
	assert.Equal(t, 0, tr.held, "gopacket let go of every connection at its RST")
	assert.Empty(t, tr.flows)
	assert.Equal(t, n, len(tr.graves), "their tombstones wait")

	// Later, on another tuple: the tombstones' time is up.
	g := newFlow(5000, 300, 400)
	g.frame, g.t = last.frame, last.t.Add(tombstoneTTL+2*flushEvery)
	g.handshake()
	for j := range g.out {
		tr.Add(&g.out[j])
	}
	assert.Equal(t, 1, len(tr.flows), "only the new connection's flow is left")
	assert.Empty(t, tr.graves)
	assert.Equal(t, 1, tr.held)
	tr.Close()
	assert.Equal(t, 0, tr.held)
	assert.Equal(t, n+1, tr.Stats().Connections)
}

// A handshake record that spans segments is buffered in one array of its
// size once half of it is in, not by doubling; a header that announces
// 16 KiB and then stalls holds only what came (thousands of such flows
// must not each hold what their headers claim).
func TestCutterBuffersRecordAtItsSize(t *testing.T) {
	var got []*Record
	c := newCutter(AtoB, func(r *Record) { got = append(got, r) }, func(Problem) {})
	c.start(true)
	rec := record(22, 4000, 7) // a certificate chain, say
	now := time.Now()
	c.push(rec[:1448], 1, now, false)
	assert.Less(t, cap(c.buf), 2000, "a third of a record: buffered as it came")
	c.push(rec[1448:2896], 2, now, false)
	assert.Equal(t, len(rec), cap(c.buf), "two thirds: room for the whole record at once")
	c.push(rec[2896:], 3, now, false)
	require.Len(t, got, 1)
	assert.Equal(t, 4000, got[0].Length)

	stalled := newCutter(AtoB, func(*Record) {}, func(Problem) {})
	stalled.start(true)
	stalled.push(record(22, 16000, 1)[:40], 1, now, false)
	assert.Less(t, cap(stalled.buf), 1024, "a header alone reserves nothing")
}
