package report

import (
	"encoding/hex"

	"github.com/padlock-tls/padlock/dissect"
	"github.com/padlock-tls/padlock/dissect/fingerprint"
)

// Certificate is one certificate of a chain as the report lists it: who
// sent it, where it stood in the chain, the frames that carried its bytes,
// and every field dissect decoded (flattened into the same object).
type Certificate struct {
	From string `json:"from"`
	// Index is the position in the chain: 0 is the sender's own certificate.
	Index int `json:"index"`
	// Message is the index in handshake[] of the message that carried it.
	Message int `json:"message"`
	*dissect.Certificate
	Frames []int `json:"frames"`
	// JA4X and JA4XR are only computed with --ja4plus (FoxIO License 1.1).
	JA4X  string `json:"ja4x,omitempty"`
	JA4XR string `json:"ja4x_r,omitempty"`

	cache *certCache // encodes the certificate's own fields once
}

// Fingerprints of the connection's hellos and certificates.
type Fingerprints struct {
	JA3      string `json:"ja3,omitempty"`
	JA3Full  string `json:"ja3_full,omitempty"`
	JA3S     string `json:"ja3s,omitempty"`
	JA3SFull string `json:"ja3s_full,omitempty"`
	JA4      string `json:"ja4,omitempty"`
	JA4R     string `json:"ja4_r,omitempty"`
	JA4O     string `json:"ja4_o,omitempty"`
	JA4RO    string `json:"ja4_ro,omitempty"`
	// JA4+ (FoxIO License 1.1), only with --ja4plus.
	JA4S  string   `json:"ja4s,omitempty"`
	JA4SR string   `json:"ja4s_r,omitempty"`
	JA4X  []string `json:"ja4x,omitempty"`
}

// certificates lists every certificate of every Certificate (or
// CompressedCertificate) message, in handshake order.
func certificates(s *connState, from func(dissect.Side) string, ja4plus bool, cache *certCache) []Certificate {
	out := []Certificate{}
	for mi, m := range s.msgs {
		chain := dissect.CertificateChain(m.Decoded)
		if chain == nil {
			continue
		}
		for i, e := range chain.Entries {
			if e.Cert == nil {
				continue
			}
			c := Certificate{From: from(m.Side), Index: i, Message: mi, Certificate: e.Cert, Frames: m.Frames, cache: cache}
			if i < len(m.CertFrames) && len(m.CertFrames[i]) > 0 {
				c.Frames = m.CertFrames[i]
			}
			if ja4plus {
				c.JA4X, c.JA4XR, _ = fingerprint.JA4X(e.DER)
			}
			out = append(out, c)
		}
	}
	return out
}

// fingerprints computes JA3/JA4 of the ClientHello the server answered
// (the last one) and JA3S of the ServerHello; JA4S (of the first
// ServerHello-typed message, as FoxIO's tools do) and JA4X only with ja4plus.
func fingerprints(s *connState, ch *dissect.ClientHello, certs []Certificate, ja4plus bool) *Fingerprints {
	f := &Fingerprints{}
	if ch != nil && !ch.SSLv2 {
		p := s.helloPrints(ch)
		f.JA3, f.JA3Full = p.ja3.Hash, p.ja3.Full
		j4 := p.ja4
		f.JA4, f.JA4R, f.JA4O, f.JA4RO = j4.JA4, j4.JA4R, j4.JA4O, j4.JA4RO
	}
	if sh := s.sess.ServerHello; sh != nil {
		j := fingerprint.ServerPrint(sh)
		f.JA3S, f.JA3SFull = j.Hash, j.Full
	}
	if ja4plus {
		first := s.sess.ServerHello
		for _, m := range s.msgs {
			if m.ServerHello != nil {
				first = m.ServerHello
				break
			}
		}
		if first != nil {
			f.JA4S, f.JA4SR = fingerprint.JA4S(first)
		}
		for _, c := range certs {
			if c.From == "server" && c.JA4X != "" {
				f.JA4X = append(f.JA4X, c.JA4X)
			}
		}
	}
	if f.JA3 == "" && f.JA3S == "" && f.JA4 == "" && f.JA4S == "" {
		return nil
	}
	return f
}

// decoded returns the first message from side whose value is a T.
func decoded[T any](s *connState, side dissect.Side) (T, bool) {
	for _, m := range s.msgs {
		if m.Side != side || m.Decoded == nil {
			continue
		}
		if v, ok := m.Decoded.(T); ok {
			return v, true
		}
	}
	var zero T
	return zero, false
}

