package report

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/padlock-tls/padlock/dissect"
)

// An extension's JSON from the cache is what rendering it gives, in every
// hello of the bundled captures (one builder: hellos of later files hit
// entries of earlier ones).
func TestExtCacheSameJSON(t *testing.T) {
	cached := 0
	for _, c := range benchConnections(t) {
		for _, h := range c.Handshake {
			var exts []Extension
			switch d := h.Detail.(type) {
			case clientHelloDetail:
				exts = d.Extensions
			case serverHelloDetail:
				exts = d.Extensions
			}
			for _, e := range exts {
				if e.json == nil {
					continue
				}
				cached++
				want, err := Extension{ext: e.ext}.AppendJSON(nil)
				require.NoError(t, err)
				require.Equal(t, string(want), string(e.json), "connection %d, %s, extension %d", c.ID, h.Type, e.ext.Type)
			}
		}
	}
	require.Greater(t, cached, 100, "extensions served from the cache")
}

// The same bytes in a ClientHello and in a ServerHello are different
// extensions (supported_versions: a list, or the version chosen): the
// cache keeps them apart.
func TestExtCacheContexts(t *testing.T) {
	block := []byte{0, 43, 0, 2, 0x03, 0x04}
	var c extCache
	for range 2 { // a miss, then a hit
		for _, ctx := range []dissect.ExtContext{dissect.ExtContextClientHello, dissect.ExtContextServerHello} {
			exts, _ := dissect.ParseExtensionsIn(block, ctx, 0)
			require.Len(t, exts, 1)
			want, err := Extension{ext: exts[0]}.AppendJSON(nil)
			require.NoError(t, err)
			require.Equal(t, string(want), string(c.json(ctx, exts[0])), "%v", ctx)
		}
	}
	ch, _ := dissect.ParseExtensionsIn(block, dissect.ExtContextClientHello, 0)
	sh, _ := dissect.ParseExtensionsIn(block, dissect.ExtContextServerHello, 0)
	require.NotEqual(t, string(c.json(dissect.ExtContextClientHello, ch[0])), string(c.json(dissect.ExtContextServerHello, sh[0])))
}
