package report

import (
	"fmt"
	"net/netip"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/padlock-tls/padlock/decrypt"
	"github.com/padlock-tls/padlock/dissect"
	"github.com/padlock-tls/padlock/reassembly"
)

// Sink receives finished connection reports in the order the tracker
// delivers them.
type Sink func(*Connection) error

// Builder is the reassembly.Handler that dissects each connection's
// records and turns the result into a Connection report. It serves one
// tracker, on that tracker's goroutine (its free lists and caches have no
// lock).
type Builder struct {
	sink Sink
	err  error
	// Recover turns a panic while building one connection into an
	// internal_error entry; tests and fuzzing leave it off so bugs surface.
	Recover bool
	// JA4Plus computes JA4S and JA4X, which FoxIO licenses under the FoxIO
	// License 1.1 (--ja4plus); JA4 itself is BSD-3 and always on.
	JA4Plus bool
	// Trust checks server certificate chains for the verdict; nil uses
	// the system's roots.
	Trust *Trust
	certs *certCache // shared by builders in parallel (ShareCertificates)
	exts  extCache   // this builder's

	// Buffers of reports written and of states built, for the next
	// connections (Recycle, reuse).
	free struct {
		records    freeList[[]Record]
		handshakes freeList[[]Handshake]
		conns      freeList[*Connection]
		last       freeList[[]int]
		meta       freeList[[]recMeta]
		msgs       freeList[[]*dissect.HandshakeMsg]
	}
	ips ipTexts

	// MaxMessage caps one handshake message and MaxCertificates the
	// certificates parsed per chain (0: dissect's defaults).
	MaxMessage, MaxCertificates int

	// Keys, when set, decrypts connections whose client random it knows
	// (--keylog, SSLKEYLOGFILE, pcapng Decryption Secrets Blocks).
	Keys decrypt.Keys
}

// NewBuilder returns a Builder that hands each report to sink.
func NewBuilder(sink Sink) *Builder { return &Builder{sink: sink, certs: &certCache{}} }

// ShareCertificates makes b use o's cache of parsed and encoded
// certificates (it is safe for concurrent use), so that builders running
// in parallel parse and encode each distinct certificate once.
func (b *Builder) ShareCertificates(o *Builder) { b.certs = o.certs }

// Recycle hands back the buffers of a report the sink is done with (it
// was written, and nothing refers to it any more), for the next
// connections: a busy capture builds thousands of reports a second.
func (b *Builder) Recycle(c *Connection) {
	putSlice(&b.free.records, c.Records, 8, 256)
	putSlice(&b.free.handshakes, c.Handshake, 1, 64)
	*c = Connection{}
	b.free.conns.put(c)
}

// newConnection is a report to fill, recycled when one is free.
func (b *Builder) newConnection() *Connection {
	if c, ok := b.free.conns.get(); ok {
		return c
	}
	return new(Connection)
}

// handshakes is an empty list for n handshake messages, recycled when one
// is free.
func (b *Builder) handshakes(n int) []Handshake {
	if h, ok := b.free.handshakes.get(); ok && cap(h) >= n {
		return h
	}
	return make([]Handshake, 0, n)
}

// freeList is a bounded stack of things kept for reuse.
type freeList[T any] []T

// maxFree bounds each free list. One tracker releases ended connections
// in bursts (ordered output): 64 overflowed and then ran dry.
const maxFree = 256

func (l *freeList[T]) put(v T) {
	if len(*l) < maxFree {
		*l = append(*l, v)
	}
}

func (l *freeList[T]) get() (v T, ok bool) {
	n := len(*l)
	if n == 0 {
		return v, false
	}
	v = (*l)[n-1]
	var zero T
	(*l)[n-1], *l = zero, (*l)[:n-1]
	return v, true
}