// keyExchange fills what the cleartext key exchange showed: TLS 1.2's
// group and signature scheme from the ServerKeyExchange, and whether a
// client certificate was asked for and sent.
func keyExchange(t *TLSInfo, s *connState, client, server dissect.Side) {
	if ske, ok := decoded[*dissect.ServerKeyExchangeMsg](s, server); ok {
		if ske.ECDHParams != nil && ske.NamedGroup != nil && t.Group == "" {
			t.Group, t.GroupCode = ske.NamedGroup.Name, ske.NamedGroup.Code
		}
		if ske.DHParams != nil {
			t.DHBits = ske.PrimeBits
		}
		if ske.SignatureInfo != nil && ske.SignatureScheme != nil {
			t.SignatureScheme, t.SignatureSchemeCode = ske.SignatureScheme.Name, ske.SignatureScheme.Code
		}
	}
	if cv, ok := decoded[*dissect.CertificateVerifyMsg](s, server); ok && cv.SignatureScheme != nil && t.SignatureScheme == "" {
		t.SignatureScheme, t.SignatureSchemeCode = cv.SignatureScheme.Name, cv.SignatureScheme.Code
	}
	if _, ok := decoded[*dissect.CertificateRequestMsg](s, server); ok {
		t.ClientCertificateRequested = true
	}
	if c, ok := decoded[*dissect.CertificateMsg](s, client); ok {
		sent := len(c.Entries) > 0
		t.ClientCertificateSent = &sent
	}
	if t.EarlyDataOffered {
		// RFC 8446, Section 4.2.10: the server accepts 0-RTT by putting
		// early_data in its EncryptedExtensions, which only keys reveal.
		t.EarlyData = "unknown"
		if ee, ok := decoded[*dissect.EncryptedExtensionsMsg](s, server); ok {
			t.EarlyData = "rejected"
			if ext(ee.Extensions, dissect.ExtensionEarlyData) != nil {
				t.EarlyData = "accepted"
			}
		} else if s.sess.ServerHello != nil && !s.sess.TLS13 {
			t.EarlyData = "rejected" // a TLS 1.2 server has no 0-RTT
		}
	}
	for _, m := range s.msgs {
		if m.ServerHello != nil && !m.ServerHello.HelloRetry {
			t.Renegotiations++
		}
	}
	if t.Renegotiations > 0 {
		t.Renegotiations-- // the first ServerHello is the handshake itself
	}
}

// certificateMsgDetail is a Certificate message in handshake[]: the chain's
// shape, each entry pointing at its full decoding in certificates[] so a
// chain is not written twice.
type certificateMsgDetail struct {
	Context    *string            `json:"certificate_request_context,omitempty"`
	ListLength int                `json:"certificates_length"`
	Count      int                `json:"certificate_count"`
	Capped     bool               `json:"certificates_capped,omitempty"`
	Entries    []certificateEntry `json:"certificates"`
}

type certificateEntry struct {
	Length int    `json:"length"`
	SHA256 string `json:"sha256,omitempty"`
	// Subject and Issuer repeat certificates[Index]'s, to read the chain at
	// a glance.
	Subject    string                    `json:"subject,omitempty"`
	Issuer     string                    `json:"issuer,omitempty"`
	Index      *int                      `json:"certificate,omitempty"` // index in certificates[]
	Extensions dissect.ExtensionList     `json:"extensions,omitempty"`
	OCSP       *dissect.OCSPResponseInfo `json:"ocsp_response,omitempty"`
}

func certificateDetail(c *dissect.CertificateMsg, first int) certificateMsgDetail {
	d := certificateMsgDetail{ListLength: c.ListLength, Count: c.Count, Capped: c.Capped, Entries: []certificateEntry{}}
	if c.TLS13 {
		ctx := hex.EncodeToString(c.Context)
		d.Context = &ctx
	}
	n := first
	for _, e := range c.Entries {
		en := certificateEntry{Length: len(e.DER), Extensions: e.Extensions, OCSP: e.OCSP}
		if e.Cert != nil {
			idx := n
			n++
			en.Index = &idx
			en.SHA256, en.Subject, en.Issuer = e.Cert.SHA256, e.Cert.Subject, e.Cert.Issuer
		}
		d.Entries = append(d.Entries, en)
	}
	return d
}

// compressedCertificateDetail is a CompressedCertificate with its chain
// shown as certificateDetail does.
type compressedCertificateDetail struct {
	Algorithm          dissect.CodeName      `json:"algorithm"`
	UncompressedLength int                   `json:"uncompressed_length"`
	CompressedLength   int                   `json:"compressed_length"`
	Certificate        *certificateMsgDetail `json:"certificate,omitempty"`
}

// messageDetail is what handshake[] shows of a decoded message; first is
// the index in certificates[] of its first certificate.
func messageDetail(v any, first int) any {
	switch m := v.(type) {
	case *dissect.CertificateMsg:
		return certificateDetail(m, first)
	case *dissect.CompressedCertificateMsg:
		d := compressedCertificateDetail{Algorithm: m.Algorithm, UncompressedLength: m.UncompressedLength, CompressedLength: m.CompressedLength}
		if m.Certificate != nil {
			c := certificateDetail(m.Certificate, first)
			d.Certificate = &c
		}
		return d
	}
	return v
}

// parsedCount is how many certificates of a chain certificates[] lists.
func parsedCount(v any) int {
	c := dissect.CertificateChain(v)
	if c == nil {
		return 0
	}
	n := 0
	for _, e := range c.Entries {
		if e.Cert != nil {
			n++
		}
	}
	return n
}
