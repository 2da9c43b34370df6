package dissect

// Side is one end of a connection as the transport layer numbered it
// (0: the end that sent the first packet). Which side is the client comes
// from the handshake itself.
type Side uint8

// RecordIn is one TLS record handed to a Session.
type RecordIn struct {
	Side    Side
	Type    ContentType
	Version Version
	Header  []byte // raw record header (5 bytes, or 2 for SSLv2)
	Body    []byte
	Number  int  // record number in the connection, 1-based
	SSLv2   bool // SSLv2-compatible ClientHello record
	// Decrypted: Type and Body are the plaintext of a protected record
	// (the inner content type in TLS 1.3), opened with the session's keys.
	Decrypted bool
	// Frames tells which frames carried Body[off:off+n].
	Frames FrameSource
}

// HandshakeMsg is a handshake message with what was decoded from it.
type HandshakeMsg struct {
	*Message
	Side Side
	// Encrypted marks a message that travelled under keys: without them
	// (Decrypted false) its Type is unknown and it has no body.
	Encrypted bool
	// Decrypted: the message was read from decrypted records.
	Decrypted   bool
	ClientHello *ClientHello
	ServerHello *ServerHello
	// Decoded is DecodeMessage's value for every other type (nil for the
	// hellos and for a message skipped over its cap).
	Decoded any
	// CertFrames[i] are the frames that carried the i-th certificate of a
	// Certificate message (CertificateChain(Decoded).Entries[i]).
	CertFrames [][]int
	Errors     []*Error
}

// Alert is one alert (RFC 8446, Section 6). An encrypted alert has no
// level or description: they cannot be read without keys.
type Alert struct {
	Side        Side
	Level       AlertLevel
	Description AlertDescription
	Encrypted   bool
	Decrypted   bool // Encrypted, and read with the session's keys
	Length      int
	Record      int
	Frames      []int
}

// HeartbeatRecord is one heartbeat record (RFC 6520): decoded when in
// the clear, only located when encrypted.
type HeartbeatRecord struct {
	Side      Side
	Encrypted bool
	Length    int
	Record    int
	Frames    []int
	*Heartbeat
}

// RecordResult is what one record said.
type RecordResult struct {
	Encrypted bool // the record was protected on the wire
	Decrypted bool // ... and its plaintext was dissected (RecordIn.Decrypted)
	// Messages is valid until the next Record of the session (the
	// messages themselves stay).
	Messages   []*HandshakeMsg
	Alerts     []Alert
	Heartbeats []HeartbeatRecord
	CCS        bool
	Errors     []*Error
}

// Session follows one connection's TLS conversation: who is the client,
// which version was agreed, and from where on each direction is encrypted.
type Session struct {
	// ClientSide is the side that sent the ClientHello; valid when Roles.
	ClientSide Side
	Roles      bool

	ClientHellos int
	ServerHello  *ServerHello // the last ServerHello (not HelloRetryRequest)
	HelloRetry   *ServerHello
	TLS13        bool // the ServerHello selected TLS 1.3

	// ParseCertificate, when set, parses certificates instead of
	// ParseCertificate (MessageContext.ParseCertificate): a cache.
	ParseCertificate func(der []byte) (*Certificate, []*Error)
	// MaxCertificates caps the certificates parsed per chain (0: 64).
	MaxCertificates int

	hs      [2]HandshakeReader
	ccs     [2]bool
	resMsgs []*HandshakeMsg // RecordResult.Messages, reused
}

// NewSession returns a Session with the default caps.
func NewSession() *Session { return &Session{} }

// SetMaxMessage caps one handshake message (0: DefaultMaxMessage); set it
// before the first record.
func (s *Session) SetMaxMessage(n int) {
	s.hs[0].MaxMessage, s.hs[1].MaxMessage = n, n
}

func (s *Session) setClient(side Side) {
	if !s.Roles {
		s.ClientSide, s.Roles = side, true
	}
}

// encrypted reports whether side's records of type t are protected now.
func (s *Session) encrypted(side Side, t ContentType) bool {
	if t == ContentTypeApplicationData {
		return true
	}
	if s.TLS13 {
		// TLS 1.3 protects everything after the ServerHello, and every
		// protected record has the outer type application_data (RFC 8446,
		// Section 5.2): a record typed alert is a cleartext alert, sent by
		// a peer that could not (or would not) set up keys, as OpenSSL does
		// when it refuses the server's certificate. CCS is only a
		// compatibility record.
		return false
	}
	// TLS 1.2 and older protect a side's records after its ChangeCipherSpec
	// (RFC 5246, Section 7.1). A CCS before any ServerHello may instead be a
	// TLS 1.3 middlebox-compatibility record (RFC 8446, Appendix D.4), as
	// in the flights around a HelloRetryRequest, which protects nothing; or
	// the ServerHello was lost and it is TLS 1.2's. Handshake records after
	// it count as protected unless they open with a hello (Record checks),
	// which tells the two apart without guessing; alerts go through the
	// cleartext test (looksEncrypted).
	if !s.ccs[side] {
		return false
	}
	compat := s.ServerHello == nil && s.ClientHellos > 0
	switch t {
	case ContentTypeHandshake:
		return true
	case ContentTypeAlert, ContentTypeHeartbeat:
		return !compat
	}
	return false
}

