// Package reassembly puts TCP connections back together with gopacket's
// reassembly and cuts each direction into TLS records that know which
// frames carried their bytes.
package reassembly

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"net/netip"
	"slices"
	"time"
	"unsafe"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	gpr "github.com/gopacket/gopacket/reassembly"

	"github.com/padlock-tls/padlock/capture"
)

// Handler receives what the tracker finds. Calls for one connection come in
// stream order; Done is the last call for a connection.
type Handler interface {
	// Record is called for each TLS record as soon as it is complete.
	Record(c *Conn, r *Record)
	// Problem is called for each TCP or record-layer problem.
	Problem(c *Conn, p Problem)
	// Done is called once when the connection has ended. With
	// Options.Ordered, Done calls come in order of Conn.ID.
	Done(c *Conn)
}

// Opener may be implemented by a Handler that wants to hear of each
// connection as it is created, before any Record, Problem or Done for it.
// Creation happens only inside Add, for the segment being added (its frame
// is Conn.FirstFrame).
type Opener interface {
	Open(c *Conn)
}

// AppDataFilter may be implemented by a Handler that does not always need
// the bytes of application_data records (it has no keys to decrypt them).
// WantAppData is asked at the start of each such record after the first
// record of a direction; when it says no, the record is delivered with
// Record.Skipped set and no Body, and its bytes cost only a walk of the
// record headers: nothing is copied.
type AppDataFilter interface {
	WantAppData(c *Conn) bool
}

// Options bound the tracker. gopacket's own defaults are unlimited, which on
// hostile or lossy input means unbounded memory, so every cap is set.
type Options struct {
	// FlowTimeout closes a connection idle for this long (capture time).
	FlowTimeout time.Duration
	// GapWait is how long out-of-order data waits for a missing segment
	// before it is pushed through with a gap (capture time).
	GapWait time.Duration
	// MaxPagesPerConn caps out-of-order buffering per connection
	// (a page holds up to 1900 bytes).
	MaxPagesPerConn int
	// MaxPagesTotal caps out-of-order buffering over all connections.
	MaxPagesTotal int
	// Ordered makes Done calls come in order of first packet, as file
	// output needs for determinism. Live output leaves it off.
	Ordered bool
	// MaxFlows caps the connections followed at once (0: no cap). When
	// the table is full, connections idle for EmergencyIdle are closed;
	// if that frees nothing, segments of new connections are not
	// followed (counted in Stats.RefusedSegments) until a flow ends, so
	// a SYN flood costs bounded memory and the connections already
	// followed keep being reported in full.
	MaxFlows int
	// MaxHeld caps, with Ordered, the ended connections whose Done waits
	// for an earlier connection still open (0: no cap). One long-lived
	// connection at the start of a capture would otherwise hold back,
	// with all their state, the reports of every connection after it.
	// Past the cap the oldest open connection stops holding the others
	// back: its Done comes when it ends, out of order (counted in
	// Stats.Unordered). The output stays deterministic.
	MaxHeld int
	// ExternalFlush leaves the periodic flush (idle connections, data
	// waiting for a gap, tombstones) to the caller, who runs Flush when
	// FlushDue says so: several trackers fed shards of one capture then
	// share one clock, the capture's, and end connections at the same
	// moments as a single tracker would.
	ExternalFlush bool
}

// AfterRSTMessage is the message of CodeDataAfterRST; %d is the ID of the
// connection the RST ended (Conn.AfterRST).
const AfterRSTMessage = "connection %d was ended by a RST from this side, which then sent more data: the RST did not end the conversation (forged?); what follows is reported here"

// EmergencyIdle is how long a connection must have been idle (capture
// time) to be closed early when the flow table is full: far longer than a
// round trip, far shorter than FlowTimeout.
const EmergencyIdle = 10 * time.Second

// DefaultOptions are the caps used unless the caller says otherwise.
var DefaultOptions = Options{
	FlowTimeout:     2 * time.Minute,
	GapWait:         30 * time.Second,
	MaxPagesPerConn: 4096,  // ~7.6 MiB of out-of-order data per connection
	MaxPagesTotal:   65536, // ~120 MiB over all connections
	Ordered:         true,
	// Each followed connection costs about 2.5 KiB before it carries
	// data, so 65536 of them stay near 160 MiB.
	MaxFlows: 65536,
	// A held connection costs what its report holds, some 30 KiB for a
	// full handshake with certificates.
	MaxHeld: 4096,
}

// flushEvery is how often (capture time) idle and stalled flows are flushed.
const flushEvery = time.Second

// FlushDue reports whether the periodic flush is due at capture time now,
// given the time of the last one (updated when it is due; zero before the
// first segment). The tracker asks it after every segment it is given.
func FlushDue(last *time.Time, now time.Time) bool {
	if last.IsZero() {
		*last = now
	}
	if now.Sub(*last) >= flushEvery {
		*last = now
		return true
	}
	return false
}

