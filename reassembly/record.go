package reassembly

import (
	"sort"
	"time"
)

// Record limits (RFC 8446, Section 5.2; RFC 5246, Section 6.2.3): a
// TLSCiphertext fragment is at most 2^14+2048 bytes in TLS 1.2 and older, and
// 2^14+256 in TLS 1.3. Anything longer is not a record.
const (
	recordHeaderLen = 5
	maxRecordBody   = 1<<14 + 2048
)

// Span says that Len bytes of a record, starting at Off (counted from the
// first byte of the record header), were carried by frame Frame.
type Span struct {
	Frame int
	Time  time.Time
	Off   int
	Len   int
}

// Record is one TLS record cut from a direction of a TCP stream.
//
// Body is owned by the record (copied out of gopacket's reused buffers), so
// decoded values may alias it. For application_data records Body is kept as
// well, unless the handler says it does not want it (see Skipped).
type Record struct {
	Dir     Dir
	Type    uint8  // content type (20 change_cipher_spec ... 24 heartbeat)
	Version uint16 // record-layer version from the header
	Length  int    // body length from the header
	Body    []byte
	Spans   []Span // frames that carried the header and body, in stream order
	Offset  int64  // stream offset of the first header byte
	SSLv2   bool   // an SSLv2-compatible ClientHello record (RFC 5246, Appendix E.2)
	Header  []byte // the raw header (5 bytes, or 2-3 for SSLv2)
	// Skipped: an application_data record whose body the handler said it
	// does not want (AppDataFilter): Body is nil, its bytes were never
	// copied, and the Record, its Header and Spans are valid only during
	// the Handler.Record call.
	Skipped bool
}

// Frames returns the distinct frames that carried the record, in stream order.
func (r *Record) Frames() []int { return spanFrames(r.Spans, 0, 1<<62) }

// AppendFrames appends what Frames returns to dst.
func (r *Record) AppendFrames(dst []int) []int { return appendSpanFrames(dst, r.Spans, 0, 1<<62) }

// FramesOf returns the distinct frames that carried body bytes [off, off+n).
func (r *Record) FramesOf(off, n int) []int {
	h := len(r.Header)
	return spanFrames(r.Spans, h+off, h+off+n)
}

// Start is the capture time of the first packet that carried the record.
func (r *Record) Start() time.Time { return r.Spans[0].Time }

// End is the capture time of the packet that completed the record.
func (r *Record) End() time.Time { return r.Spans[len(r.Spans)-1].Time }

// LastFrame is the frame that completed the record (where Wireshark shows it).
func (r *Record) LastFrame() int { return r.Spans[len(r.Spans)-1].Frame }

func spanFrames(spans []Span, from, to int) []int { return appendSpanFrames(nil, spans, from, to) }

func appendSpanFrames(out []int, spans []Span, from, to int) []int {
	start := len(out)
	// Spans are in stream order: start at the first that ends past from.
	// A record sent one byte per segment has thousands of spans, and a
	// record of thousands of tiny messages asks once per message: a walk
	// of every span each time was quadratic.
	i := sort.Search(len(spans), func(i int) bool { return spans[i].Off+spans[i].Len > from })
	for _, s := range spans[i:] {
		if s.Off >= to {
			break
		}
		if n := len(out); n > start && out[n-1] == s.Frame {
			continue
		}
		out = append(out, s.Frame)
	}
	return out
}

// plausibleHeader reports whether b starts with a TLS record header:
// a known content type, an SSL 3.0 to TLS 1.3 record version and a length
// the protocol allows. It needs len(b) >= 5.
func plausibleHeader(b []byte) bool {
	if b[0] < 20 || b[0] > 24 {
		return false
	}
	if b[1] != 3 || b[2] > 4 {
		return false
	}
	n := int(b[3])<<8 | int(b[4])
	return n <= maxRecordBody
}

// sslv2Hello reports whether b starts an SSLv2-compatible ClientHello
// (RFC 5246, Appendix E.2: msg_length with the high bit set, msg_type 1,
// version 0x0002 or 0x03xx) and returns its header and body lengths.
func sslv2Hello(b []byte) (hdr, body int, ok bool) {
	if len(b) < 5 || b[0]&0x80 == 0 || b[2] != 1 {
		return 0, 0, false
	}
	if !(b[3] == 0 && b[4] == 2) && !(b[3] == 3 && b[4] <= 4) {
		return 0, 0, false
	}
	n := int(b[0]&0x7f)<<8 | int(b[1])
	if n < 9 {
		return 0, 0, false
	}
	return 2, n, true
}
