package reassembly

// Code is a stable snake_case name for a problem found while putting a TCP
// stream back together or cutting it into TLS records.
type Code string

// The closed list of reassembly problem codes.
const (
	// CodeStreamGap: bytes of the stream were never captured (lost segment); the partial record is dropped and the cutter resynchronises.
	CodeStreamGap Code = "stream_gap"
	// CodeStreamResync: bytes skipped to find the next plausible TLS record header (after a gap or a mid-connection start).
	CodeStreamResync Code = "stream_resync"
	// CodeStreamNotTLS: a direction that had spoken TLS stopped looking like TLS and is no longer followed.
	CodeStreamNotTLS Code = "stream_not_tls"
	// CodeStreamIncomplete: the stream ended inside a TLS record.
	CodeStreamIncomplete Code = "stream_incomplete"
	// CodeRecordTooLarge: a record header claims more than the protocol allows (2^14+2048 bytes).
	CodeRecordTooLarge Code = "record_length_overflow"
	// CodeRecordHeaderInvalid: bytes where a record header was due are not a TLS record header.
	CodeRecordHeaderInvalid Code = "record_header_invalid"
	// CodeStreamOverlapConflict: a retransmission carried different bytes for an already delivered range; the first copy wins.
	CodeStreamOverlapConflict Code = "stream_overlap_conflict"
	// CodeStreamCapReached: the out-of-order buffer cap was hit and data was pushed through with a gap.
	CodeStreamCapReached Code = "stream_cap_reached"
	// CodeSegmentTruncated: a snap length cut a segment's payload; the bytes not captured are a gap (first such segment per direction).
	CodeSegmentTruncated Code = "segment_truncated"
	// CodeRSTOutOfWindow: a RST whose sequence number is outside the receive window was ignored, as TCP stacks ignore it (RFC 5961, Section 3).
	CodeRSTOutOfWindow Code = "rst_out_of_window"
	// CodeDataAfterRST: the side that sent the RST ending a connection sent data after it; the rest is followed as a new connection (midstream) that carries this code.
	CodeDataAfterRST Code = "data_after_rst"
	// CodeDroppedAfterRST: on a connection carrying data_after_rst, the data the other side sent between the RST and the RST sender's return, dropped as packets of an ended connection (so the stream has a hole there).
	CodeDroppedAfterRST Code = "data_dropped_after_rst"
)

// Problem is one thing that went wrong in a connection's TCP or record layer.
type Problem struct {
	Code   Code
	Msg    string
	Dir    Dir
	Frame  int   // frame where the problem shows (0 when unknown)
	Offset int64 // offset in the direction's byte stream
}