// putSlice keeps s, emptied and cleared, if its capacity is worth keeping.
func putSlice[E any](l *freeList[[]E], s []E, minCap, maxCap int) {
	if cap(s) < minCap || cap(s) > maxCap {
		return
	}
	s = s[:cap(s)]
	clear(s)
	l.put(s[:0])
}

// Err returns the first error the sink returned.
func (b *Builder) Err() error { return b.err }

// maxListedRecords caps the other records listed per connection, and the
// records and frames listed per handshake message.
const maxListedRecords = 4096

// maxListedAppData caps the application_data records listed per direction
// in "records"; all of them are counted. A bulk transfer has thousands.
const maxListedAppData = 16

// connState is what the builder keeps per connection until it ends.
type connState struct {
	sess *dissect.Session
	// Records are numbered in arrival order; records holds the listed
	// ones, recMeta what the report needs of each of them, and recLast
	// the frame that completed every record, listed or not (to number
	// them in wire order, see renumber): a long transfer costs one int
	// per record, not a Record.
	records  []Record
	recMeta  []recMeta
	recLast  []int
	msgs     []*dissect.HandshakeMsg
	alerts   []dissect.Alert
	beats    []dissect.HeartbeatRecord
	errs     []pendingError
	appRecs  [2]int
	appBytes [2]int64
	dec      decryptState
	firstApp int // number of the first application_data record (0: none)
	listed   int // records listed other than application_data
	// recordsCapped: some records were counted but not listed.
	recordsCapped bool
	ccs           [2]int    // record number of the first CCS per side
	encRecs       [2][]int  // record numbers of encrypted records per side (capped at 8)
	encFirst      [2][4]int // where encRecs start: most sides have no more
	panicked      string
	prints        []helloPrint // fingerprints of the ClientHellos, computed once
	exts          *extCache    // the builder's
	frameSlab     []int        // where listed records' frame lists are cut from (frames)
}

// recMeta is what the builder keeps of a listed record besides it.
type recMeta struct {
	side dissect.Side
	at   time.Time // capture time of the packet that completed it
}

// record returns the listed record numbered n in arrival order, or nil.
func (s *connState) record(n int) *Record {
	i := sort.Search(len(s.records), func(i int) bool { return s.records[i].Number >= n })
	if i < len(s.records) && s.records[i].Number == n {
		return &s.records[i]
	}
	return nil
}

// recordTime is the capture time of the packet that completed the listed
// record numbered n.
func (s *connState) recordTime(n int) (time.Time, bool) {
	i := sort.Search(len(s.records), func(i int) bool { return s.records[i].Number >= n })
	if i < len(s.records) && s.records[i].Number == n {
		return s.recMeta[i].at, true
	}
	return time.Time{}, false
}

// pendingError is an error whose "from" is known only once roles are.
type pendingError struct {
	e    Error
	side dissect.Side
	has  bool
}

func (b *Builder) state(c *reassembly.Conn) *connState {
	if s, ok := c.State.(*connState); ok {
		return s
	}
	s := &connState{sess: dissect.NewSession(), exts: &b.exts}
	s.records, _ = b.free.records.get()
	s.recLast, _ = b.free.last.get()
	s.recMeta, _ = b.free.meta.get()
	s.msgs, _ = b.free.msgs.get()
	s.sess.ParseCertificate = b.certs.parse
	s.sess.MaxCertificates = b.MaxCertificates
	s.sess.SetMaxMessage(b.MaxMessage)
	c.State = s
	return s
}