// Record dissects one record.
func (s *Session) Record(r RecordIn) (res RecordResult) {
	// The message list is reused from record to record (the caller copies
	// what it keeps): one allocation per connection, not per record.
	res.Messages = s.resMsgs[:0]
	defer func() { s.resMsgs = res.Messages[:0] }()
	if r.SSLv2 {
		raw := append(append([]byte{}, r.Header...), r.Body...)
		ch, errs := ParseSSLv2ClientHello(raw)
		s.setClient(r.Side)
		s.ClientHellos++
		m := &Message{Type: HandshakeTypeClientHello, Length: len(r.Body), Body: r.Body, Records: []int{r.Number}}
		if r.Frames != nil {
			m.Frames = r.Frames.FramesOf(0, len(r.Body))
		}
		res.Messages = append(res.Messages, &HandshakeMsg{Message: m, Side: r.Side, ClientHello: ch, Errors: errs})
		return res
	}
	if r.Decrypted {
		s.cleartext(r, &res)
		res.Encrypted, res.Decrypted = true, true
		for _, m := range res.Messages {
			m.Encrypted, m.Decrypted = true, true
		}
		for i := range res.Alerts {
			res.Alerts[i].Encrypted, res.Alerts[i].Decrypted = true, true
		}
		return res
	}
	if s.encrypted(r.Side, r.Type) && !(r.Type == ContentTypeHandshake && s.ServerHello == nil && looksLikeHello(r.Body)) {
		res.Encrypted = true
		switch r.Type {
		case ContentTypeHandshake:
			// One allocation for the message, its entry and its record list.
			e := &struct {
				hm  HandshakeMsg
				m   Message
				rec [1]int
			}{rec: [1]int{r.Number}}
			e.m = Message{Length: len(r.Body), Records: e.rec[:]}
			if r.Frames != nil {
				e.m.Frames = r.Frames.FramesOf(0, len(r.Body))
			}
			e.hm = HandshakeMsg{Message: &e.m, Side: r.Side, Encrypted: true}
			res.Messages = append(res.Messages, &e.hm)
		case ContentTypeAlert:
			res.Alerts = append(res.Alerts, Alert{Side: r.Side, Encrypted: true, Length: len(r.Body), Record: r.Number, Frames: frames(r, 0, len(r.Body))})
		case ContentTypeHeartbeat:
			res.Heartbeats = append(res.Heartbeats, HeartbeatRecord{Side: r.Side, Encrypted: true, Length: len(r.Body), Record: r.Number, Frames: frames(r, 0, len(r.Body))})
		}
		return res
	}
	s.cleartext(r, &res)
	return res
}

// Protected reports whether side's next record of type t is under keys
// (the caller may then decrypt it and hand over the plaintext with
// RecordIn.Decrypted).
func (s *Session) Protected(side Side, t ContentType) bool { return s.encrypted(side, t) }

// cleartext dissects a record's plaintext.
func (s *Session) cleartext(r RecordIn, res *RecordResult) {
	switch r.Type {
	case ContentTypeHandshake:
		msgs, errs := s.hs[r.Side].Add(Fragment{Data: r.Body, Record: r.Number, Frames: r.Frames})
		res.Errors = append(res.Errors, errs...)
		for _, m := range msgs {
			res.Messages = append(res.Messages, s.message(r.Side, m))
		}
	case ContentTypeAlert:
		if s.hs[r.Side].Pending() > 0 {
			res.Errors = append(res.Errors, errorf(CodeHandshakeInterleaved, 0, "alert record inside a fragmented handshake message"))
		}
		if !r.Decrypted && looksEncrypted(r.Body) {
			// A cleartext alert is two bytes with level 1 or 2; anything
			// else is an alert under keys we did not see set up.
			res.Encrypted = true
			res.Alerts = append(res.Alerts, Alert{Side: r.Side, Encrypted: true, Length: len(r.Body), Record: r.Number, Frames: frames(r, 0, len(r.Body))})
			return
		}
		if len(r.Body)%2 != 0 || len(r.Body) == 0 {
			res.Errors = append(res.Errors, errorf(CodeAlertMalformed, 0, "alert record of %d bytes is not a whole number of 2-byte alerts", len(r.Body)))
		}
		for i := 0; i+1 < len(r.Body); i += 2 {
			res.Alerts = append(res.Alerts, Alert{Side: r.Side, Level: AlertLevel(r.Body[i]), Description: AlertDescription(r.Body[i+1]),
				Length: 2, Record: r.Number, Frames: frames(r, i, 2)})
		}
	case ContentTypeHeartbeat:
		hb, errs := ParseHeartbeat(r.Body)
		res.Errors = append(res.Errors, errs...)
		res.Heartbeats = append(res.Heartbeats, HeartbeatRecord{Side: r.Side, Length: len(r.Body), Record: r.Number,
			Frames: frames(r, 0, len(r.Body)), Heartbeat: hb})
	case ContentTypeChangeCipherSpec:
		res.CCS = true
		if len(r.Body) != 1 || r.Body[0] != 1 {
			res.Errors = append(res.Errors, errorf(CodeCCSMalformed, 0, "change_cipher_spec body % x is not the single byte 01", r.Body))
		}
		s.ccs[r.Side] = true
	}
}

