package reassembly

import (
	"net/netip"
	"time"
)

// Dir is a direction of a connection: AtoB is the direction of the first
// packet seen, which is not necessarily the client (roles come from the TLS
// handshake, see DESIGN.md).
type Dir uint8

const (
	AtoB Dir = 0
	BtoA Dir = 1
)

// Reverse returns the other direction.
func (d Dir) Reverse() Dir { return d ^ 1 }

// Endpoint is one end of a TCP connection.
type Endpoint struct {
	IP   netip.Addr
	Port uint16
}

// Conn is one TCP connection as the tracker saw it. Handlers may keep a
// pointer; the tracker stops writing to it once Done has been called.
type Conn struct {
	ID         int       // 1-based, in order of the connection's first packet
	A, B       Endpoint  // A sent the first packet seen
	FirstFrame int       // frame of the first packet
	LastFrame  int       // frame of the last packet
	Start, End time.Time // capture times of the first and last packets
	Packets    [2]int    // packets per direction
	Payload    [2]int64  // TCP payload bytes per direction (retransmissions included)
	SYN        Handshake // the first SYN without ACK
	SYNACK     Handshake // the first SYN/ACK
	ACK        Handshake // the SYN sender's first ACK after the SYN/ACK
	FIN        [2]int    // frame of the first FIN per direction, 0 if none
	RST        [2]int    // frame of the first RST per direction, 0 if none
	Overlap    [2]int64  // bytes gopacket dropped as already delivered (retransmissions)
	Records    [2]int    // TLS records cut per direction
	Gaps       [2]int    // gaps per direction
	SYNDir     Dir       // who sent the SYN (valid when SYN.Frame != 0)
	TLS        bool      // at least one TLS record was cut
	Evicted    bool      // closed by a cap or idle timeout rather than FIN/RST or end of input
	// AfterRST is the connection whose RST this one outlived: its side
	// that sent the RST went on sending (CodeDataAfterRST); nil if none.
	// It is set before the connection's first Problem and cleared when
	// the connection ends, so that a chain of them is not kept.
	AfterRST *Conn

	// State is for the handler's per-connection data.
	State any

	t *Tracker // the tracker that follows it (its cutters' sink: cutRecord)
	// sides holds a direction's cutter and history from its first
	// delivered byte on (nil before): an open flow that has carried no
	// payload costs about 1.3 KiB, gopacket's share included.
	sides [2]*side
	// queued keeps copies of out-of-order data gopacket holds, to tell
	// two different copies of the same bytes apart before either is
	// delivered (nil until there is any).
	queued [2]*queuedCopies
	gen    *flowGen
	// held are the segments gopacket may hold back out of order (nil
	// until there is one), and seen the capture second of the last
	// packet gopacket took (counted: in Tracker.seen): what the
	// periodic flush looks at (flushwork.go).
	held    *heldSegs
	seen    int64 // Unix seconds
	seenNs  int32 // and nanoseconds
	seenIdx int32 // where c is in Tracker.seen's list of its second
	// endOff is the stream offset of the next byte to be delivered.
	endOff [2]int64
	// provenance per direction: the sequence number of the next delivered byte
	nextSeq   [2]uint32
	truncSeen [2]bool
	havePos   [2]bool
	sawSYN    [2]bool
	done      bool
	reset     bool // an accepted RST ended the connection
	counted   bool
}

// side is what a connection keeps for one direction that carries payload.
type side struct {
	cut cutter
	// hist keeps the last bytes delivered, to tell a retransmission that
	// repeats them from one that contradicts them.
	hist history
}

// Handshake notes one TCP handshake packet.
type Handshake struct {
	Frame int
	Time  time.Time
}

// Endpoints returns the endpoint that sent in direction d and the receiver.
func (c *Conn) Endpoints(d Dir) (from, to Endpoint) {
	if d == AtoB {
		return c.A, c.B
	}
	return c.B, c.A
}
