package reassembly

import (
	"bytes"
	"net/netip"
	"testing"
	"time"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/padlock-tls/padlock/capture"
)

// recorder is a Handler that keeps everything for assertions.
type recorder struct {
	records  map[int][]*Record
	problems map[int][]Problem
	done     []*Conn
}

func newRecorder() *recorder {
	return &recorder{records: map[int][]*Record{}, problems: map[int][]Problem{}}
}

func (r *recorder) Record(c *Conn, rec *Record) { r.records[c.ID] = append(r.records[c.ID], rec) }
func (r *recorder) Problem(c *Conn, p Problem)  { r.problems[c.ID] = append(r.problems[c.ID], p) }
func (r *recorder) Done(c *Conn)                { r.done = append(r.done, c) }

func (r *recorder) codes(id int) []Code {
	var out []Code
	for _, p := range r.problems[id] {
		out = append(out, p.Code)
	}
	return out
}

// flow builds segments of one TCP connection between a client and a server.
type flow struct {
	cli, srv netip.AddrPort
	seq      [2]uint32 // next sequence number: 0 client, 1 server
	frame    int
	t        time.Time
	out      []capture.Segment
}

func newFlow(cport uint16, isnC, isnS uint32) *flow {
	return &flow{
		cli: netip.AddrPortFrom(netip.MustParseAddr("10.0.0.2"), cport),
		srv: netip.AddrPortFrom(netip.MustParseAddr("10.0.0.1"), 443),
		seq: [2]uint32{isnC, isnS},
		t:   time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC),
	}
}

// seg makes a segment from side (0 client, 1 server) at sequence seq.
func (f *flow) segAt(side int, seq uint32, payload []byte, flags string) capture.Segment {
	f.frame++
	f.t = f.t.Add(time.Millisecond)
	src, dst := f.cli, f.srv
	if side == 1 {
		src, dst = dst, src
	}
	tcp := &layers.TCP{SrcPort: layers.TCPPort(src.Port()), DstPort: layers.TCPPort(dst.Port()), Seq: seq, ACK: true, Window: 65535}
	for _, c := range flags {
		switch c {
		case 'S':
			tcp.SYN = true
		case 'F':
			tcp.FIN = true
		case 'R':
			tcp.RST = true
		case 'n': // no ACK
			tcp.ACK = false
		}
	}
	tcp.Payload = append([]byte(nil), payload...)
	tcp.SetInternalPortsForTesting() // as decoding sets them: gopacket keys flows by them
	typ := layers.EndpointIPv4
	if !src.Addr().Is4() {
		typ = layers.EndpointIPv6
	}
	net := gopacket.NewFlow(typ, src.Addr().AsSlice(), dst.Addr().AsSlice())
	return capture.Segment{Frame: f.frame, Time: f.t, Net: net, TCP: tcp, Length: 54 + len(payload)}
}

// send appends a segment carrying payload in order and advances seq.
func (f *flow) send(side int, payload []byte, flags string) capture.Segment {
	s := f.segAt(side, f.seq[side], payload, flags)
	f.seq[side] += uint32(len(payload))
	if s.TCP.SYN || s.TCP.FIN {
		f.seq[side]++
	}
	f.out = append(f.out, s)
	return s
}

func (f *flow) handshake() {
	f.send(0, nil, "Sn")
	f.send(1, nil, "S")
	f.send(0, nil, "")
}

// record builds a TLS record of content type typ with an n-byte body.
func record(typ byte, n int, fill byte) []byte {
	b := []byte{typ, 3, 3, byte(n >> 8), byte(n)}
	return append(b, bytes.Repeat([]byte{fill}, n)...)
}

func run(t *testing.T, segs []capture.Segment) *recorder {
	t.Helper()
	rec := newRecorder()
	tr := New(DefaultOptions, rec)
	for i := range segs {
		tr.Add(&segs[i])
	}
	tr.Close()
	return rec
}

func TestRecordAcrossSegments(t *testing.T) {
	f := newFlow(5000, 1000, 9000)
	f.handshake()
	r := record(22, 3000, 0xAA)
	f.send(0, r[:1000], "")
	f.send(0, r[1000:2000], "")
	f.send(0, r[2000:], "")
	rec := run(t, f.out)
	require.Len(t, rec.records[1], 1)
	got := rec.records[1][0]
	assert.Equal(t, []int{4, 5, 6}, got.Frames())
	assert.Equal(t, 3000, got.Length)
	assert.Equal(t, AtoB, got.Dir)
	assert.Equal(t, []int{4}, got.FramesOf(0, 995), "the first 995 body bytes came in frame 4")
	assert.Equal(t, []int{5, 6}, got.FramesOf(1500, 1000))
	assert.Empty(t, rec.problems[1])
}

