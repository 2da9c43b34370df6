package report

import (
	"errors"

	"github.com/padlock-tls/padlock/decrypt"
	"github.com/padlock-tls/padlock/dissect"
	"github.com/padlock-tls/padlock/dissect/iana"
	"github.com/padlock-tls/padlock/reassembly"
)

// Decryption says, for a connection seen with key material (--keylog,
// SSLKEYLOGFILE, pcapng Decryption Secrets Blocks), whether its records
// could be opened, and if not why.
type Decryption struct {
	// Status: "decrypted" (every protected record opened), "partial"
	// (some did not), "failed" (none did), or "no_key".
	Status string `json:"status"`
	// Labels are the key log labels found for the client random.
	Labels []string `json:"labels,omitempty"`
	Suite  string   `json:"cipher_suite,omitempty"`
	// Records counts the records opened and Failed those that did not.
	Records    PerSide `json:"records_decrypted"`
	Failed     PerSide `json:"records_failed"`
	KeyUpdates PerSide `json:"key_updates"`
	EarlyData  int     `json:"early_data_records,omitempty"`
	// EarlySkipped counts client records taken as rejected 0-RTT data;
	// EarlyRejected says the client moved to its handshake keys without
	// an EndOfEarlyData (the server refused the 0-RTT data).
	EarlySkipped   int     `json:"early_data_skipped,omitempty"`
	EarlyRejected  bool    `json:"early_data_rejected,omitempty"`
	Renegotiations PerSide `json:"renegotiations"`
	// Code and Reason give the first failure ("no key for client random
	// ...", "authentication failed at record N").
	Code   string `json:"code,omitempty"`
	Reason string `json:"reason,omitempty"`
	Frame  int    `json:"frame,omitempty"`
}

// maxDecryptErrors caps the decryption errors listed per connection:
// with wrong keys every record fails the same way.
const maxDecryptErrors = 4

// decryptState is the per-connection decryption.
type decryptState struct {
	tried  bool
	conn   *decrypt.Conn
	info   *Decryption
	errors int
	// early holds the client's application_data records sent before the
	// ServerHello (0-RTT data, RFC 8446 Section 4.2.10): the decryptor,
	// made at the ServerHello, must count them to open EndOfEarlyData.
	early []earlyRecord
}

type earlyRecord struct {
	version uint16
	body    []byte
}

// maxEarlyRecords caps the 0-RTT records kept per connection.
const maxEarlyRecords = 64

// open decrypts r when the connection has keys: it returns the record's
// plaintext content type and bytes and true, or false to dissect r as is.
// Every record after the ServerHello goes through the decryptor, so it
// sees each direction's ChangeCipherSpec and counts sequence numbers.
func (b *Builder) open(s *connState, r *reassembly.Record) (uint8, []byte, bool) {
	if b.Keys == nil || !s.sess.Roles || r.SSLv2 {
		return nullCipher(s, r)
	}
	if s.sess.ServerHello == nil {
		if r.Type == uint8(dissect.ContentTypeApplicationData) && dissect.Side(r.Dir) == s.sess.ClientSide && len(s.dec.early) < maxEarlyRecords {
			s.dec.early = append(s.dec.early, earlyRecord{r.Version, r.Body})
		}
		return 0, nil, false
	}
	d := &s.dec
	if !d.tried {
		if e, ok := b.Keys.(interface{ Empty() bool }); ok && e.Empty() {
			return nullCipher(s, r) // no key material at all: nothing to say
		}
		d.tried = true
		d.info = &Decryption{}
		ch := lastClientHello(s)
		sh := s.sess.ServerHello
		if ch == nil {
			d.info.Status, d.info.Code, d.info.Reason = "failed", "no_client_hello", "the ClientHello was not captured, so its random (the key log's index) is unknown"
			return 0, nil, false
		}
		p := decrypt.Params{Version: uint16(sh.NegotiatedVersion()), CipherSuite: uint16(sh.CipherSuite),
			ClientRandom: ch.Random, ServerRandom: sh.Random,
			EncryptThenMAC: ext(ch.Extensions, dissect.ExtensionEncryptThenMAC) != nil && ext(sh.Extensions, dissect.ExtensionEncryptThenMAC) != nil,
			EarlyData:      ext(ch.Extensions, dissect.ExtensionEarlyData) != nil}
		c, err := decrypt.New(p, b.Keys)
		if err != nil {
			d.info.Status = "failed"
			d.fail(err, r.LastFrame())
			if d.info.Code == string(decrypt.CodeNoKey) {
				d.info.Status = "no_key"
			}
			return 0, nil, false
		}
		d.conn = c
		d.info.Labels, d.info.Suite = c.Labels(), c.Suite()
		for _, e := range d.early {
			// Their plaintext is application data: counted, not kept.
			c.Record(decrypt.Client, uint8(dissect.ContentTypeApplicationData), e.version, e.body)
		}
		d.early = nil
	}
	if d.conn == nil {
		return nullCipher(s, r)
	}
	from := decrypt.Client
	if dissect.Side(r.Dir) != s.sess.ClientSide {
		from = decrypt.Server
	}
	pt, err := d.conn.Record(from, r.Type, r.Version, r.Body)
	if err != nil {
		if d.errors < maxDecryptErrors {
			var de *decrypt.Error
			code := "decrypt_failed"
			if errors.As(err, &de) {
				code = "decrypt_" + string(de.Code)
			}
			s.errs = append(s.errs, pendingError{e: Error{Code: code, Message: err.Error(), Where: "record", Frame: r.LastFrame(), Record: len(s.records) + 1},
				side: dissect.Side(r.Dir), has: true})
		}
		d.errors++
		d.fail(err, r.LastFrame())
		return 0, nil, false
	}
	if !pt.Decrypted {
		return 0, nil, false
	}
	return pt.Type, pt.Data, true
}