// Record implements reassembly.Handler.
func (b *Builder) Record(c *reassembly.Conn, r *reassembly.Record) {
	s := b.state(c)
	if s.panicked != "" {
		return
	}
	if b.Recover {
		defer func() {
			if p := recover(); p != nil {
				s.panicked = fmt.Sprint(p)
				s.errs = append(s.errs, pendingError{e: Error{Code: "internal_error", Where: "record", Frame: r.LastFrame(),
					Message: fmt.Sprintf("padlock bug while dissecting this record: %v", p)}})
			}
		}()
	}
	side := dissect.Side(r.Dir)
	num := len(s.recLast) + 1
	s.recLast = append(s.recLast, r.LastFrame())
	in := dissect.RecordIn{
		Side: side, Type: dissect.ContentType(r.Type), Version: dissect.Version(r.Version),
		Header: r.Header, Body: r.Body, Number: num, SSLv2: r.SSLv2,
		Frames: r,
	}
	if typ, plain, ok := b.open(s, r); ok {
		in.Type, in.Body, in.Decrypted, in.Frames = dissect.ContentType(typ), plain, true, clampFrames(r)
	}
	res := s.sess.Record(in)
	rec := Record{
		Number: num, Type: dissect.ContentType(r.Type).String(), TypeCode: int(r.Type),
		Version: dissect.Version(r.Version).String(), VersionCode: int(r.Version),
		Length: r.Length, Encrypted: res.Encrypted, SSLv2: r.SSLv2,
		Decrypted: res.Decrypted,
	}
	if res.Decrypted && in.Type != dissect.ContentType(r.Type) {
		rec.InnerType, rec.InnerTypeCode = in.Type.String(), int(in.Type)
	}
	if r.SSLv2 {
		rec.Version = "SSL 2.0"
		rec.VersionCode = int(dissect.VersionSSL20)
	}
	if res.CCS && s.ccs[side] == 0 {
		s.ccs[side] = num
	}
	if res.Encrypted && len(s.encRecs[side]) < 8 {
		if s.encRecs[side] == nil {
			s.encRecs[side] = s.encFirst[side][:0]
		}
		s.encRecs[side] = append(s.encRecs[side], num)
	}
	if in.Type == dissect.ContentTypeApplicationData {
		if s.firstApp == 0 {
			s.firstApp = num
		}
		s.appRecs[side]++
		s.appBytes[side] += int64(r.Length)
		if s.appRecs[side] > maxListedAppData {
			return // counted but not listed
		}
	}
	if s.listed >= maxListedRecords {
		// Counted, its messages and alerts dissected, but not listed: a
		// message cut into one-byte records must not grow the report
		// without bound.
		s.recordsCapped = true
		rec.Frames = r.Frames()
	} else {
		rec.Frames = s.frames(r)
		s.listed++
		s.records = append(s.records, rec)
		s.recMeta = append(s.recMeta, recMeta{side: side, at: r.End()})
	}
	s.msgs = append(s.msgs, res.Messages...)
	s.renegotiated(res)
	s.alerts = append(s.alerts, res.Alerts...)
	s.beats = append(s.beats, res.Heartbeats...)
	for _, e := range res.Errors {
		s.errs = append(s.errs, pendingError{e: dissectError(e, "record", rec.Frames, num), side: side, has: true})
	}
	for _, m := range res.Messages {
		for _, e := range m.Errors {
			s.errs = append(s.errs, pendingError{e: dissectError(e, whereOf(e.Code), m.Frames, num), side: side, has: true})
		}
	}
}

// messageName is the short name of a handshake message used in records.
func messageName(m *dissect.HandshakeMsg) string {
	if m.Encrypted && !m.Decrypted {
		return "encrypted_handshake_message"
	}
	if m.ServerHello != nil && m.ServerHello.HelloRetry {
		return "hello_retry_request"
	}
	return m.Type.String()
}

func whereOf(code dissect.Code) string {
	c := string(code)
	if strings.HasPrefix(c, "extension") || strings.HasPrefix(c, "sni") {
		return "extension"
	}
	return "handshake"
}

func dissectError(e *dissect.Error, where string, frames []int, record int) Error {
	out := Error{Code: string(e.Code), Message: e.Msg, Where: where, Offset: int64(e.Off), Record: record}
	if len(frames) > 0 {
		out.Frame = frames[0]
	}
	return out
}