// Flush runs the periodic flush at capture time now: it pushes data that
// waited GapWait for a missing segment through with a gap, ends the
// connections idle for FlowTimeout and lets expired tombstones go. Add
// runs it itself unless Options.ExternalFlush is set.
func (t *Tracker) Flush(now time.Time) {
	o := gpr.FlushOptions{T: now.Add(-t.opts.GapWait), TC: now.Add(-t.opts.FlowTimeout)}
	t.flush(o)
	t.expireTombstones(now.Add(-tombstoneTTL))
}

// Tracker follows every TCP connection of a capture. It is not safe for
// concurrent use.
type Tracker struct {
	opts      Options
	h         Handler
	pool      *gpr.StreamPool
	asm       *gpr.Assembler
	flows     map[tupleKey]*flowGen
	cur       *flowGen // the flow of the packet being assembled
	curSeg    *capture.Segment
	nextID    int
	nextEmit  int
	finished  map[int]*Conn
	lastFlush time.Time
	closing   bool    // end of input: connections end because the capture did
	closed    []*Conn // ended by Close, not Ordered: delivered by ID
	stats     Stats
	// lastEmergency is when a full flow table last forced a flush.
	lastEmergency time.Time
	refused       map[tupleKey]bool
	open          int // connections created and not yet finished
	// released are open connections that no longer hold back the
	// output (Options.MaxHeld); their Done comes when they end.
	released map[int]bool
	// spare is a segment context gopacket did not keep, reused by the
	// next segment so that in-order segments allocate nothing.
	spare     *segCtx
	appFilter AppDataFilter // h, when it says which application data it wants
	// held counts the streams gopacket holds (created, not yet let go);
	// seen counts them by the second they were last seen, and heldAt
	// the segments gopacket may hold back by theirs (flushwork.go).
	held       int
	seen       connsBySecond
	heldAt     secCounts
	flushes    int     // periodic flushes that did something
	walks      int     // and those that ran gopacket's flush
	walkAlways bool    // run gopacket's flush every time (tests compare the two)
	forcing    *Conn   // the connection forceClose is ending
	dueScratch []*Conn // closeIdle's
	secScratch []int64 // kthOldest's
	// peerRST and peerCtx are closePeer's made-up segment.
	peerRST *layers.TCP
	peerCtx *segCtx
	// freeHist are overlap histories of ended connections, reused.
	freeHist [][]byte
	lastSeen []time.Time // EvictOldest's scratch
	// Ended connections leave a tombstone on their 4-tuple for
	// tombstoneTTL, so that late packets (the last ACK, a retransmitted
	// FIN) are dropped instead of starting a connection, while gopacket
	// has already let go of the stream: graves, apart from the live
	// flows. A busy capture holds tens of thousands (one per connection
	// ended in tombstoneTTL), so a grave is small and holds no pointer
	// (the collector never looks into the map), what only RSTs need is in
	// graveRST, and the flush finds the expired ones by walking the map
	// (a queue in order of their end cost as much again).
	graves   map[tupleKey]grave
	graveRST map[tupleKey]*rstInfo
	now      time.Time // capture time of the latest segment
}

// tombstoneTTL is how long (capture time) an ended connection's 4-tuple
// drops late packets that are not a new SYN: the last ACK comes at once,
// and a FIN retransmitted three times (RTO 1, 2 and 4 s) within 7 s. A
// busy capture holds a tombstone per connection ended in this time.
const tombstoneTTL = 10 * time.Second

// Stats counts what the tracker saw.
type Stats struct {
	Segments    int
	Connections int
	TLS         int
	Records     int
	Gaps        int
	// RefusedFlows and RefusedSegments count what was not followed
	// because the flow table was full (Options.MaxFlows).
	RefusedFlows    int
	RefusedSegments int
	// LateSegments counts packets of connections that had already
	// ended (a last ACK, a retransmitted FIN), dropped.
	LateSegments int
	// Evicted counts connections ended by the idle timeout or a cap
	// rather than by FIN, RST or the end of the input.
	Evicted int
	// Unordered counts connections whose Done came out of order because
	// too many ended connections waited behind them (Options.MaxHeld).
	Unordered int
}

// tupleKey identifies a 4-tuple regardless of direction: the endpoint
// (address, port) that sorts lower comes first.
type tupleKey struct {
	lo, hi   [16]byte
	loP, hiP uint16
	alen     uint8 // address length: 4 or 16
}

// flowGen tracks reuse of one 4-tuple: a SYN with a new initial sequence
// number on a tuple in use starts a new connection (generation).
type flowGen struct {
	key    tupleKey
	conn   *Conn
	rst    *rstInfo // what a RST left on the tuple before this connection; nil if none
	gen    int
	synSeq uint32
	hasSYN bool
	buried bool // the connection ended and left its grave
}

// grave is the tombstone of a flow whose connection ended: what tells a late
// packet of it from a new connection on the tuple.
type grave struct {
	ended  int64 // capture time (Unix ns) of the connection's last packet
	gen    int
	synSeq uint32
	hasSYN bool
	// waitGP: after a RST gopacket still holds the open half; the grave
	// stays until gopacket lets go of it (ReassemblyComplete), so that a
	// new SYN on the tuple does not join the old stream.
	waitGP bool
}