func TestSeveralRecordsInOneSegment(t *testing.T) {
	f := newFlow(5000, 1, 2)
	f.handshake()
	var b []byte
	b = append(b, record(22, 10, 1)...)
	b = append(b, record(20, 1, 1)...)
	b = append(b, record(22, 40, 2)...)
	f.send(1, b, "")
	rec := run(t, f.out)
	require.Len(t, rec.records[1], 3)
	for _, r := range rec.records[1] {
		assert.Equal(t, []int{4}, r.Frames())
		assert.Equal(t, BtoA, r.Dir)
	}
	assert.Equal(t, uint8(20), rec.records[1][1].Type)
}

// Out-of-order bytes are credited to the frame that carried them, not to
// the packet whose arrival let gopacket deliver them (STYLE Part 4). The
// segments are larger than gopacket's 1900-byte page so a queued segment is
// split over several pages.
func TestOutOfOrderProvenance(t *testing.T) {
	f := newFlow(5000, 0xFFFFF000, 7) // the client's sequence numbers wrap inside the record
	f.handshake()
	r := record(22, 9000, 0x55)
	first := f.segAt(0, f.seq[0], r[:4000], "")
	second := f.segAt(0, f.seq[0]+4000, r[4000:8000], "")
	third := f.segAt(0, f.seq[0]+8000, r[8000:], "")
	// Frames 4, 5, 6 are numbered in capture order: third, second, first.
	third.Frame, second.Frame, first.Frame = 4, 5, 6
	segs := append(f.out, third, second, first)
	rec := run(t, segs)
	require.Len(t, rec.records[1], 1)
	got := rec.records[1][0]
	assert.Equal(t, []int{6, 5, 4}, got.Frames(), "stream order, each byte credited to its own frame")
	assert.Equal(t, []int{6}, got.FramesOf(0, 3995))
	assert.Equal(t, []int{5}, got.FramesOf(3995, 4000))
	assert.Equal(t, []int{4}, got.FramesOf(7995, 1010))
}

func TestRetransmissionKeepsFirstCopy(t *testing.T) {
	f := newFlow(5000, 100, 200)
	f.handshake()
	r := record(22, 500, 0x11)
	s1 := f.send(0, r[:300], "")
	f.out = append(f.out, f.segAt(0, s1.TCP.Seq, r[:300], "")) // retransmission, frame 5
	f.frame++                                                  // keep frames distinct
	f.send(0, r[300:], "")
	rec := run(t, f.out)
	require.Len(t, rec.records[1], 1)
	assert.Equal(t, []int{4, 7}, rec.records[1][0].Frames())
}

func TestGapResynchronises(t *testing.T) {
	f := newFlow(5000, 100, 200)
	f.handshake()
	f.send(1, record(22, 50, 1), "")
	lost := record(23, 700, 2)
	f.seq[1] += uint32(len(lost)) // never captured
	f.send(1, record(23, 30, 3), "")
	f.send(1, record(23, 40, 4), "")
	rec := run(t, f.out)
	require.Len(t, rec.records[1], 3)
	assert.Equal(t, 30, rec.records[1][1].Length)
	assert.Contains(t, rec.codes(1), CodeStreamGap)
	assert.Equal(t, 1, rec.done[0].Gaps[BtoA])
}

func TestMidstreamStartFindsRecordHeader(t *testing.T) {
	f := newFlow(5000, 100, 200)
	r1 := record(23, 600, 9)
	// The capture starts inside r1: only its last 100 bytes are seen.
	b := append([]byte{}, r1[len(r1)-100:]...)
	b = append(b, record(23, 20, 1)...)
	b = append(b, record(21, 2, 1)...)
	f.send(1, b, "")
	rec := run(t, f.out)
	require.Len(t, rec.records[1], 2)
	assert.Equal(t, uint8(21), rec.records[1][1].Type)
	assert.Contains(t, rec.codes(1), CodeStreamResync)
	assert.Equal(t, 0, rec.done[0].SYN.Frame)
}

func TestNotTLSCostsNothing(t *testing.T) {
	f := newFlow(5000, 100, 200)
	f.handshake()
	f.send(0, []byte("GET / HTTP/1.1\r\nHost: example.com\r\n\r\n"), "")
	f.send(1, []byte("HTTP/1.1 200 OK\r\n\r\n"), "")
	rec := run(t, f.out)
	require.Len(t, rec.done, 1)
	assert.False(t, rec.done[0].TLS)
	assert.Empty(t, rec.records)
}