// Problem implements reassembly.Handler.
func (b *Builder) Problem(c *reassembly.Conn, p reassembly.Problem) {
	s := b.state(c)
	if p.Code == reassembly.CodeStreamGap {
		s.gap(dissect.Side(p.Dir))
	}
	where := "tcp"
	if strings.HasPrefix(string(p.Code), "record") {
		where = "record"
	}
	s.errs = append(s.errs, pendingError{e: Error{Code: string(p.Code), Message: p.Msg, Where: where, Frame: p.Frame, Offset: p.Offset},
		side: dissect.Side(p.Dir), has: true})
}

// Done implements reassembly.Handler: the connection has ended.
func (b *Builder) Done(c *reassembly.Conn) {
	s, _ := c.State.(*connState)
	c.State = nil
	if !c.TLS || s == nil {
		return
	}
	rep := b.build(c, s)
	b.reuse(s)
	if b.err == nil {
		b.err = b.sink(rep)
	}
}

// frames returns r's frames, cut from the state's slab of them: a
// connection's records cost one or two allocations for their frame lists,
// not one each. A list is never appended to (its capacity ends with it).
func (s *connState) frames(r *reassembly.Record) []int {
	// A record has at most one frame per span. A full slab is replaced,
	// not grown: the lists already cut from it keep it. The first slab is
	// small, since an open flow that waits has a record or two.
	if n := len(r.Spans); cap(s.frameSlab)-len(s.frameSlab) < n {
		size := 32
		if s.frameSlab == nil {
			size = 8
		}
		s.frameSlab = make([]int, 0, max(n, size))
	}
	start := len(s.frameSlab)
	s.frameSlab = r.AppendFrames(s.frameSlab)
	return s.frameSlab[start:len(s.frameSlab):len(s.frameSlab)]
}

// reuse keeps the per-record lists of a built connection's state for the
// next connections (the report does not refer to them).
func (b *Builder) reuse(s *connState) {
	putSlice(&b.free.last, s.recLast, 1, 256)
	putSlice(&b.free.meta, s.recMeta, 1, 256)
	putSlice(&b.free.msgs, s.msgs, 1, 64)
	s.recLast, s.recMeta, s.msgs = nil, nil, nil
}

// roles decides which side is the client: the one that sent the
// ClientHello; failing that, the one that sent the SYN; failing that, the
// side not on the lower (service) port.
func roles(c *reassembly.Conn, s *connState) dissect.Side {
	switch {
	case s.sess.Roles:
		return s.sess.ClientSide
	case c.SYN.Frame != 0:
		return dissect.Side(c.SYNDir)
	case c.A.Port < c.B.Port:
		return 1
	}
	return 0
}