// rstInfo is what a RST leaves on a flow.
type rstInfo struct {
	// afterRST is the connection whose RST this one outlived (see
	// dataAfterOwnRST), nil if none.
	afterRST *Conn
	// from and conn: a tombstone left by a RST keeps who sent it and the
	// connection it ended.
	from Endpoint
	conn *Conn
	// dropped counts the data dropped as late on a RST's tombstone (and,
	// on the connection that outlived the RST, what its tombstone had).
	dropped droppedData
}

// droppedData is payload dropped as packets of an ended connection.
type droppedData struct {
	segments    int
	bytes       int64
	first, last int // frames
}

func (d *droppedData) add(seg *capture.Segment) {
	if d.segments == 0 {
		d.first = seg.Frame
	}
	d.segments++
	d.bytes += int64(len(seg.TCP.Payload))
	d.last = seg.Frame
}

// dataAfterOwnRST reports whether seg carries data from the side that sent
// the RST which ended the connection a grave stands for (rst, its RST's
// record). The peer's data in flight after a RST is normal; the RST
// sender's own data is not: a stack that sent a RST has no connection left
// to send on.
func dataAfterOwnRST(rst *rstInfo, seg *capture.Segment) bool {
	if rst == nil || rst.conn == nil || len(seg.TCP.Payload) == 0 || seg.TCP.SYN || seg.TCP.RST {
		return false
	}
	src, _ := seg.Net.Endpoints()
	return uint16(seg.TCP.SrcPort) == rst.from.Port && addr(src.Raw()) == rst.from.IP
}

// New returns a tracker that reports to h.
func New(opts Options, h Handler) *Tracker {
	t := &Tracker{opts: opts, h: h, flows: map[tupleKey]*flowGen{}, graves: map[tupleKey]grave{}, graveRST: map[tupleKey]*rstInfo{}, finished: map[int]*Conn{}, nextEmit: 1}
	t.appFilter, _ = h.(AppDataFilter)
	t.pool = gpr.NewStreamPool(factory{t})
	t.asm = gpr.NewAssembler(t.pool)
	t.asm.MaxBufferedPagesPerConnection = opts.MaxPagesPerConn
	t.asm.MaxBufferedPagesTotal = opts.MaxPagesTotal
	return t
}

// Stats returns the counters so far.
func (t *Tracker) Stats() Stats { return t.stats }

// segCtx travels with each segment through gopacket's assembler. gopacket
// keeps it on every page cut from the segment and hands back its
// CaptureInfo for any offset of a delivery, which is how delivered bytes are
// credited to the frame that carried them, not to the packet being assembled.
type segCtx struct {
	ci    gopacket.CaptureInfo
	frame int
	seq   uint32 // sequence number of the first payload byte
	n     int    // payload length
	// anc is ci.AncillaryData's backing array; delivered says the
	// tracker got the payload, so gopacket keeps no page pointing here.
	anc       [1]any
	delivered bool
	// ahead: Accept let it through ahead of the next expected byte (or
	// before gopacket knew it), so gopacket holds it unless delivered;
	// held: the tracker counts it as held (hold), since sec.
	ahead, held bool
	sec         int64
	owner       *Conn
}

func (s *segCtx) GetCaptureInfo() gopacket.CaptureInfo { return s.ci }

// Add feeds one TCP segment, in capture order.
func (t *Tracker) Add(seg *capture.Segment) {
	t.add(seg)
	// Every segment moves the clock, a late or refused one too, so that
	// when the flush runs does not depend on which flows a tracker follows.
	if !t.opts.ExternalFlush && FlushDue(&t.lastFlush, seg.Time) {
		t.Flush(seg.Time)
	}
}

