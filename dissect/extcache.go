package dissect

import (
	"hash/maphash"
	"sync/atomic"
	"unsafe"
)

// Decoded extensions are shared between hellos that send the same bytes.
// Most connections of a capture come from a handful of client stacks,
// which send the same supported_groups, signature_algorithms,
// supported_versions, ALPN, ... every time: decoding them once saves the
// work and, since a hello keeps its decoded extensions until its report is
// built, the memory of every open flow (a third of an idle one's).
//
// A decoded value is never changed once made (nothing writes into an
// Extension's Decoded), so one is handed to every hello that sends the
// bytes. Only bodies that decode without a problem are kept: a problem's
// error names an offset in its own message. A kept value is decoded from
// the cache's own copy of the bytes, so it refers to no connection's
// record. Bodies that differ on every connection (key shares, PSK
// identities and binders, tickets, cookies, ECH) are not kept.
//
// The cache is direct-mapped and lock-free: workers decode in parallel, an
// entry is immutable once published, and a later body with the same slot
// replaces it.
const (
	extCacheSlots = 1024
	maxCachedExt  = 256 // body bytes
)

type extEntry struct {
	ctx  ExtContext
	typ  ExtensionType
	body string
	v    any
}

var (
	extCache     [extCacheSlots]atomic.Pointer[extEntry]
	extCacheSeed = maphash.MakeSeed()
)

// uncached are the extensions whose bodies are new on every connection.
func uncached(t ExtensionType) bool {
	switch t {
	case ExtensionKeyShare, ExtensionPreSharedKey, ExtensionSessionTicket, ExtensionCookie,
		ExtensionEncryptedClientHello, ExtensionRenegotiationInfo:
		return true
	}
	return false
}

func extSlot(ctx ExtContext, t ExtensionType, body []byte) *atomic.Pointer[extEntry] {
	h := maphash.Bytes(extCacheSeed, body) ^ uint64(t)<<8 ^ uint64(ctx)
	h ^= h >> 29
	return &extCache[h%extCacheSlots]
}

// cachedDecode is decode through the cache.
func (d *dec) cachedDecode(t ExtensionType, body []byte) (any, bool) {
	fn := extDecoders[t]
	if len(body) > maxCachedExt || uncached(t) || fn == nil || len(d.errs) >= maxErrors {
		return d.decodeWith(fn, t, body)
	}
	slot := extSlot(d.ctx, t, body)
	if e := slot.Load(); e != nil && e.ctx == d.ctx && e.typ == t && e.body == string(body) {
		return e.v, false
	}
	n := len(d.errs)
	v, bad := d.decodeWith(fn, t, body)
	if bad || len(d.errs) != n {
		return v, bad
	}
	own := append([]byte(nil), body...)
	od := &dec{ctx: d.ctx}
	od.root, od.what = own, d.what
	kept, _ := od.decodeWith(fn, t, own)
	e := &extEntry{ctx: d.ctx, typ: t, v: kept}
	if len(own) > 0 {
		e.body = unsafe.String(&own[0], len(own)) // own is never written again
	}
	slot.Store(e)
	return v, bad
}
