package dissect

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func rec(side Side, typ ContentType, n int, body []byte) RecordIn {
	return RecordIn{Side: side, Type: typ, Body: body, Number: n, Frames: FramesFunc(func(off, l int) []int { return []int{n} })}
}

func TestSessionTLS12EncryptionFollowsCCS(t *testing.T) {
	s := NewSession()
	// A ServerHello (TLS 1.2, no extensions), then CCS and an encrypted Finished.
	sh := append([]byte{2, 0, 0, 38, 3, 3}, make([]byte, 32)...)
	sh = append(sh, 0, 0xc0, 0x2f, 0)
	res := s.Record(rec(1, ContentTypeHandshake, 1, sh))
	require.Len(t, res.Messages, 1)
	require.NotNil(t, res.Messages[0].ServerHello)
	assert.True(t, s.Roles)
	assert.Equal(t, Side(0), s.ClientSide, "the ServerHello's sender is the server")
	res = s.Record(rec(1, ContentTypeChangeCipherSpec, 2, []byte{1}))
	assert.True(t, res.CCS)
	res = s.Record(rec(1, ContentTypeHandshake, 3, make([]byte, 40)))
	assert.True(t, res.Encrypted)
	require.Len(t, res.Messages, 1)
	assert.True(t, res.Messages[0].Encrypted)
	res = s.Record(rec(1, ContentTypeAlert, 4, make([]byte, 26)))
	require.Len(t, res.Alerts, 1)
	assert.True(t, res.Alerts[0].Encrypted)
}

func TestSessionCleartextAlert(t *testing.T) {
	s := NewSession()
	res := s.Record(rec(1, ContentTypeAlert, 1, []byte{2, 70}))
	require.Len(t, res.Alerts, 1)
	assert.Equal(t, "protocol_version", res.Alerts[0].Description.String())
	assert.Equal(t, "fatal", res.Alerts[0].Level.String())
	assert.Equal(t, []int{1}, res.Alerts[0].Frames)

	res = s.Record(rec(1, ContentTypeAlert, 2, []byte{2}))
	require.Len(t, res.Errors, 1)
	assert.Equal(t, CodeAlertMalformed, res.Errors[0].Code)
}

func TestSessionCompatCCSBeforeServerHello(t *testing.T) {
	s := NewSession()
	s.ClientHellos = 1 // a ClientHello was seen
	s.Record(rec(0, ContentTypeChangeCipherSpec, 1, []byte{1}))
	// After a HelloRetryRequest the client's second ClientHello follows its
	// compatibility CCS in cleartext (RFC 8446, Appendix D.4).
	// (The start of one: type, uint24 length, legacy_version 3,3.)
	res := s.Record(rec(0, ContentTypeHandshake, 2, []byte{1, 0, 0, 0x2c, 3, 3, 0xaa, 0xbb}))
	assert.False(t, res.Encrypted)
}

// When the ServerHello was lost, a TLS 1.2 client's CCS is not taken for a
// compatibility record: its encrypted Finished (40 bytes of ciphertext,
// here one that happens to start with 0x14 like a Finished header) stays
// encrypted instead of being decoded as garbage.
func TestSessionCCSWithServerHelloLost(t *testing.T) {
	s := NewSession()
	s.ClientHellos = 1
	s.Record(rec(0, ContentTypeChangeCipherSpec, 1, []byte{1}))
	fin := append([]byte{0x14, 0x43, 0xf7, 0x0d}, make([]byte, 36)...)
	res := s.Record(rec(0, ContentTypeHandshake, 2, fin))
	assert.True(t, res.Encrypted)
	assert.Empty(t, res.Errors)
}

// FuzzSession feeds records of fuzzer-chosen types and sides: no panic.
func FuzzSession(f *testing.F) {
	f.Add([]byte{22, 0, 1, 0, 0, 0, 20, 1, 1, 21, 0, 2, 40})
	f.Fuzz(func(t *testing.T, data []byte) {
		s := NewSession()
		for i, n := 0, 1; i+2 < len(data); n++ {
			typ, side, l := data[i], Side(data[i+1]&1), int(data[i+2])
			i += 3
			body := data[i:min(i+l, len(data))]
			i += len(body)
			s.Record(RecordIn{Side: side, Type: ContentType(typ), Body: body, Number: n, SSLv2: typ == 0x80,
				Header: []byte{0x80, byte(len(body))}})
		}
		s.End()
	})
}