func (t *Tracker) add(seg *capture.Segment) {
	t.stats.Segments++
	t.now = seg.Time
	tcp := seg.TCP
	k := makeKey(seg.Net, uint16(tcp.SrcPort), uint16(tcp.DstPort))
	fg := t.flows[k]
	var g grave
	buried := false
	if fg == nil { // a live flow has no grave: one map lookup per packet
		g, buried = t.graves[k]
	}
	if buried {
		rst := t.graveRST[k]
		afterRST := dataAfterOwnRST(rst, seg)
		if !afterRST && (!tcp.SYN || tcp.ACK || (g.hasSYN && g.synSeq == tcp.Seq)) {
			t.stats.LateSegments++
			if rst != nil && rst.conn != nil && len(tcp.Payload) > 0 {
				// Kept count of: if the RST's sender comes back, the
				// RST was forged and these bytes were the conversation.
				rst.dropped.add(seg)
			}
			return
		}
		// A new connection on the tuple of one that ended.
		if !t.room(k, seg) {
			return
		}
		fg = &flowGen{key: k, gen: g.gen + 1, hasSYN: true, synSeq: tcp.Seq}
		if afterRST {
			// The side that sent the RST goes on sending: the RST did
			// not end the conversation (a forged RST that never reached
			// the peer, the classic way to blind an observer). Follow the
			// rest as a new connection that says why, not drop it.
			fg.hasSYN, fg.synSeq = false, 0
			fg.rst = &rstInfo{afterRST: rst.conn, dropped: rst.dropped}
		}
		t.flows[k] = fg
		t.unbury(k)
	}
	if fg == nil {
		if !t.room(k, seg) {
			return
		}
		fg = &flowGen{key: k}
		t.flows[k] = fg
	}
	if tcp.SYN && !tcp.ACK {
		switch {
		case !fg.hasSYN:
			fg.hasSYN, fg.synSeq = true, tcp.Seq
		case fg.synSeq != tcp.Seq:
			// A new connection on a tuple in use: give it a fresh key so
			// gopacket starts a new stream; the old one ends by idle flush.
			// The flow cap counts it, or a flood of SYNs on one tuple
			// would bypass the cap.
			if !t.room(k, seg) {
				return
			}
			fg = &flowGen{key: k, gen: fg.gen + 1, hasSYN: true, synSeq: tcp.Seq}
			t.flows[k] = fg
		}
	}
	netFlow := seg.Net
	if fg.gen > 0 {
		src, dst := seg.Net.Endpoints()
		netFlow = gopacket.NewFlow(gopacket.EndpointType(1<<20+fg.gen), src.Raw(), dst.Raw())
	}
	ctx := t.spare
	t.spare = nil
	if ctx == nil {
		ctx = new(segCtx)
	}
	*ctx = segCtx{frame: seg.Frame, seq: tcp.Seq, n: len(tcp.Payload)}
	ctx.anc[0] = ctx
	ctx.ci = gopacket.CaptureInfo{Timestamp: seg.Time, CaptureLength: seg.Length, Length: seg.Length, AncillaryData: ctx.anc[:]}
	t.cur, t.curSeg = fg, seg
	t.asm.AssembleWithContext(netFlow, tcp, ctx)
	t.cur, t.curSeg = nil, nil
	if ctx.n == 0 || ctx.delivered {
		// gopacket keeps a context only on pages of data it holds back.
		t.spare = ctx
	} else if ctx.ahead {
		t.hold(ctx.owner, ctx)
	}
	if c := fg.conn; c != nil && c.reset && !c.done {
		t.finish(c)
		t.closePeer(netFlow, tcp, seg.Time)
	}
}

// closePeer lets gopacket forget a connection a RST ended. gopacket closes
// only the half that sent the RST and holds the other until the idle
// timeout: minutes of a connection's memory for every RST, which on a busy
// link adds up to most of the heap. A RST from the other side at its next
// sequence number, made up here and seen by no one but gopacket (the
// connection has ended: Accept lets only this one through), closes that
// half too. The tombstone bury left then stays for tombstoneTTL, like any
// other, rather than until gopacket lets go (ReassemblyComplete).
func (t *Tracker) closePeer(netFlow gopacket.Flow, tcp *layers.TCP, now time.Time) {
	t.madeUpRST(netFlow.Reverse(), uint16(tcp.DstPort), uint16(tcp.SrcPort), now)
}

// madeUpRST hands gopacket a RST from src to dst on net that no one sent,
// to close a half of a connection that has ended (Accept lets it through
// at the half's next sequence number).
func (t *Tracker) madeUpRST(net gopacket.Flow, src, dst uint16, now time.Time) {
	var hdr [20]byte
	binary.BigEndian.PutUint16(hdr[0:], src)
	binary.BigEndian.PutUint16(hdr[2:], dst)
	hdr[12] = 5 << 4 // data offset: 5 words
	hdr[13] = 1 << 2 // RST
	if t.peerRST == nil {
		t.peerRST, t.peerCtx = new(layers.TCP), new(segCtx)
	}
	if t.peerRST.DecodeFromBytes(hdr[:], gopacket.NilDecodeFeedback) != nil {
		return
	}
	*t.peerCtx = segCtx{}
	t.peerCtx.anc[0] = t.peerCtx
	t.peerCtx.ci = gopacket.CaptureInfo{Timestamp: now, AncillaryData: t.peerCtx.anc[:]}
	t.asm.AssembleWithContext(net, t.peerRST, t.peerCtx)
}

// bury leaves a grave for c's 4-tuple (see Tracker.graves), unless a newer
// connection has the tuple.
func (t *Tracker) bury(c *Conn, waitGP bool) {
	fg := c.gen
	if fg == nil || fg.buried || t.flows[fg.key] != fg {
		return
	}
	fg.buried = true
	fg.conn = nil // the flow table holds no ended connection
	delete(t.flows, fg.key)
	g := grave{ended: endedAt(c), gen: fg.gen, synSeq: fg.synSeq, hasSYN: fg.hasSYN, waitGP: waitGP}
	t.graves[fg.key] = g
	delete(t.graveRST, fg.key)
	if c.reset {
		// Who sent the RST, to tell a forged one later (dataAfterOwnRST).
		from := c.B
		if c.RST[AtoB] != 0 {
			from = c.A
		}
		t.graveRST[fg.key] = &rstInfo{from: from, conn: c}
	}
}

