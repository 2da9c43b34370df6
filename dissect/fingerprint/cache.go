package fingerprint

import (
	"sync"

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
// one (every fingerprint drops them), so a hit is exactly what computing
// would give. The cache is a map under a lock, shared by the workers (one
// lookup per hello), emptied when it is full: a direct-mapped one of 256
// slots missed 30% of the time on the benchmark capture's 256 distinct
// fingerprints, its slots taken in turn by keys that share them.
const (
	maxPrints    = 4096 // entries per cache
	maxPrintKey  = 1024 // key bytes; a hello with longer lists is not kept
	greaseMarker = 0x0a0a
)

type clientEntry struct {
	ja3 JA3Result
	ja4 JA4Result
}

// printCache maps keys to fingerprints.
type printCache[V any] struct {
	mu sync.Mutex
	m  map[string]V
}

func (c *printCache[V]) get(key []byte) (V, bool) {
	c.mu.Lock()
	v, ok := c.m[string(key)]
	c.mu.Unlock()
	return v, ok
}

func (c *printCache[V]) put(key []byte, v V) {
	c.mu.Lock()
	if c.m == nil || len(c.m) >= maxPrints {
		c.m = make(map[string]V)
	}
	c.m[string(key)] = v
	c.mu.Unlock()
}

var (
	clientPrints printCache[clientEntry]
	serverPrints printCache[JA3Result]
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
	if e, ok := clientPrints.get(key); ok {
		return e.ja3, e.ja4
	}
	e := clientEntry{ja3: JA3(ch), ja4: JA4(ch)}
	clientPrints.put(key, e)
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
	if j, ok := serverPrints.get(key); ok {
		return j
	}
	j := JA3S(sh)
	serverPrints.put(key, j)
	return j
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
