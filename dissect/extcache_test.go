package dissect

import (
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Two hellos with the same extension bytes share one decoded value, which
// refers to neither hello's bytes: the first hello's record may be gone
// (or its buffer reused) while the second's report is built.
func TestExtCacheShares(t *testing.T) {
	block := unhex(helloExt(10, "0006 001d 0017 0018") + helloExt(13, "0006 0403 0804 0401") + helloExt(43, "04 0304 0303") +
		helloExt(16, "000c 02 6832 08 687474702f312e31"))
	first := append([]byte(nil), block...)
	_, errs := ParseExtensionsIn(first, ExtContextClientHello, 0)
	require.Empty(t, errs)
	second := append([]byte(nil), block...)
	b, errs := ParseExtensionsIn(second, ExtContextClientHello, 0)
	require.Empty(t, errs)
	require.Len(t, b, 4)
	want := decodeFresh(t, block, ExtContextClientHello)
	for i := range first {
		first[i], second[i] = 0xee, 0xee // both records' buffers reused
	}
	for i, e := range b {
		assert.Equal(t, want[i].Decoded, e.Decoded, "%s", e.Type)
	}
	c, _ := ParseExtensionsIn(block, ExtContextClientHello, 0)
	// Two bodies that hash to one slot (the seed is random) take turns
	// in it, each hello decoding them afresh: only the others are shared.
	slots := map[any]int{}
	for _, e := range c {
		slots[extSlot(ExtContextClientHello, e.Type, e.Data)]++
	}
	shared := 0
	for i := range c {
		if slots[extSlot(ExtContextClientHello, c[i].Type, c[i].Data)] == 1 {
			assert.Same(t, c[i].Decoded, b[i].Decoded, "%s: one value for every hello", c[i].Type)
			shared++
		}
	}
	require.Positive(t, shared)

	// The same bytes mean another thing in a ServerHello.
	sv := unhex(helloExt(43, "0304"))
	ch, _ := ParseExtensionsIn(sv, ExtContextClientHello, 0)
	sh, _ := ParseExtensionsIn(sv, ExtContextServerHello, 0)
	assert.NotEqual(t, ch[0].Decoded, sh[0].Decoded)
	assert.Equal(t, decodeFresh(t, sv, ExtContextServerHello)[0].Decoded, sh[0].Decoded)
}

// A body with a problem is decoded each time, so that its error names the
// offset in its own message; key shares are never kept.
func TestExtCacheSkips(t *testing.T) {
	bad := unhex(helloExt(10, "0005 001d 0017 00")) // odd list length
	for _, base := range []int{7, 70} {
		_, errs := ParseExtensionsIn(bad, ExtContextClientHello, base)
		require.NotEmpty(t, errs)
		assert.GreaterOrEqual(t, errs[0].Off, base)
	}
	ks := unhex(helloExt(51, "0024 001d 0020 "+"11223344556677881122334455667788"+"11223344556677881122334455667788"))
	x, _ := ParseExtensionsIn(ks, ExtContextClientHello, 0)
	y, _ := ParseExtensionsIn(ks, ExtContextClientHello, 0)
	assert.NotSame(t, x[0].Decoded, y[0].Decoded)
	assert.Equal(t, x[0].Decoded, y[0].Decoded)
}

// Workers parse hellos in parallel (go test -race).
func TestExtCacheConcurrent(t *testing.T) {
	blocks := [][]byte{
		unhex(helloExt(10, "0004 001d 0017")),
		unhex(helloExt(10, "0004 0017 001d")),
		unhex(helloExt(13, "0004 0403 0804")),
		unhex(helloExt(16, "0003 02 6832")),
	}
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 500 {
				b := blocks[(g+i)%len(blocks)]
				exts, errs := ParseExtensionsIn(b, ExtContextClientHello, 0)
				if len(errs) != 0 || len(exts) != 1 {
					t.Errorf("%x: %v", b, errs)
					return
				}
			}
		}()
	}
	wg.Wait()
}

// decodeFresh decodes block's extensions without the cache.
func decodeFresh(t *testing.T, block []byte, ctx ExtContext) []Extension {
	t.Helper()
	d := &dec{ctx: ctx}
	d.root, d.what = block, "extensions"
	var out []Extension
	s := block
	for len(s) >= 4 {
		typ := ExtensionType(uint16(s[0])<<8 | uint16(s[1]))
		n := int(s[2])<<8 | int(s[3])
		body := append([]byte(nil), s[4:4+n]...)
		v, _ := d.decode(typ, body)
		out = append(out, Extension{Type: typ, Decoded: v})
		s = s[4+n:]
	}
	return out
}