// endedAt is c's grave's time.
func endedAt(c *Conn) int64 {
	if c.End.IsZero() {
		return c.Start.UnixNano()
	}
	return c.End.UnixNano()
}

// unbury removes the grave on tuple k, if any.
func (t *Tracker) unbury(k tupleKey) {
	delete(t.graves, k)
	delete(t.graveRST, k)
}

// expireTombstones drops the graves of connections ended before t0, but
// those that wait for gopacket (grave.waitGP).
func (t *Tracker) expireTombstones(t0 time.Time) {
	cut := t0.UnixNano()
	for k, g := range t.graves {
		if g.ended < cut && !g.waitGP {
			t.unbury(k)
		}
	}
}

// liveFlows is the number of connections followed now: created and not
// yet finished. The flow table alone undercounts them, since a tuple
// reused with a new SYN keeps only its newest connection there.
func (t *Tracker) liveFlows() int { return t.open }

// room reports whether a new connection may be followed, making room in a
// full table by closing connections idle for EmergencyIdle (at most once
// per flushEvery of capture time, since a flush walks every connection).
func (t *Tracker) room(k tupleKey, seg *capture.Segment) bool {
	if t.opts.MaxFlows <= 0 || t.liveFlows() < t.opts.MaxFlows {
		return true
	}
	if t.lastEmergency.IsZero() || seg.Time.Sub(t.lastEmergency) >= flushEvery {
		t.lastEmergency = seg.Time
		t.endBefore(seg.Time.Add(-EmergencyIdle))
		if t.liveFlows() < t.opts.MaxFlows {
			return true
		}
	}
	t.stats.RefusedSegments++
	if t.refused == nil {
		t.refused = map[tupleKey]bool{}
	}
	if !t.refused[k] && len(t.refused) < t.opts.MaxFlows {
		// Distinct refused flows, counted up to MaxFlows so the count
		// itself stays bounded.
		t.refused[k] = true
		t.stats.RefusedFlows++
	}
	return false
}

// Close ends every open connection (end of input) and delivers the rest.
// Without Ordered too, the connections it ends are delivered in order of
// first packet (gopacket ends them in no order), so that a caller that
// writes them in that order need not hold them all.
func (t *Tracker) Close() {
	t.closing = true
	t.asm.FlushAll()
	if !t.opts.Ordered {
		slices.SortFunc(t.closed, func(a, b *Conn) int { return a.ID - b.ID })
		for i, c := range t.closed {
			t.closed[i] = nil
			t.h.Done(c)
		}
		t.closed = nil
	}
	// Connections gopacket never completed (none expected) still end here.
	for t.nextEmit < t.nextID+1 {
		c, ok := t.finished[t.nextEmit]
		if !ok {
			if t.released[t.nextEmit] {
				t.nextEmit++ // ended out of order already
				continue
			}
			break
		}
		delete(t.finished, t.nextEmit)
		t.nextEmit++
		t.h.Done(c)
	}
}

// makeKey is the tuple's key, the same both ways: the lower address
// (then port) first.
func makeKey(net gopacket.Flow, pa, pb uint16) tupleKey {
	src, dst := net.Endpoints()
	a, b := src.Raw(), dst.Raw()
	if c := bytes.Compare(a, b); c > 0 || (c == 0 && pa > pb) {
		a, b, pa, pb = b, a, pb, pa
	}
	k := tupleKey{loP: pa, hiP: pb, alen: uint8(len(a))}
	copy(k.lo[:], a)
	copy(k.hi[:], b)
	return k
}

// finish records that c has ended and delivers every connection whose turn
// has come.
func (t *Tracker) finish(c *Conn) {
	if c.done {
		return
	}
	c.done = true
	t.open--
	// Ended by the idle timeout: no FIN or RST both ways before the input ended.
	c.Evicted = !t.closing && c.RST == [2]int{} && (c.FIN[0] == 0 || c.FIN[1] == 0)
	if c.Evicted {
		t.stats.Evicted++
	}
	for _, sd := range c.sides {
		if sd == nil {
			continue
		}
		sd.cut.end()
		// A connection that began a TLS record but never completed one
		// (every packet cut by a small snap length, a lone ClientHello
		// header) is still reported, with its errors: nothing that tried
		// to speak TLS is dropped silently.
		if sd.cut.synced {
			c.TLS = true
		}
	}
	// After a RST, gopacket still holds the open half: the tombstone
	// stays until gopacket lets go of it (see ReassemblyComplete), so
	// that a new SYN starts a new stream rather than joining the old one.
	t.bury(c, c.reset)
	c.AfterRST = nil // a chain of forged RSTs must not keep every connection
	// Nothing more comes for c: let its buffers go while it waits for its
	// turn in the output.
	c.queued = [2]*queuedCopies{}
	for d, sd := range c.sides {
		if sd != nil {
			sd.hist.release(&t.freeHist)
			sd.cut.buf, sd.cut.spans, sd.cut.skip = nil, nil, nil
			c.sides[d] = nil
		}
	}
	if c.TLS {
		t.stats.TLS++
	}
	if !t.opts.Ordered {
		if t.closing {
			t.closed = append(t.closed, c) // Close delivers them in order
			return
		}
		t.h.Done(c)
		return
	}
	if t.released[c.ID] {
		// It stopped holding the others back (MaxHeld): its turn is past.
		delete(t.released, c.ID)
		t.h.Done(c)
		return
	}
	t.finished[c.ID] = c
	for {
		next, ok := t.finished[t.nextEmit]
		if !ok {
			if t.opts.MaxHeld <= 0 || len(t.finished) <= t.opts.MaxHeld || t.nextEmit > t.nextID {
				return
			}
			// Connection nextEmit is still open and holds back too many.
			if t.released == nil {
				t.released = map[int]bool{}
			}
			t.released[t.nextEmit] = true
			t.stats.Unordered++
			t.nextEmit++
			continue
		}
		delete(t.finished, t.nextEmit)
		t.nextEmit++
		t.h.Done(next)
	}
}