func (b *Builder) build(c *reassembly.Conn, s *connState) *Connection {
	for _, m := range s.sess.End() {
		s.msgs = append(s.msgs, m)
		for _, e := range m.Errors {
			s.errs = append(s.errs, pendingError{e: dissectError(e, "handshake", m.Frames, 0), side: m.Side, has: true})
		}
	}
	client := roles(c, s)
	server := client ^ 1
	from := func(side dissect.Side) string {
		if side == client {
			return "client"
		}
		return "server"
	}
	cep, sep := c.Endpoints(reassembly.Dir(client))
	rep := b.newConnection()
	*rep = Connection{
		Type: "connection", ID: c.ID, Transport: "tcp",
		CommunityID: CommunityID(cep.IP, sep.IP, cep.Port, sep.Port, 6, 0),
		Client:      Endpoint{IP: b.ips.text(cep.IP), Port: int(cep.Port)},
		Server:      Endpoint{IP: b.ips.text(sep.IP), Port: int(sep.Port)},
		FirstFrame:  c.FirstFrame, LastFrame: c.LastFrame,
		Start: timestamp(c.Start), End: timestamp(c.End),
		Packets: PerSide{Client: c.Packets[client], Server: c.Packets[server]},
		Bytes:   PerSide64{Client: c.Payload[client], Server: c.Payload[server]},
	}
	rep.TCP = tcpInfo(c, client, server)

	t := &rep.TLS
	t.Records = PerSide{Client: c.Records[client], Server: c.Records[server]}
	t.AppData = AppData{
		Records: PerSide{Client: s.appRecs[client], Server: s.appRecs[server]},
		Bytes:   PerSide64{Client: s.appBytes[client], Server: s.appBytes[server]},
	}
	t.ClientHellos = s.sess.ClientHellos
	var ch *dissect.ClientHello
	for _, m := range s.msgs {
		if m.ClientHello != nil {
			ch = m.ClientHello // the last one: after a HelloRetryRequest it is the second
		}
	}
	if ch != nil {
		v := ch.OfferedVersion()
		t.ClientVersion, t.ClientVersionCode = v.String(), int(v)
		t.SNI = ch.SNI
		t.ALPNOffered = ch.ALPN
	}
	if sh := s.sess.ServerHello; sh != nil {
		v := sh.NegotiatedVersion()
		t.Version, t.VersionCode = v.String(), int(v)
		t.CipherSuite, t.CipherSuiteCode = sh.CipherSuite.String(), int(sh.CipherSuite)
		t.ALPN = sh.ALPN
		if sh.SelectedGroup != 0 {
			t.Group, t.GroupCode = sh.SelectedGroup.String(), int(sh.SelectedGroup)
		}
		t.EncryptedHandshake = s.sess.TLS13
		t.Resumed = resumed(s, ch, sh)
	}
	t.HelloRetry = s.sess.HelloRetry != nil
	t.Established = established(s, client, server)
	agreed(t, s, ch, client)
	t.Timing.Connection = c.End.Sub(c.Start).Seconds()

	t.Alerts = []Alert{}
	for _, a := range s.alerts {
		al := Alert{From: from(a.Side), Encrypted: a.Encrypted, Record: a.Record}
		if len(a.Frames) > 0 {
			al.Frame = a.Frames[len(a.Frames)-1]
		}
		al.Decrypted = a.Decrypted
		if !a.Encrypted || a.Decrypted {
			al.Level, al.LevelCode = a.Level.String(), int(a.Level)
			code := int(a.Description)
			al.Description, al.Code = a.Description.String(), &code
		}
		t.Alerts = append(t.Alerts, al)
	}

	for _, hb := range s.beats {
		h := Heartbeat{From: from(hb.Side), Encrypted: hb.Encrypted, Length: hb.Length, Record: hb.Record}
		if len(hb.Frames) > 0 {
			h.Frame = hb.Frames[len(hb.Frames)-1]
		}
		if hb.Heartbeat != nil {
			h.Type, h.TypeCode = hb.Type.Name, hb.Type.Code
			h.PayloadLength, h.PayloadAvailable, h.Overread = &hb.PayloadLength, &hb.PayloadAvailable, hb.Overread
		}
		t.Heartbeats = append(t.Heartbeats, h)
	}
	rep.Decryption = s.dec.report(client, server)
	rep.Certificates = certificates(s, from, b.JA4Plus, b.certs)
	rep.Fingerprints = fingerprints(s, ch, rep.Certificates, b.JA4Plus)
	keyExchange(t, s, client, server)

	rep.Handshake = b.handshakes(len(s.msgs))
	certIndex := 0
	for _, m := range s.msgs {
		h := Handshake{From: from(m.Side), Type: m.Type.String(), TypeCode: int(m.Type), Length: m.Length,
			Frames: m.Frames, Records: m.Records, Encrypted: m.Encrypted, Decrypted: m.Decrypted, Complete: m.Complete()}
		if len(h.Records) > maxListedRecords || len(h.Frames) > maxListedRecords {
			h.Records, h.Frames = h.Records[:min(len(h.Records), maxListedRecords)], h.Frames[:min(len(h.Frames), maxListedRecords)]
			h.ListsCapped = true
		}
		switch {
		case m.Encrypted && !m.Decrypted:
			h.Type, h.Complete = "encrypted_handshake_message", true
		case m.ClientHello != nil:
			h.Detail = clientHelloJSON(s, m.ClientHello)
		case m.ServerHello != nil:
			h.Detail = serverHelloWithFingerprints(m.ServerHello, b.JA4Plus, s.exts)
		case m.Decoded != nil:
			h.Detail = messageDetail(m.Decoded, certIndex)
			certIndex += parsedCount(m.Decoded)
		}
		rep.Handshake = append(rep.Handshake, h)
	}

	// A record lists every message it carried a part of. The lists are
	// cut from one slab: a record's messages are consecutive ones, so its
	// list grows in place at the slab's end, and a record whose messages
	// come apart (another record's entry between) gets its own.
	total := 0
	for _, m := range s.msgs {
		total += len(m.Records)
	}
	names := make([]string, 0, total) // never grows: views into it stay valid
	var last *Record
	lastInSlab := false // last's list ends at the end of names
	for _, m := range s.msgs {
		name := messageName(m)
		for _, n := range m.Records {
			r := s.record(n)
			if r == nil {
				continue
			}
			names = append(names, name)
			switch {
			case r.Messages == nil:
				r.Messages = names[len(names)-1 : len(names) : len(names)]
				lastInSlab = true
			case r == last && lastInSlab:
				r.Messages = names[len(names)-1-len(r.Messages) : len(names) : len(names)]
			default:
				r.Messages = append(r.Messages, name)
				lastInSlab = false
			}
			last = r
		}
	}
	for i := range t.Alerts {
		t.Alerts[i].InResponseTo = answered(s, s.alerts[i], client)
	}
	trust := b.Trust
	if trust == nil {
		trust = systemTrust()
	}
	certs := trust.check(rep, s, c.Start)
	rep.TLS.Failure = failure(rep, s, ch, client, certs)

	rep.RecordsCapped = s.recordsCapped
	rep.Records = s.records // the state is not used after build
	for i := range rep.Records {
		rep.Records[i].From = from(s.recMeta[i].side)
	}
	if rep.Records == nil {
		rep.Records = []Record{}
	}
	s.records = nil
	rep.Errors = []Error{}
	for _, pe := range s.errs {
		e := pe.e
		if pe.has {
			e.From = from(pe.side)
		}
		rep.Errors = append(rep.Errors, e)
	}
	renumber(rep, s.recLast)
	rep.Verdict = verdict(rep, certs)
	return rep
}

