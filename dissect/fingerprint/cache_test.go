package fingerprint

import (
	"testing"
	"unsafe"

	"github.com/stretchr/testify/assert"
)

// The cache gives what computing gives, for hellos that differ in any one
// value a fingerprint reads, and shares the result between hellos that
// differ only in what none reads (random, key shares, GREASE values).
func TestClientPrintsCached(t *testing.T) {
	base := func(version uint16, ciphers []uint16, exts ...ext) []byte {
		return clientHelloBytes(version, ciphers, exts)
	}
	ciphers := []uint16{0x1301, 0x1302, 0xc02f}
	std := []ext{sniExt("a.example"), groupsExt(0x001d, 0x0017), pointFormatsExt(0), sigAlgsExt(0x0403, 0x0804),
		versionsExt(0x0304, 0x0303), alpnExt("h2", "http/1.1"), plainExt(0x0033)}
	with := func(i int, e ext) []ext {
		out := append([]ext(nil), std...)
		out[i] = e
		return out
	}
	distinct := map[string][]byte{
		"base":                base(0x0303, ciphers, std...),
		"legacy version":      base(0x0301, ciphers, std...),
		"a cipher":            base(0x0303, []uint16{0x1301, 0x1303, 0xc02f}, std...),
		"cipher order":        base(0x0303, []uint16{0x1302, 0x1301, 0xc02f}, std...),
		"no SNI":              base(0x0303, ciphers, with(0, plainExt(0x0017))...),
		"a group":             base(0x0303, ciphers, with(1, groupsExt(0x001d, 0x0018))...),
		"a point format":      base(0x0303, ciphers, with(2, pointFormatsExt(0, 1))...),
		"a signature scheme":  base(0x0303, ciphers, with(3, sigAlgsExt(0x0403, 0x0805))...),
		"supported versions":  base(0x0303, ciphers, with(4, versionsExt(0x0303))...),
		"first ALPN":          base(0x0303, ciphers, with(5, alpnExt("h3", "http/1.1"))...),
		"extension order":     base(0x0303, ciphers, append([]ext{std[1], std[0]}, std[2:]...)...),
		"list moved to next":  base(0x0303, ciphers, with(1, groupsExt(0x001d))...),
		"no ALPN":             base(0x0303, ciphers, with(5, plainExt(0x0017))...),
		"a GREASE extension":  base(0x0303, ciphers, append(std, ext{0x1a1a, nil})...),
		"a GREASE cipher":     base(0x0303, append([]uint16{0x2a2a}, ciphers...), std...),
		"no extensions block": base(0x0303, ciphers),
	}
	seen := map[string]string{}
	for name, body := range distinct {
		ch := parseCH(t, body)
		j3, j4 := ClientPrints(ch)
		assert.Equal(t, JA3(ch), j3, name)
		assert.Equal(t, JA4(ch), j4, name)
		// Asked again, from the cache.
		j3, j4 = ClientPrints(ch)
		assert.Equal(t, JA3(ch), j3, name)
		assert.Equal(t, JA4(ch), j4, name)
		seen[name] = j4.JA4RO + " " + j3.Full
	}

	// Only what no fingerprint reads differs: the same result, shared.
	a := parseCH(t, base(0x0303, append([]uint16{0x2a2a}, ciphers...), append(std, ext{0x1a1a, nil})...))
	b := parseCH(t, base(0x0303, append([]uint16{0x3a3a}, ciphers...), append(std, ext{0x4a4a, nil})...))
	b.Random = []byte("another random, 32 bytes long...")
	a3, a4 := ClientPrints(a)
	b3, b4 := ClientPrints(b)
	assert.Equal(t, JA3(b), b3)
	assert.Equal(t, JA4(b), b4)
	assert.Equal(t, unsafe.StringData(a3.Full), unsafe.StringData(b3.Full), "one JA3 for both")
	assert.Equal(t, unsafe.StringData(a4.JA4), unsafe.StringData(b4.JA4), "one JA4 for both")
}

func TestServerPrintCached(t *testing.T) {
	bodies := [][]byte{
		serverHelloBytes(0x0303, 0x1301, []ext{{0x002b, []byte{3, 4}}, plainExt(0x0033)}),
		serverHelloBytes(0x0303, 0x1302, []ext{{0x002b, []byte{3, 4}}, plainExt(0x0033)}),
		serverHelloBytes(0x0303, 0x1301, []ext{plainExt(0x0033), {0x002b, []byte{3, 4}}}),
		serverHelloBytes(0x0301, 0x1301, []ext{{0x002b, []byte{3, 4}}, plainExt(0x0033)}),
		serverHelloBytes(0x0303, 0xc02f, nil),
	}
	for _, body := range bodies {
		sh := parseSH(t, body)
		assert.Equal(t, JA3S(sh), ServerPrint(sh))
		assert.Equal(t, JA3S(sh), ServerPrint(sh))
	}
}