// factory creates a Conn for each new gopacket stream.
type factory struct{ t *Tracker }

func (f factory) New(netFlow, tcpFlow gopacket.Flow, tcp *layers.TCP, ac gpr.AssemblerContext) gpr.Stream {
	t := f.t
	if t.forcing != nil {
		return nil // forceClose's RST for a connection gopacket let go of: no new one
	}
	t.nextID++
	t.open++
	t.held++
	t.stats.Connections++
	seg := t.curSeg
	c := &Conn{ID: t.nextID, gen: t.cur, t: t}
	if seg != nil {
		src, dst := seg.Net.Endpoints()
		c.A = Endpoint{IP: addr(src.Raw()), Port: uint16(tcp.SrcPort)}
		c.B = Endpoint{IP: addr(dst.Raw()), Port: uint16(tcp.DstPort)}
		c.FirstFrame, c.Start = seg.Frame, seg.Time
	}
	if t.cur != nil {
		t.cur.conn = c
	}
	if o, ok := t.h.(Opener); ok {
		o.Open(c)
	}
	if fg := t.cur; fg != nil && fg.rst != nil && fg.rst.afterRST != nil && seg != nil {
		c.AfterRST = fg.rst.afterRST
		c.cutProblem(AtoB, Problem{Code: CodeDataAfterRST, Dir: AtoB, Frame: seg.Frame,
			Msg: fmt.Sprintf(AfterRSTMessage, fg.rst.afterRST.ID)})
		if d := fg.rst.dropped; d.segments > 0 {
			c.cutProblem(BtoA, Problem{Code: CodeDroppedAfterRST, Dir: BtoA, Frame: d.first,
				Msg: fmt.Sprintf("%d bytes in %d segments this side sent after the RST (frames %d to %d) were dropped as packets of the ended connection: if the RST was forged, they were part of this conversation",
					d.bytes, d.segments, d.first, d.last)})
		}
	}
	return (*stream)(c)
}

func addr(b []byte) netip.Addr {
	a, _ := netip.AddrFromSlice(b)
	return a
}

// A connection is its cutters' sink.

func (c *Conn) cutRecord(d Dir, r *Record) {
	c.Records[d]++
	c.TLS = true
	c.t.stats.Records++
	c.t.h.Record(c, r)
}

func (c *Conn) cutProblem(d Dir, p Problem) {
	if p.Code == CodeStreamGap {
		c.Gaps[d]++
		c.t.stats.Gaps++
	}
	c.t.h.Problem(c, p)
}

func (c *Conn) skipAppData() bool { return !c.t.appFilter.WantAppData(c) }

// stream is gopacket's view of a Conn (its Stream methods, kept out of
// Conn's API): the same memory, so no second allocation per connection.
type stream Conn

// dirOf maps a packet to A->B or B->A by its source endpoint.
func (s *stream) dirOf(tcp *layers.TCP) Dir {
	if uint16(tcp.SrcPort) == s.A.Port && s.t.curSeg != nil {
		src, _ := s.t.curSeg.Net.Endpoints()
		if addr(src.Raw()) == s.A.IP {
			return AtoB
		}
	}
	return BtoA
}