func frames(r RecordIn, off, n int) []int {
	if r.Frames == nil {
		return nil
	}
	return r.Frames.FramesOf(off, n)
}

// message decodes a complete cleartext handshake message.
func (s *Session) message(side Side, m *Message) *HandshakeMsg {
	hm := m.room
	if hm == nil {
		hm = new(HandshakeMsg)
	}
	m.room = nil
	*hm = HandshakeMsg{Message: m, Side: side}
	switch m.Type {
	case HandshakeTypeClientHello:
		s.setClient(side)
		s.ClientHellos++
		hm.ClientHello, hm.Errors = ParseClientHello(m.Body)
	case HandshakeTypeServerHello:
		s.setClient(side ^ 1)
		sh, errs := ParseServerHello(m.Body)
		hm.ServerHello, hm.Errors = sh, errs
		if sh != nil {
			if sh.HelloRetry {
				s.HelloRetry = sh
			} else {
				s.ServerHello = sh
				s.TLS13 = isTLS13(sh.NegotiatedVersion())
			}
		}
	default:
		hm.Decoded, hm.Errors = DecodeMessage(m, s.context(side))
		if chain := CertificateChain(hm.Decoded); chain != nil {
			_, compressed := hm.Decoded.(*CompressedCertificateMsg)
			for _, e := range chain.Entries {
				fr := m.Frames
				if !compressed {
					fr = m.FramesOf(e.Off, len(e.DER))
				}
				hm.CertFrames = append(hm.CertFrames, fr)
			}
		}
	}
	m.dropKeyShare(hm)
	m.dropSpans()
	return hm
}

// context is what a message from side means in this connection so far.
func (s *Session) context(side Side) MessageContext {
	ctx := MessageContext{TLS13: s.TLS13, FromServer: s.Roles && side != s.ClientSide,
		ParseCertificate: s.ParseCertificate, MaxCertificates: s.MaxCertificates}
	if sh := s.ServerHello; sh != nil {
		ctx.CipherSuite = sh.CipherSuite
		ctx.Version = sh.NegotiatedVersion()
	}
	return ctx
}

// isTLS13 is true for TLS 1.3 and its drafts (0x7F00+n, Facebook 0xFB00+n).
func isTLS13(v Version) bool {
	return v == VersionTLS13 || v>>8 == 0x7F || v>>8 == 0xFB
}

// End reports what was left unfinished when the connection ended.
func (s *Session) End() []*HandshakeMsg {
	var out []*HandshakeMsg
	for side := range s.hs {
		if m := s.hs[side].Flush(); m != nil {
			out = append(out, &HandshakeMsg{Message: m, Side: Side(side), Errors: []*Error{IncompleteError(m)}})
		}
	}
	return out
}

// looksLikeHello: a handshake record that opens with a ClientHello or
// ServerHello header and a TLS legacy_version. Before the ServerHello, a
// ChangeCipherSpec (TLS 1.3 compatibility, or hostile) does not make the
// hellos after it unreadable; an encrypted Finished matches by chance about
// once in 2^23.
func looksLikeHello(b []byte) bool {
	if len(b) < 6 {
		return false
	}
	if t := HandshakeType(b[0]); t != HandshakeTypeClientHello && t != HandshakeTypeServerHello {
		return false
	}
	n := int(b[1])<<16 | int(b[2])<<8 | int(b[3])
	return n >= 2 && b[4] == 3 && b[5] <= 4
}

// looksEncrypted reports whether an alert body cannot be cleartext alerts:
// longer than one alert and with a level that is neither warning nor fatal.
func looksEncrypted(body []byte) bool {
	if len(body) <= 2 {
		return false
	}
	for i := 0; i < len(body); i += 2 {
		if l := AlertLevel(body[i]); l != AlertLevelWarning && l != AlertLevelFatal {
			return true
		}
	}
	return false
}
