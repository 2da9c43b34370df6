package report

import (
	"strconv"
	"sync/atomic"

	"github.com/padlock-tls/padlock/dissect"
	"github.com/padlock-tls/padlock/internal/jsonenc"
)

// codeCache keeps code points' rendered {"code":N,"name":"..."}: a hello
// lists dozens, and looking the name up (some are built on each call) and
// escaping it cost more than the copy. Direct-mapped, so bounded however
// many distinct codes hostile hellos send; safe for concurrent use, as a
// slot holds one immutable entry, replaced whole.
type codeCache struct {
	slots [codeCacheSlots]atomic.Pointer[codeJSON]
}

// codeCacheSlots is prime: code points cluster in ranges (0xC0xx, 0x13xx).
const codeCacheSlots = 509

type codeJSON struct {
	code uint16
	json []byte
}

var cipherSuiteJSON, versionJSON, groupJSON, signatureSchemeJSON codeCache

// codeCacheOf returns the cache for T's code points, or nil for a type
// without one.
func codeCacheOf[T any]() *codeCache {
	var zero T
	switch any(zero).(type) {
	case dissect.CipherSuite:
		return &cipherSuiteJSON
	case dissect.Version:
		return &versionJSON
	case dissect.NamedGroup:
		return &groupJSON
	case dissect.SignatureScheme:
		return &signatureSchemeJSON
	}
	return nil
}

// appendCode appends v's object, from the cache when it holds it.
func appendCode[T interface {
	~uint8 | ~uint16
	String() string
}](dst []byte, c *codeCache, v T) []byte {
	code := uint16(v)
	var slot *atomic.Pointer[codeJSON]
	if c != nil {
		slot = &c.slots[code%codeCacheSlots]
		if e := slot.Load(); e != nil && e.code == code {
			return append(dst, e.json...)
		}
	}
	start := len(dst)
	dst = append(dst, `{"code":`...)
	dst = strconv.AppendInt(dst, int64(v), 10)
	dst = append(dst, `,"name":`...)
	dst = jsonenc.AppendString(dst, v.String())
	dst = append(dst, '}')
	if slot != nil {
		slot.Store(&codeJSON{code: code, json: append([]byte(nil), dst[start:]...)})
	}
	return dst
}