func (s *stream) Accept(tcp *layers.TCP, ci gopacket.CaptureInfo, _ gpr.TCPFlowDirection, nextSeq gpr.Sequence, start *bool, ac gpr.AssemblerContext) bool {
	c := (*Conn)(s)
	s.t.seenAt(c, ci.Timestamp)
	if c.done {
		if ac == gpr.AssemblerContext(s.t.peerCtx) && (c.reset || c == s.t.forcing) {
			// A made-up RST (closePeer's, or forceClose's for an idle
			// connection): at the half's next sequence number, or where
			// it starts when the peer never sent anything.
			if nextSeq != -1 {
				tcp.Seq = uint32(nextSeq)
			}
			*start = true
			return true
		}
		return false
	}
	d := s.dirOf(tcp)
	frame := 0
	if sc, ok := ac.(*segCtx); ok {
		frame = sc.frame
	}
	c.Packets[d]++
	c.Payload[d] += int64(len(tcp.Payload))
	if frame > c.LastFrame {
		c.LastFrame = frame
	}
	if ci.Timestamp.After(c.End) {
		c.End = ci.Timestamp
	}
	switch {
	case tcp.SYN && !tcp.ACK:
		if c.SYN.Frame == 0 {
			c.SYN, c.SYNDir = Handshake{frame, ci.Timestamp}, d
		}
		c.sawSYN[d] = true
	case tcp.SYN && tcp.ACK:
		if c.SYNACK.Frame == 0 {
			c.SYNACK = Handshake{frame, ci.Timestamp}
		}
		c.sawSYN[d] = true
	case tcp.ACK && c.SYNACK.Frame != 0 && c.ACK.Frame == 0 && c.SYN.Frame != 0 && d == c.SYNDir:
		c.ACK = Handshake{frame, ci.Timestamp}
	}
	if tcp.FIN && c.FIN[d] == 0 {
		c.FIN[d] = frame
	}
	if tcp.RST && nextSeq != -1 && gpr.Sequence(tcp.Seq) != nextSeq {
		// gopacket drops a RST that is not at the next expected sequence
		// number, as receivers do (RFC 5961): it ends nothing. Say so,
		// since an injected RST is a classic way to blind an observer.
		c.cutProblem(d, Problem{Code: CodeRSTOutOfWindow, Dir: d, Frame: frame, Offset: c.endOff[d],
			Msg: fmt.Sprintf("RST with sequence number %d where %d was expected: ignored, as the receiver ignores it", tcp.Seq, uint32(nextSeq))})
	} else if tcp.RST && c.RST[d] == 0 {
		c.RST[d] = frame
	}
	if seg := s.t.curSeg; seg != nil && seg.Truncated && len(tcp.Payload) > 0 && !c.truncSeen[d] {
		c.truncSeen[d] = true
		c.cutProblem(d, Problem{Code: CodeSegmentTruncated, Dir: d, Frame: frame, Offset: c.endOff[d],
			Msg: fmt.Sprintf("frame %d was cut by the capture's snap length: %d bytes of its TCP payload captured; the rest is a gap (later cut frames are not listed)", frame, len(tcp.Payload))})
	}
	s.checkOverlap(d, tcp.Seq, tcp.Payload, frame)
	s.checkQueued(d, tcp.Seq, tcp.Payload, frame)
	// Captures often start mid-connection: without a SYN, start the stream
	// at the first segment seen (the cutter then looks for a record header).
	if nextSeq == -1 && !tcp.SYN {
		*start = true
	}
	if sc, ok := ac.(*segCtx); ok && len(tcp.Payload) > 0 && (nextSeq == -1 || nextSeq.Difference(gpr.Sequence(tcp.Seq)) > 0) {
		// Ahead of the stream by gopacket's reckoning (its Difference,
		// which does not wrap where int32 does), or where gopacket may
		// not know it yet: gopacket holds it back unless it delivers it
		// now.
		sc.ahead, sc.owner = true, c
	}
	return true
}

func (s *stream) ReassembledSG(sg gpr.ScatterGather, ac gpr.AssemblerContext) {
	c := (*Conn)(s)
	if c.done {
		return
	}
	gdir, _, end, skip := sg.Info()
	if end && s.t.curSeg != nil && s.t.curSeg.TCP.RST && s.t.cur != nil && s.t.cur.conn == c {
		// An accepted RST aborts both directions (RFC 793, Section 3.4):
		// the connection ends now, not at the idle timeout, so that it
		// and every connection after it are reported (and freed) at once.
		c.reset = true
	}
	avail, _ := sg.Lengths()
	st := sg.Stats()
	if avail == 0 {
		return
	}
	first, ok := ctxAt(sg, 0)
	if !ok {
		return
	}
	// gopacket's direction is relative to its own first packet; ours is
	// relative to A. Work it out from the segment's sequence space.
	d := s.dirFromCtx(gdir, first)
	sd := c.sides[d]
	if sd == nil {
		sd = &side{}
		sd.cut.init(d, c, s.t.appFilter != nil)
		c.sides[d] = sd
	}
	cut, hist := &sd.cut, &sd.hist
	c.Overlap[d] += int64(st.OverlapBytes)
	if !c.havePos[d] {
		c.havePos[d] = true
		c.nextSeq[d] = first.seq
		cut.start(c.sawSYN[d])
		// After a SYN gopacket knows where the stream begins: bytes
		// missing before the first delivery are a gap like any other
		// (without this the direction was silently taken for not TLS).
		if skip != 0 {
			cut.gap(skip, first.frame)
			c.endOff[d] += int64(max(skip, 0))
		}
	} else if skip > 0 {
		cut.gap(skip, first.frame)
		c.nextSeq[d] += uint32(skip)
		c.endOff[d] += int64(skip)
		hist.reset()
	} else if skip < 0 {
		cut.gap(-1, first.frame)
		c.nextSeq[d] = first.seq
		hist.reset()
	}
	// The first chunk must hold the next expected byte; if our count and
	// gopacket's disagree, trust the segment.
	if c.nextSeq[d]-first.seq >= uint32(max(first.n, 1)) {
		c.nextSeq[d] = first.seq
		hist.reset()
	}
	data := sg.Fetch(avail)
	stable := s.t.curSeg != nil && s.t.curSeg.Stable && aliases(data, s.t.curSeg.TCP.Payload)
	hist.add(data, stable, &s.t.freeHist)
	c.endOff[d] += int64(avail)
	for off, sc := 0, first; off < avail; {
		if off > 0 {
			sc, ok = ctxAt(sg, off)
		}
		n := avail - off
		if ok {
			pos := c.nextSeq[d] + uint32(off)
			if rest := int(int32(sc.seq + uint32(sc.n) - pos)); rest > 0 && rest < n {
				n = rest
			}
		}
		sc.delivered = true
		s.t.delivered(sc)
		cut.push(data[off:off+n], sc.frame, sc.ci.Timestamp, stable)
		off += n
	}
	c.nextSeq[d] += uint32(avail)
}

