package fingerprint

import (
	"encoding/hex"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"golang.org/x/crypto/cryptobyte"

	"github.com/padlock-tls/padlock/dissect"
)

// Test helpers that build hello messages on the wire and decode them with
// dissect, so every fingerprint test goes through the real decoder and its
// convenience fields (ALPN, SupportedVersions, SignatureSchemes, ...).

// ext is one extension to encode: a type and its body.
type ext struct {
	typ  uint16
	body []byte
}

func sniExt(host string) ext {
	var b cryptobyte.Builder
	b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) {
		b.AddUint8(0) // host_name
		b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) { b.AddBytes([]byte(host)) })
	})
	return ext{0x0000, b.BytesOrPanic()}
}

func alpnExt(protos ...string) ext {
	var b cryptobyte.Builder
	b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) {
		for _, p := range protos {
			b.AddUint8LengthPrefixed(func(b *cryptobyte.Builder) { b.AddBytes([]byte(p)) })
		}
	})
	return ext{0x0010, b.BytesOrPanic()}
}

// u16ListExt is a uint16-length-prefixed list of uint16 values
// (supported_groups, signature_algorithms).
func u16ListExt(typ uint16, vs ...uint16) ext {
	var b cryptobyte.Builder
	b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) {
		for _, v := range vs {
			b.AddUint16(v)
		}
	})
	return ext{typ, b.BytesOrPanic()}
}

func groupsExt(vs ...uint16) ext  { return u16ListExt(0x000a, vs...) }
func sigAlgsExt(vs ...uint16) ext { return u16ListExt(0x000d, vs...) }

func pointFormatsExt(vs ...uint8) ext {
	var b cryptobyte.Builder
	b.AddUint8LengthPrefixed(func(b *cryptobyte.Builder) { b.AddBytes(vs) })
	return ext{0x000b, b.BytesOrPanic()}
}

// versionsExt is the ClientHello supported_versions list.
func versionsExt(vs ...uint16) ext {
	var b cryptobyte.Builder
	b.AddUint8LengthPrefixed(func(b *cryptobyte.Builder) {
		for _, v := range vs {
			b.AddUint16(v)
		}
	})
	return ext{0x002b, b.BytesOrPanic()}
}

// plainExt is an extension with a body that its decoder accepts where that
// is easy, and an empty body otherwise (a decode error does not drop the
// extension from the list, which is all fingerprints need).
func plainExt(typ uint16) ext {
	switch typ {
	case 0xff01: // renegotiation_info: empty renegotiated_connection
		return ext{typ, []byte{0}}
	case 0x002d: // psk_key_exchange_modes: psk_dhe_ke
		return ext{typ, []byte{1, 1}}
	case 0x0033: // key_share: empty client_shares
		return ext{typ, []byte{0, 0}}
	case 0x0005: // status_request: ocsp, no responders, no extensions
		return ext{typ, []byte{1, 0, 0, 0, 0}}
	}
	return ext{typ, nil}
}

// clientHelloBytes encodes a ClientHello body (RFC 8446, Section 4.1.2).
// exts == nil leaves the extensions block out entirely.
func clientHelloBytes(version uint16, ciphers []uint16, exts []ext) []byte {
	var b cryptobyte.Builder
	b.AddUint16(version)
	b.AddBytes(make([]byte, 32))
	b.AddUint8LengthPrefixed(func(*cryptobyte.Builder) {})
	b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) {
		for _, c := range ciphers {
			b.AddUint16(c)
		}
	})
	b.AddUint8LengthPrefixed(func(b *cryptobyte.Builder) { b.AddUint8(0) })
	if exts != nil {
		addExtensions(&b, exts)
	}
	return b.BytesOrPanic()
}

// serverHelloBytes encodes a ServerHello body (RFC 8446, Section 4.1.3).
func serverHelloBytes(version, cipher uint16, exts []ext) []byte {
	var b cryptobyte.Builder
	b.AddUint16(version)
	b.AddBytes(make([]byte, 32))
	b.AddUint8LengthPrefixed(func(*cryptobyte.Builder) {})
	b.AddUint16(cipher)
	b.AddUint8(0)
	if exts != nil {
		addExtensions(&b, exts)
	}
	return b.BytesOrPanic()
}

func addExtensions(b *cryptobyte.Builder, exts []ext) {
	b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) {
		for _, e := range exts {
			b.AddUint16(e.typ)
			b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) { b.AddBytes(e.body) })
		}
	})
}

func parseCH(t testing.TB, body []byte) *dissect.ClientHello {
	t.Helper()
	ch, _ := dissect.ParseClientHello(body)
	require.NotNil(t, ch)
	return ch
}

func parseSH(t testing.TB, body []byte) *dissect.ServerHello {
	t.Helper()
	sh, _ := dissect.ParseServerHello(body)
	require.NotNil(t, sh)
	return sh
}

// hexList parses "002f,0035,..." into values; "" is the empty list.
func hexList(t testing.TB, s string) []uint16 {
	t.Helper()
	if s == "" {
		return nil
	}
	var out []uint16
	for _, f := range strings.Split(s, ",") {
		b, err := hex.DecodeString(f)
		require.NoError(t, err, f)
		require.Len(t, b, 2, f)
		out = append(out, uint16(b[0])<<8|uint16(b[1]))
	}
	return out
}