// gap tells the decryptor that side's stream lost bytes: the next
// records are tried at later sequence numbers.
func (s *connState) gap(side dissect.Side) {
	if s.dec.conn == nil || !s.sess.Roles {
		return
	}
	from := decrypt.Client
	if side != s.sess.ClientSide {
		from = decrypt.Server
	}
	s.dec.conn.Gap(from)
}

// renegotiated hands the decryptor the hellos of a TLS 1.2 renegotiation
// that decryption revealed, so it follows the new keys.
func (s *connState) renegotiated(res dissect.RecordResult) {
	if s.dec.conn == nil || !res.Decrypted {
		return
	}
	for _, m := range res.Messages {
		if m.ServerHello == nil || m.ServerHello.HelloRetry {
			continue
		}
		var ch *dissect.ClientHello
		for _, p := range s.msgs {
			if p.Decrypted && p.ClientHello != nil {
				ch = p.ClientHello
			}
		}
		if ch == nil {
			continue
		}
		sh := m.ServerHello
		p := decrypt.Params{Version: uint16(sh.NegotiatedVersion()), CipherSuite: uint16(sh.CipherSuite),
			ClientRandom: ch.Random, ServerRandom: sh.Random,
			EncryptThenMAC: ext(ch.Extensions, dissect.ExtensionEncryptThenMAC) != nil && ext(sh.Extensions, dissect.ExtensionEncryptThenMAC) != nil}
		if err := s.dec.conn.Renegotiate(p); err != nil {
			s.dec.fail(err, 0)
		}
	}
}

// nullMAC is the MAC length of the TLS 1.2-and-older suites that
// authenticate but do not encrypt (TLS_*_WITH_NULL_*, RFC 5246 Appendix
// C): their protected records are the plaintext followed by the MAC, so
// they are read without keys, as tshark reads them (the MAC unchecked).
var nullMAC = map[string]int{"MD5": 16, "SHA": 20, "SHA256": 32, "SHA384": 48}

// nullCipher reads a protected record of a NULL-encryption suite.
func nullCipher(s *connState, r *reassembly.Record) (uint8, []byte, bool) {
	if t := dissect.ContentType(r.Type); t != dissect.ContentTypeHandshake && t != dissect.ContentTypeAlert {
		return 0, nil, false // application data needs no reading
	}
	sh := s.sess.ServerHello
	if sh == nil || s.sess.TLS13 || !s.sess.Protected(dissect.Side(r.Dir), dissect.ContentType(r.Type)) {
		return 0, nil, false
	}
	info, ok := iana.CipherSuiteInfo(uint16(sh.CipherSuite))
	mac := nullMAC[info.MAC]
	if !ok || info.Cipher != "NULL" || mac == 0 || len(r.Body) < mac {
		return 0, nil, false
	}
	return r.Type, r.Body[:len(r.Body)-mac], true
}

// fail notes the first failure.
func (d *decryptState) fail(err error, frame int) {
	if d.info.Code != "" {
		return
	}
	d.info.Code, d.info.Reason, d.info.Frame = "decrypt_failed", err.Error(), frame
	var de *decrypt.Error
	if errors.As(err, &de) {
		d.info.Code, d.info.Reason = string(de.Code), de.Msg
		if de.Record > 0 {
			d.info.Reason = de.Error()
		}
	}
}

// decryption finishes the connection's Decryption object.
func (d *decryptState) report(client, server dissect.Side) *Decryption {
	if d.info == nil {
		return nil
	}
	if d.conn != nil {
		st := d.conn.Stats()
		d.info.Records = PerSide{Client: st.Decrypted[decrypt.Client], Server: st.Decrypted[decrypt.Server]}
		d.info.Failed = PerSide{Client: st.Failed[decrypt.Client], Server: st.Failed[decrypt.Server]}
		d.info.KeyUpdates = PerSide{Client: st.KeyUpdates[decrypt.Client], Server: st.KeyUpdates[decrypt.Server]}
		d.info.EarlyData, d.info.EarlySkipped, d.info.EarlyRejected = st.EarlyData, st.EarlySkipped, st.EarlyRejected
		d.info.Renegotiations = PerSide{Client: st.Renegotiations[decrypt.Client], Server: st.Renegotiations[decrypt.Server]}
		ok := d.info.Records.Client + d.info.Records.Server
		bad := d.info.Failed.Client + d.info.Failed.Server
		switch {
		case bad == 0:
			d.info.Status = "decrypted"
		case ok > 0:
			d.info.Status = "partial"
		default:
			d.info.Status = "failed"
		}
	}
	return d.info
}

// lastClientHello is the ClientHello the server answered.
func lastClientHello(s *connState) *dissect.ClientHello {
	var ch *dissect.ClientHello
	for _, m := range s.msgs {
		if m.ClientHello != nil {
			ch = m.ClientHello
		}
	}
	return ch
}

// clampFrames maps offsets in a decrypted record's plaintext to frames of
// the ciphertext. The plaintext sits inside the ciphertext, after at most
// an explicit nonce or IV (TLS 1.2: 8 or 16 bytes; TLS 1.3: none), so a
// byte range is taken at the same offsets, clamped to the record: exact in
// TLS 1.3, off by the nonce in TLS 1.2 only where a packet boundary falls
// within those bytes of a message.
func clampFrames(r *reassembly.Record) dissect.FramesFunc {
	body := len(r.Body)
	return func(off, n int) []int {
		if body == 0 {
			return r.Frames()
		}
		lo := min(off, body-1)
		hi := max(min(off+n, body), lo+1)
		return r.FramesOf(lo, hi-lo)
	}
}