// aliases reports whether sub lies inside b's bytes.
func aliases(sub, b []byte) bool {
	if len(sub) == 0 || len(b) == 0 {
		return false
	}
	lo := uintptr(unsafe.Pointer(unsafe.SliceData(b)))
	at := uintptr(unsafe.Pointer(unsafe.SliceData(sub)))
	return at >= lo && at+uintptr(len(sub)) <= lo+uintptr(len(b))
}

// dirFromCtx decides the direction of a delivery. gopacket's
// TCPFlowDirection is relative to the first packet it saw for the
// connection, which is the packet that created the Conn, so it matches A.
func (s *stream) dirFromCtx(gdir gpr.TCPFlowDirection, _ *segCtx) Dir {
	if gdir == gpr.TCPDirClientToServer {
		return AtoB
	}
	return BtoA
}

// ctxAt returns our context for the chunk holding delivery offset off.
func ctxAt(sg gpr.ScatterGather, off int) (*segCtx, bool) {
	ci := sg.CaptureInfo(off)
	if len(ci.AncillaryData) == 0 {
		return &segCtx{ci: ci}, false
	}
	sc, ok := ci.AncillaryData[0].(*segCtx)
	if !ok {
		return &segCtx{ci: ci}, false
	}
	return sc, true
}

func (s *stream) ReassemblyComplete(ac gpr.AssemblerContext) bool {
	c := (*Conn)(s)
	s.t.finish(c)
	s.t.forget(c)
	s.t.held--
	// gopacket forgets the stream now, so a grave that waited for it
	// (bury, after a RST) goes the way of any other: now if its time is
	// up (expireTombstones left it), when it is if not (closePeer ended
	// the stream at once). The grave keeps late packets of the
	// connection away from a new one.
	if fg := c.gen; c.reset && fg != nil && fg.buried {
		if g, ok := s.t.graves[fg.key]; ok && g.ended == endedAt(c) && g.waitGP {
			g.waitGP = false
			s.t.graves[fg.key] = g
			if g.ended < s.t.now.Add(-tombstoneTTL).UnixNano() {
				s.t.unbury(fg.key)
			}
		}
	}
	return true
}

// EvictIdle ends, as the idle timeout would, every connection that has been
// idle (capture time) for at least idle, and returns how many it ended. It
// is how a caller sheds flows when memory runs short (padlock's
// --max-memory): the connections that saw no packet for longest go first,
// and each is reported with Conn.Evicted.
func (t *Tracker) EvictIdle(idle time.Duration) int {
	if t.now.IsZero() {
		return 0
	}
	cut := t.now.Add(-idle)
	before := t.stats.Evicted
	t.endBefore(cut)
	// Under memory pressure the tombstones of connections that ended as
	// long ago go too: evicting idle flows would otherwise only turn
	// them into tombstones for tombstoneTTL.
	t.expireTombstones(cut)
	return t.stats.Evicted - before
}

// EvictOldest ends, as the idle timeout would, about the fraction frac of
// the open connections that saw no packet for longest, and returns how
// many it ended. Unlike EvictIdle it sheds flows however dense the
// capture is: when thousands of connections open every second, even
// those idle for a second can be more than memory allows.
func (t *Tracker) EvictOldest(frac float64) int {
	if t.now.IsZero() || frac <= 0 {
		return 0
	}
	n := 0
	for _, fg := range t.flows {
		if c := fg.conn; c != nil && !c.done {
			n++
		}
	}
	if n == 0 {
		return 0
	}
	k := min(max(int(float64(n)*frac), 1), n)
	// gopacket flushes what was last seen before the cut: the k oldest
	// (and any seen at the same instant as the k-th).
	cut := t.kthOldest(k).Add(time.Nanosecond)
	before := t.stats.Evicted
	t.endBefore(cut)
	t.expireTombstones(cut)
	return t.stats.Evicted - before
}
