package fingerprint

import (
	"hash/maphash"
	"sync/atomic"

	"github.com/padlock-tls/padlock/dissect"
)

// Fingerprints are shared between hellos that fingerprint alike. One
// client stack's hellos differ in their random, session ID, key shares and
// GREASE values, none of which JA3 or JA4 read, so the connections of a
// capture have a few dozen distinct fingerprints between them: computing
// each once saves the string building, sorting and hashing (and their
// allocations) for every other connection.
//
// The key is every value the fingerprints read, GREASE values folded into
// one (every fingerprint drops them), and it is compared in full on
// lookup, so a hit is exactly what computing would give. The cache is
// direct-mapped and lock-free, like dissect's decoded-extension cache: an
// entry is immutable once published, and workers share it.
const (
	printSlots   = 256
	maxPrintKey  = 1024 // key bytes; a hello with longer lists is not kept
	greaseMarker = 0x0a0a
)

type clientEntry struct {
	key string
	ja3 JA3Result
	ja4 JA4Result
}

type serverEntry struct {
	key  string
	ja3s JA3Result
}

var (
	clientPrints [printSlots]atomic.Pointer[clientEntry]
	serverPrints [printSlots]atomic.Pointer[serverEntry]
	printSeed    = maphash.MakeSeed()
)

// ClientPrints returns JA3(ch) and JA4(ch), from the cache when a hello
// with the same fingerprint inputs was seen.
func ClientPrints(ch *dissect.ClientHello) (JA3Result, JA4Result) {
	if ch == nil {
		return JA3Result{}, JA4Result{}
	}
	var buf [512]byte
	key := clientKey(buf[:0], ch)
	if len(key) > maxPrintKey {
		return JA3(ch), JA4(ch)
	}
	slot := &clientPrints[maphash.Bytes(printSeed, key)%printSlots]
	if e := slot.Load(); e != nil && e.key == string(key) {
		return e.ja3, e.ja4
	}
	e := &clientEntry{key: string(key), ja3: JA3(ch), ja4: JA4(ch)}
	slot.Store(e)
	return e.ja3, e.ja4
}

// ServerPrint returns JA3S(sh), from the cache like ClientPrints.
func ServerPrint(sh *dissect.ServerHello) JA3Result {
	if sh == nil {
		return JA3Result{}
	}
	var buf [256]byte
	key := appendU16(buf[:0], uint16(sh.Version), uint16(sh.CipherSuite))
	key = appendExtTypes(key, sh.Extensions)
	if len(key) > maxPrintKey {
		return JA3S(sh)
	}
	slot := &serverPrints[maphash.Bytes(printSeed, key)%printSlots]
	if e := slot.Load(); e != nil && e.key == string(key) {
		return e.ja3s
	}
	e := &serverEntry{key: string(key), ja3s: JA3S(sh)}
	slot.Store(e)
	return e.ja3s
}

// clientKey appends every ClientHello value JA3 and JA4 read, each list
// preceded by its length so that no two hellos share a key by shifting a
// value from one list to the next.
func clientKey(b []byte, ch *dissect.ClientHello) []byte {
	b = appendU16(b, uint16(ch.Version))
	b = appendList(b, ch.CipherSuites)
	b = appendExtTypes(b, ch.Extensions)
	b = appendList(b, ch.SupportedGroups)
	b = appendList(b, ch.SupportedVersions)
	b = appendList(b, ch.SignatureSchemes)
	b = appendU16(b, uint16(len(ch.ECPointFormats)))
	b = append(b, ch.ECPointFormats...)
	// JA4 reads the first ALPN protocol alone.
	b = appendU16(b, uint16(min(len(ch.ALPN), 1)))
	if len(ch.ALPN) > 0 {
		b = appendU16(b, uint16(len(ch.ALPN[0])))
		b = append(b, ch.ALPN[0]...)
	}
	return b
}

func appendList[T ~uint16](b []byte, vs []T) []byte {
	b = appendU16(b, uint16(len(vs)))
	for _, v := range vs {
		b = appendU16(b, folded(uint16(v)))
	}
	return b
}

func appendExtTypes(b []byte, exts []dissect.Extension) []byte {
	b = appendU16(b, uint16(len(exts)))
	for _, e := range exts {
		b = appendU16(b, folded(uint16(e.Type)))
	}
	return b
}

// folded is v, or one marker for every GREASE value.
func folded(v uint16) uint16 {
	if dissect.IsGREASE(v) {
		return greaseMarker
	}
	return v
}

func appendU16(b []byte, vs ...uint16) []byte {
	for _, v := range vs {
		b = append(b, byte(v>>8), byte(v))
	}
	return b
}