func TestTupleReuseStartsNewConnection(t *testing.T) {
	f := newFlow(5000, 100, 200)
	f.handshake()
	f.send(0, record(22, 10, 1), "")
	// A new SYN on the same 4-tuple with a new ISN, no FIN before it.
	f.seq = [2]uint32{777777, 888888}
	f.handshake()
	f.send(0, record(22, 20, 2), "")
	rec := run(t, f.out)
	require.Len(t, rec.done, 2)
	assert.Equal(t, 1, rec.done[0].ID)
	assert.Equal(t, 2, rec.done[1].ID)
	assert.Equal(t, 10, rec.records[1][0].Length)
	assert.Equal(t, 20, rec.records[2][0].Length)
	assert.Equal(t, 5, rec.done[1].FirstFrame)
}

func TestIncompleteRecordAtEnd(t *testing.T) {
	f := newFlow(5000, 100, 200)
	f.handshake()
	r := record(22, 100, 1)
	f.send(0, r[:50], "")
	rec := run(t, f.out)
	assert.Empty(t, rec.records[1])
	assert.Equal(t, []Code{CodeStreamIncomplete}, rec.codes(1))
}

func TestOversizedRecordIsReported(t *testing.T) {
	f := newFlow(5000, 100, 200)
	f.handshake()
	f.send(0, record(22, 10, 1), "")
	f.send(0, []byte{22, 3, 3, 0xFF, 0xFF, 1, 2, 3}, "")
	rec := run(t, f.out)
	require.Len(t, rec.records[1], 1)
	assert.Contains(t, rec.codes(1), CodeRecordTooLarge)
}

func TestSSLv2ClientHelloRecord(t *testing.T) {
	f := newFlow(5000, 100, 200)
	f.handshake()
	// msg_length 0x802e: 46 bytes; CLIENT-HELLO, version 3.1, then specs.
	body := append([]byte{1, 3, 1, 0, 3, 0, 0, 0, 16}, bytes.Repeat([]byte{0}, 3)...)
	body = append(body, bytes.Repeat([]byte{7}, 16)...)
	hdr := []byte{0x80, byte(len(body))}
	f.send(0, append(hdr, body...), "")
	rec := run(t, f.out)
	require.Len(t, rec.records[1], 1)
	assert.True(t, rec.records[1][0].SSLv2)
	assert.Equal(t, uint16(0x0301), rec.records[1][0].Version)
}

func TestDoneInFirstPacketOrder(t *testing.T) {
	a := newFlow(5000, 1, 2)
	b := newFlow(5001, 3, 4)
	b.frame = 100
	var segs []capture.Segment
	a.handshake()
	b.handshake()
	a.send(0, record(22, 5, 1), "")
	b.send(0, record(22, 5, 1), "F")
	b.send(1, nil, "F")
	segs = append(segs, a.out[0], b.out[0], b.out[1], b.out[2], a.out[1], a.out[2], b.out[3], b.out[4], a.out[3])
	rec := run(t, segs)
	require.Len(t, rec.done, 2)
	assert.Equal(t, 1, rec.done[0].ID)
	assert.Equal(t, 5000, int(rec.done[0].A.Port))
}

func TestIdleConnectionIsFlushedByCaptureTime(t *testing.T) {
	f := newFlow(5000, 100, 200)
	f.handshake()
	f.send(0, record(22, 10, 1), "")
	// Another connection keeps the capture going well past the timeout.
	g := newFlow(6000, 1, 2)
	g.frame, g.t = 100, f.t.Add(DefaultOptions.FlowTimeout+10*time.Second)
	g.handshake()
	rec := newRecorder()
	tr := New(DefaultOptions, rec)
	for _, s := range append(f.out, g.out...) {
		tr.Add(&s)
	}
	require.Len(t, rec.done, 1, "the idle connection ended before the input did")
	assert.True(t, rec.done[0].Evicted)
	tr.Close()
	require.Len(t, rec.done, 2)
	assert.False(t, rec.done[1].Evicted)
}

// Without Ordered, the connections still open at Close come out in order
// of first packet (gopacket flushes them in map order), so that the
// workers' merger holds few of them.
func TestCloseUnorderedInFirstPacketOrder(t *testing.T) {
	var segs []capture.Segment
	var flows []*flow
	for i := range 200 {
		f := newFlow(uint16(10000+i), uint32(i)*7, uint32(i)*11)
		f.handshake()
		f.send(0, record(22, 40, 1), "")
		flows = append(flows, f)
	}
	// Interleaved, so that the first packets are in flow order.
	for k := range flows[0].out {
		for _, f := range flows {
			segs = append(segs, f.out[k])
		}
	}
	rec := newRecorder()
	o := DefaultOptions
	o.Ordered = false
	tr := New(o, rec)
	for i := range segs {
		tr.Add(&segs[i])
	}
	tr.Close()
	require.Len(t, rec.done, len(flows))
	for i, c := range rec.done {
		assert.Equal(t, i+1, c.ID, "delivery %d", i)
	}
}
