package dissect

import (
	"bytes"
	"encoding/json"
	"testing"
)

// Fuzz targets for DecodeMessage and ParseHeartbeat (STYLE.md 2.4), seeded
// from the testdata/msg-*.bin fixtures and the hand-written cases. Crashers
// land in testdata/fuzz/<FuzzName>/ and are replayed by every `go test`.
//
// The property: no panic; a value for every type but the hellos; errors
// with a code, a message and an offset inside the body, at most the
// per-message cap; a certificate entry's DER found in the body at its
// offset; JSON that marshals. The version is not a fuzz input: the
// messages whose layout depends on it are decoded with the version unknown
// (the layouts are inferred), SSL 3.0, TLS 1.0 and TLS 1.2.
//
// Run with a short -fuzzminimizetime (say 5s): the seeds include 3 KB
// certificate chains, and minimizing one byte at a time takes minutes.

var fuzzVersions = []Version{0, VersionSSL30, VersionTLS10, VersionTLS12}

func FuzzDecodeMessage(f *testing.F) {
	for _, m := range msgFixtures(f) {
		f.Add(byte(m.typ), m.ctx.TLS13, uint16(m.ctx.CipherSuite), m.body)
	}
	for _, tc := range handCases {
		f.Add(byte(tc.typ), tc.ctx.TLS13, uint16(tc.ctx.CipherSuite), unhex(tc.hex))
	}
	for _, tc := range handCompressed() {
		f.Add(byte(HandshakeTypeCompressedCert), true, uint16(0), tc.body)
	}
	f.Fuzz(func(t *testing.T, typ byte, tls13 bool, suite uint16, body []byte) {
		versions := fuzzVersions
		switch HandshakeType(typ) {
		case HandshakeTypeServerKeyExchange, HandshakeTypeClientKeyExchange,
			HandshakeTypeCertificateRequest, HandshakeTypeCertificateVerify:
		default:
			versions = versions[:1] // the version changes nothing else
		}
		for _, ver := range versions {
			ctx := MessageContext{TLS13: tls13, CipherSuite: CipherSuite(suite), Version: ver}
			if tls13 {
				ctx.Version = VersionTLS13
			}
			in := bytes.Clone(body)
			v, errs := DecodeMessage(&Message{Type: HandshakeType(typ), Length: len(in), Body: in}, ctx)
			if !bytes.Equal(in, body) {
				t.Fatal("the decoder changed its input")
			}
			if v == nil {
				if typ != byte(HandshakeTypeClientHello) && typ != byte(HandshakeTypeServerHello) {
					t.Fatalf("nil value for type %d", typ)
				}
				continue
			}
			if len(errs) > maxErrors+1 {
				t.Fatalf("%d errors", len(errs))
			}
			for _, e := range errs {
				if e.Code == "" || e.Msg == "" || e.Off < 0 || e.Off > len(body) {
					t.Fatalf("bad error %+v for a %d-byte body", e, len(body))
				}
			}
			if c, ok := v.(*CertificateMsg); ok {
				if len(c.Entries) > maxChainCertificates {
					t.Fatalf("%d entries", len(c.Entries))
				}
				for _, e := range c.Entries {
					if e.Off < 0 || e.Off+len(e.DER) > len(body) || !bytes.Equal(body[e.Off:e.Off+len(e.DER)], e.DER) {
						t.Fatalf("entry at %d: DER does not match the body", e.Off)
					}
				}
			}
			if _, err := json.Marshal(v); err != nil {
				t.Fatalf("%T: %v", v, err)
			}
		}
	})
}

func FuzzParseHeartbeat(f *testing.F) {
	f.Add(unhex("01 0003 616263" + repeat("00", 16)))
	f.Add(unhex("01 4000"))
	f.Add(unhex("02 0000" + repeat("00", 20)))
	f.Fuzz(func(t *testing.T, body []byte) {
		h, errs := ParseHeartbeat(body)
		if h == nil {
			t.Fatal("nil heartbeat")
		}
		for _, e := range errs {
			if e.Code == "" || e.Off < 0 || e.Off > len(body) {
				t.Fatalf("bad error %+v", e)
			}
		}
		if len(body) >= 3 && h.Overread != (h.PayloadLength+3+16 > len(body)) {
			t.Fatalf("overread %v for payload_length %d in %d bytes", h.Overread, h.PayloadLength, len(body))
		}
		if h.PayloadAvailable < 0 || h.PayloadAvailable > len(body) {
			t.Fatalf("payload_available %d", h.PayloadAvailable)
		}
	})
}