// renumber numbers records in the order they completed on the wire (by the
// frame that completed them), not in the order reassembly delivered them:
// after a lost or reordered segment, one direction's records can be
// delivered late. Every reference to a record number follows.
func renumber(rep *Connection, last []int) {
	if slices.IsSorted(last) {
		return // delivered in wire order, as usual
	}
	order := make([]int, len(last)) // order[k] = old number-1 of the k-th record on the wire
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return last[order[a]] < last[order[b]] })
	newNum := make([]int, len(last)+1) // old number -> new number
	same := true
	for k, old := range order {
		newNum[old+1] = k + 1
		same = same && old == k
	}
	if same {
		return
	}
	m := func(n int) int {
		if n >= 1 && n < len(newNum) {
			return newNum[n]
		}
		return n
	}
	for i := range rep.Records {
		rep.Records[i].Number = m(rep.Records[i].Number)
	}
	sort.SliceStable(rep.Records, func(a, b int) bool { return rep.Records[a].Number < rep.Records[b].Number })
	for i := range rep.Handshake {
		rs := make([]int, len(rep.Handshake[i].Records))
		for j, n := range rep.Handshake[i].Records {
			rs[j] = m(n)
		}
		rep.Handshake[i].Records = rs
	}
	for i := range rep.TLS.Alerts {
		rep.TLS.Alerts[i].Record = m(rep.TLS.Alerts[i].Record)
	}
	for i := range rep.Errors {
		rep.Errors[i].Record = m(rep.Errors[i].Record)
	}
}

