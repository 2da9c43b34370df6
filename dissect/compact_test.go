package dissect

import (
	"bytes"
	"fmt"
	"os"
	"reflect"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A hello with a post-quantum key share keeps a copy of its body without
// the key exchange bytes: every field it reports reads the same, and none
// refers to the record any more (which is what lets the record go).
func TestCompactHello(t *testing.T) {
	for _, name := range []string{"hello-go126-tls13-client_hello.bin", "hello-go126-hrr-client_hello.bin"} {
		t.Run(name, func(t *testing.T) {
			raw, err := os.ReadFile("testdata/" + name)
			require.NoError(t, err)
			body := bytes.Clone(raw)
			ch, errs := ParseClientHello(body)
			require.Empty(t, errs)
			want, _ := ParseClientHello(bytes.Clone(raw))

			out, ok := compactHello(ch, body)
			require.True(t, ok, "X25519MLKEM768 share: compacted")
			ks := -1
			for i, e := range want.Extensions {
				if e.Type == ExtensionKeyShare {
					ks = i
				}
			}
			require.GreaterOrEqual(t, ks, 0)
			assert.Equal(t, len(body)-len(want.Extensions[ks].Data), len(out), "the copy lacks just the key exchange bytes")

			assert.Equal(t, want.SNI, ch.SNI)
			assert.Empty(t, compactedLike(body, [][]byte{ch.Random, ch.SessionID, ch.CompressionMethods},
				[][]byte{want.Random, want.SessionID, want.CompressionMethods}, ch.Extensions, want.Extensions))
			assert.False(t, inside(body, ch.ECPointFormats))
		})
	}
}

// Hellos with small key shares, or none, or an undecoded one, are left alone.
func TestCompactHelloLeavesAlone(t *testing.T) {
	x25519 := append([]byte{0x00, 0x24, 0x00, 0x1d, 0x00, 0x20}, make([]byte, 32)...)
	small := clientHelloWith(t, ExtensionKeyShare, x25519)
	ch, _ := ParseClientHello(small)
	_, ok := compactHello(ch, small)
	assert.False(t, ok, "an X25519 share is small")

	big := append([]byte{0x04, 0xc4, 0x11, 0xec, 0x04, 0xc0}, make([]byte, 1216)...)
	hello := clientHelloWith(t, ExtensionKeyShare, big)
	ch, _ = ParseClientHello(hello)
	require.NotNil(t, ch.Extensions[0].Decoded)
	ch.Extensions[0].Decoded = nil // as if it could not be read: shown in hex
	before := bytes.Clone(ch.Extensions[0].Data)
	_, ok = compactHello(ch, hello)
	assert.False(t, ok, "an undecoded key_share is shown in hex")
	assert.Equal(t, before, ch.Extensions[0].Data)

	assert.False(t, func() bool { _, ok := compactHello(nil, nil); return ok }())
}

// clientHelloWith is a minimal ClientHello body with one extension.
func clientHelloWith(t *testing.T, typ ExtensionType, data []byte) []byte {
	t.Helper()
	var b []byte
	b = append(b, 3, 3)
	b = append(b, make([]byte, 32)...)
	b = append(b, 0)                // session ID
	b = append(b, 0, 2, 0x13, 0x01) // cipher suites
	b = append(b, 1, 0)             // compression
	ext := append([]byte{byte(typ >> 8), byte(typ), byte(len(data) >> 8), byte(len(data))}, data...)
	b = append(b, byte(len(ext)>>8), byte(len(ext)))
	return append(b, ext...)
}

// Through a session: the message stays complete, and its body is the copy.
func TestCompactHelloInSession(t *testing.T) {
	hello, err := os.ReadFile("testdata/hello-go126-tls13-client_hello.bin")
	require.NoError(t, err)
	msg := append([]byte{byte(HandshakeTypeClientHello), byte(len(hello) >> 16), byte(len(hello) >> 8), byte(len(hello))}, hello...)
	s := NewSession()
	res := s.Record(RecordIn{Side: 0, Type: ContentTypeHandshake, Version: 0x0301, Header: []byte{22, 3, 1, byte(len(msg) >> 8), byte(len(msg))}, Body: msg, Number: 1})
	require.Len(t, res.Messages, 1)
	m := res.Messages[0]
	require.NotNil(t, m.ClientHello)
	assert.True(t, m.Complete())
	assert.Equal(t, len(hello), m.Length)
	assert.Less(t, len(m.Body), 300, "the body without its key exchange bytes")
	assert.False(t, inside(msg, m.Body))
	assert.False(t, inside(msg, m.ClientHello.Random))
}

// A ServerHello with a post-quantum share is compacted the same way.
func TestCompactServerHello(t *testing.T) {
	raw, err := os.ReadFile("testdata/hello-go126-tls13-server_hello.bin")
	require.NoError(t, err)
	body := bytes.Clone(raw)
	sh, errs := ParseServerHello(body)
	require.Empty(t, errs)
	want, _ := ParseServerHello(bytes.Clone(raw))
	out, ok := compactServerHello(sh, body)
	require.True(t, ok, "X25519MLKEM768 server share: compacted")
	assert.Less(t, len(out), 200)
	assert.Equal(t, want.SelectedGroup, sh.SelectedGroup)
	assert.Equal(t, want.KeyShareLength, sh.KeyShareLength)
	assert.Empty(t, compactedLike(body, [][]byte{sh.Random, sh.SessionID}, [][]byte{want.Random, want.SessionID}, sh.Extensions, want.Extensions))

	// A HelloRetryRequest's key_share is a bare group: nothing to drop.
	hrr, err := os.ReadFile("testdata/hello-go126-hrr-server_hello.bin")
	require.NoError(t, err)
	h, _ := ParseServerHello(hrr)
	_, ok = compactServerHello(h, hrr)
	assert.False(t, ok)
}

// compactedLike says how a compacted hello's fields and extensions differ
// from want's, those of the same hello parsed again, or that one still
// points into body; "" when none does. Only the key_share body may differ,
// as zeros of its length.
func compactedLike(body []byte, fields, wantFields [][]byte, exts, wantExts []Extension) string {
	for i, f := range fields {
		if !bytes.Equal(f, wantFields[i]) || inside(body, f) {
			return fmt.Sprintf("field %d changed or still points into the record", i)
		}
	}
	if len(exts) != len(wantExts) {
		return fmt.Sprintf("%d extensions, want %d", len(exts), len(wantExts))
	}
	for i, e := range exts {
		w := wantExts[i]
		data := w.Data
		if e.Type == ExtensionKeyShare && len(e.Data) > compactKeyShare {
			data = make([]byte, len(w.Data))
		}
		switch {
		case e.Type != w.Type || e.Off != w.Off || !reflect.DeepEqual(e.Decoded, w.Decoded):
			return fmt.Sprintf("extension %d (%v) changed", i, e.Type)
		case !bytes.Equal(e.Data, data) || len(e.Data) != len(w.Data):
			return fmt.Sprintf("extension %d (%v): body changed", i, e.Type)
		case inside(body, e.Data):
			return fmt.Sprintf("extension %d (%v) still points into the record", i, e.Type)
		}
	}
	return ""
}
