package dissect

import "golang.org/x/crypto/cryptobyte"

// heartbeatMinPadding is RFC 6520, Section 4: "The padding_length MUST be
// at least 16."
const heartbeatMinPadding = 16

// heartbeatHeaderLen is type(1) + payload_length(2).
const heartbeatHeaderLen = 3

// Heartbeat is one cleartext heartbeat record (content type 24). After the
// handshake heartbeats are encrypted; telling which is the caller's job.
type Heartbeat struct {
	Type CodeName `json:"heartbeat_type"`
	// PayloadLength is what the sender claims.
	PayloadLength int `json:"payload_length"`
	// PayloadAvailable is the most payload the record can hold with the
	// minimum 16 bytes of padding: record length - 3 - 16, at least 0.
	PayloadAvailable int `json:"payload_available"`
	// PaddingLength is record length - 3 - payload_length, when that is
	// not negative.
	PaddingLength *int `json:"padding_length,omitempty"`
	// Overread: payload_length + 3 + 16 > record length, the Heartbleed
	// (CVE-2014-0160) shape: a request that asks the peer to echo more
	// than it sent, or a response that echoes more than was asked.
	Overread bool `json:"overread"`
}

// IANA "Heartbeat Message Types" (RFC 6520).
var heartbeatMessageTypes = table8{1: "heartbeat_request", 2: "heartbeat_response"}

// ParseHeartbeat decodes a heartbeat record's body (without the 5-byte
// record header). It always returns a value; offsets count from the start
// of body.
//
// RFC 6520, Section 4:
//
//	enum {
//	   heartbeat_request(1),
//	   heartbeat_response(2),
//	   (255)
//	} HeartbeatMessageType;
//
//	struct {
//	   HeartbeatMessageType type;
//	   uint16 payload_length;
//	   opaque payload[HeartbeatMessage.payload_length];
//	   opaque padding[padding_length];
//	} HeartbeatMessage;
//
// "The padding_length MUST be at least 16." and "If the payload_length of a
// received HeartbeatMessage is too large, the received HeartbeatMessage MUST
// be discarded silently." A too-large payload_length is what Heartbleed
// exploited; it gets heartbeat_overread.
func ParseHeartbeat(body []byte) (*Heartbeat, []*Error) {
	h := &Heartbeat{PayloadAvailable: max(0, len(body)-heartbeatHeaderLen-heartbeatMinPadding)}
	p := &parser{root: body, code: CodeHeartbeatMalformed, what: "heartbeat"}
	s := cryptobyte.String(body)
	var typ uint8
	var n uint16
	if !p.u8(&s, "type", &typ) {
		return h, p.errs
	}
	h.Type = heartbeatMessageTypes.name(typ)
	if typ != 1 && typ != 2 {
		// "If a received HeartbeatMessage has an unknown type, it MUST be
		// discarded silently."
		p.add(CodeHeartbeatMalformed, 0, "heartbeat: unknown type %d", typ)
	}
	if !p.u16(&s, "payload_length", &n) {
		return h, p.errs
	}
	h.PayloadLength = int(n)
	if pad := len(body) - heartbeatHeaderLen - int(n); pad >= 0 {
		h.PaddingLength = &pad
	}
	if int(n)+heartbeatHeaderLen+heartbeatMinPadding > len(body) {
		h.Overread = true
		p.add(CodeHeartbeatOverread, 1, "heartbeat: payload_length %d needs %d bytes with 16 of padding; the record has %d",
			n, int(n)+heartbeatHeaderLen+heartbeatMinPadding, len(body))
	}
	return h, p.errs
}
