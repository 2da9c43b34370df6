package dissect

import "unsafe"

// A decoded ClientHello (or ServerHello) refers to the record it came in (its random,
// session ID and extension bodies alias the message body) until its report
// is built. A post-quantum key share makes that record big: a client that
// offers X25519MLKEM768 sends 1,216 bytes of it, most of a 1.5 KB hello,
// and every open flow of such a client would hold them. The key exchange
// bytes are never read again once the key_share extension is decoded (the
// report shows each share's group and length, and only an undecoded
// extension is dumped in hex), so a hello with a big key share keeps a
// copy of its body without them instead, its key_share body becoming a
// shared run of zeros of the same length.

// compactKeyShare is the key_share body length past which a hello is
// compacted: X25519 (32 bytes) and P-256 (65) shares are left alone.
const compactKeyShare = 512

// zeroBody stands in for dropped key exchange bytes; never written.
var zeroBody [1 << 16]byte

// dropKeyShare lets a whole hello message of hm (m) drop its key exchange
// bytes (compactHello, compactServerHello).
func (m *Message) dropKeyShare(hm *HandshakeMsg) {
	if len(m.Body) != m.Length {
		return
	}
	var b []byte
	ok := false
	switch {
	case hm.ClientHello != nil:
		b, ok = compactHello(hm.ClientHello, m.Body)
	case hm.ServerHello != nil:
		b, ok = compactServerHello(hm.ServerHello, m.Body)
	}
	if ok {
		m.Body, m.compacted = b, true
	}
}

// compactHello replaces the key_share body of ch, a ClientHello decoded
// from body (a whole message), with zeros, and moves what else refers to
// body to a copy of it without those bytes. It returns the copy, or false
// (and leaves ch alone) when there is nothing to gain or the hello is not
// laid out as expected.
func compactHello(ch *ClientHello, body []byte) ([]byte, bool) {
	if ch == nil || ch.SSLv2 {
		return nil, false
	}
	return compactBody(body, ch.Extensions, &ch.Random, &ch.SessionID, &ch.CompressionMethods)
}

// compactServerHello is compactHello for a ServerHello, whose key share is
// as big (an X25519MLKEM768 server share is 1,120 bytes).
func compactServerHello(sh *ServerHello, body []byte) ([]byte, bool) {
	if sh == nil {
		return nil, false
	}
	return compactBody(body, sh.Extensions, &sh.Random, &sh.SessionID)
}

// compactBody is the work of compactHello: exts and fields are what of a
// hello refers to body.
func compactBody(body []byte, exts []Extension, fields ...*[]byte) ([]byte, bool) {
	if len(body) == 0 {
		return nil, false
	}
	ks := -1
	for i := range exts {
		e := &exts[i]
		if e.Type == ExtensionKeyShare && len(e.Data) > compactKeyShare {
			ks = i
			break
		}
	}
	if ks < 0 {
		return nil, false
	}
	e := &exts[ks]
	start, n := int(e.Off)+4, len(e.Data)
	// Only a decoded key_share: an undecoded one is shown in hex.
	if e.Decoded == nil || n > len(zeroBody) || offsetIn(body, e.Data) != start {
		return nil, false
	}
	out := make([]byte, 0, len(body)-n)
	out = append(out, body[:start]...)
	out = append(out, body[start+n:]...)
	move := func(b []byte) ([]byte, bool) {
		if len(b) == 0 {
			// An empty body (extended_master_secret's) still points into
			// the record, and would keep it.
			if inside(body, b) {
				return out[:0:0], true
			}
			return b, true
		}
		off := offsetIn(body, b)
		switch {
		case off < 0:
			return nil, false
		case off+len(b) <= start:
		case off >= start+n:
			off -= n
		default:
			return nil, false // straddles the key share: not a hello we know
		}
		return out[off : off+len(b) : off+len(b)], true
	}
	// Check every move before making any, so that a surprise leaves the
	// hello whole.
	for _, f := range fields {
		if _, ok := move(*f); !ok {
			return nil, false
		}
	}
	for i := range exts {
		if _, ok := move(exts[i].Data); !ok && i != ks {
			return nil, false
		}
	}
	for _, f := range fields {
		*f, _ = move(*f)
	}
	for i := range exts {
		if i == ks {
			exts[i].Data = zeroBody[:n:n]
		} else {
			exts[i].Data, _ = move(exts[i].Data)
		}
	}
	return out, true
}

// offsetIn is the offset of b's first byte in body, or -1 when b does not
// lie inside body.
func offsetIn(body, b []byte) int {
	if len(b) == 0 || len(body) == 0 {
		return -1
	}
	base := uintptr(unsafe.Pointer(unsafe.SliceData(body)))
	p := uintptr(unsafe.Pointer(unsafe.SliceData(b)))
	if p < base || p-base+uintptr(len(b)) > uintptr(len(body)) {
		return -1
	}
	return int(p - base)
}

// inside reports whether b's data pointer lies in body, also for an empty b.
func inside(body, b []byte) bool {
	if cap(b) == 0 || len(body) == 0 {
		return false
	}
	base := uintptr(unsafe.Pointer(unsafe.SliceData(body)))
	p := uintptr(unsafe.Pointer(unsafe.SliceData(b)))
	return p >= base && p < base+uintptr(len(body))
}