func tcpInfo(c *reassembly.Conn, client, server dissect.Side) TCPInfo {
	ti := TCPInfo{
		SYNFrame: c.SYN.Frame, SYNACKFrame: c.SYNACK.Frame,
		Start:      "midstream",
		FINFrame:   PerSide{Client: c.FIN[client], Server: c.FIN[server]},
		RSTFrame:   PerSide{Client: c.RST[client], Server: c.RST[server]},
		Gaps:       PerSide{Client: c.Gaps[client], Server: c.Gaps[server]},
		Retransmit: PerSide64{Client: c.Overlap[client], Server: c.Overlap[server]},
	}
	if c.SYN.Frame != 0 || c.SYNACK.Frame != 0 {
		ti.Start = "syn"
	}
	if c.SYN.Frame != 0 && c.SYNACK.Frame != 0 && c.ACK.Frame != 0 {
		ti.RTT = c.ACK.Time.Sub(c.SYN.Time).Seconds()
	}
	switch {
	case c.RST[0] != 0 || c.RST[1] != 0:
		ti.End = "rst"
	case c.FIN[0] != 0 && c.FIN[1] != 0:
		ti.End = "fin"
	case c.Evicted:
		ti.End = "idle"
	default:
		ti.End = "capture_end"
	}
	return ti
}

// established says whether the handshake demonstrably completed:
// TLS 1.2 and older: each side sent ChangeCipherSpec and then its
// (encrypted) Finished. TLS 1.3: the server sent its encrypted flight and
// the client answered with encrypted records after the ServerHello (its
// Finished), and either sent another one or the server wrote again after
// it — a server that rejected the client's Finished sends nothing more
// but an alert.
func established(s *connState, client, server dissect.Side) bool {
	if s.sess.ServerHello == nil {
		return false
	}
	if !s.sess.TLS13 {
		finished := func(side dissect.Side) bool {
			for _, m := range s.msgs {
				if m.Side == side && m.Encrypted {
					return true
				}
			}
			return false
		}
		return s.ccs[client] != 0 && s.ccs[server] != 0 && finished(client) && finished(server)
	}
	ce, se := s.encRecs[client], s.encRecs[server]
	if len(se) == 0 || len(ce) == 0 {
		return false
	}
	if len(ce) >= 2 {
		return true
	}
	return se[len(se)-1] > ce[0]
}

// resumed: TLS 1.3 when the server accepted a PSK (pre_shared_key in the
// ServerHello, RFC 8446 Section 4.2.11); TLS 1.2 and older when the server
// echoed the client's non-empty session ID (RFC 5246 Section 7.4.1.3,
// RFC 5077 Section 3.4).
func resumed(s *connState, ch *dissect.ClientHello, sh *dissect.ServerHello) bool {
	if s.sess.TLS13 {
		for _, e := range sh.Extensions {
			if e.Type == 41 {
				return true
			}
		}
		return false
	}
	return ch != nil && len(sh.SessionID) > 0 && string(sh.SessionID) == string(ch.SessionID)
}

// timestamp formats t as RFC 3339 with nanoseconds, UTC (DESIGN.md).
func timestamp(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format("2006-01-02T15:04:05.000000000Z")
}

// ipTexts remembers the text of recent addresses: the connections of a
// capture come from and go to few of them, and a report spells two.
type ipTexts [256]struct {
	ip   netip.Addr
	text string
}

func (t *ipTexts) text(ip netip.Addr) string {
	a := ip.As16()
	h := uint(a[15]) ^ uint(a[14])<<3 ^ uint(a[13])<<5 ^ uint(a[12])<<1
	e := &t[h%uint(len(t))]
	if e.text == "" || e.ip != ip {
		e.ip, e.text = ip, ip.String()
	}
	return e.text
}
