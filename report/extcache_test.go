package report

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/padlock-tls/padlock/dissect"
	"github.com/padlock-tls/padlock/internal/jsonenc"
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
			want, err := Extension{ext: &exts[0]}.AppendJSON(nil)
			require.NoError(t, err)
			require.Equal(t, string(want), string(c.json(ctx, &exts[0])), "%v", ctx)
		}
	}
	ch, _ := dissect.ParseExtensionsIn(block, dissect.ExtContextClientHello, 0)
	sh, _ := dissect.ParseExtensionsIn(block, dissect.ExtContextServerHello, 0)
	require.NotEqual(t, string(c.json(dissect.ExtContextClientHello, &ch[0])), string(c.json(dissect.ExtContextServerHello, &sh[0])))
}

// Lists and hex rendered straight from the parsed hello read as
// encoding/json wrote the []CodeName and hex strings they replace: empty
// lists omitted where omitempty, [] where not, "" for no session ID.
func TestHelloDetailJSON(t *testing.T) {
	for _, ch := range []*dissect.ClientHello{
		{},
		{Random: []byte{1, 2}, CipherSuites: []dissect.CipherSuite{0x1301, 0x0a0a}, SupportedVersions: []dissect.Version{0x0304},
			SupportedGroups: []dissect.NamedGroup{29}, SignatureSchemes: []dissect.SignatureScheme{0x0804}},
		{CipherSuites: []dissect.CipherSuite{}, SupportedVersions: []dissect.Version{}},
	} {
		d := clientHelloFields(ch, nil)
		got, err := jsonenc.Marshal(d)
		require.NoError(t, err)
		var want bytes.Buffer
		enc := json.NewEncoder(&want)
		enc.SetEscapeHTML(false)
		require.NoError(t, enc.Encode(legacyHello(ch)))
		require.Equal(t, strings.TrimSuffix(want.String(), "\n"), string(got))
	}
}

// legacyHello is the ClientHello detail as it was before codeList and
// hexBytes, without extensions and fingerprints.
func legacyHello(ch *dissect.ClientHello) any {
	names := func(n int, at func(int) (int, string)) []CodeName {
		out := make([]CodeName, n)
		for i := range out {
			out[i].Code, out[i].Name = at(i)
		}
		return out
	}
	return struct {
		Version            string      `json:"version"`
		VersionCode        int         `json:"version_code"`
		Random             string      `json:"random"`
		SessionID          string      `json:"session_id"`
		SessionIDLength    int         `json:"session_id_length"`
		CipherSuites       []CodeName  `json:"cipher_suites"`
		CompressionMethods []int       `json:"compression_methods"`
		Extensions         []Extension `json:"extensions"`
		SNI                string      `json:"sni,omitempty"`
		ALPN               []string    `json:"alpn,omitempty"`
		SupportedVersions  []CodeName  `json:"supported_versions,omitempty"`
		SupportedGroups    []CodeName  `json:"supported_groups,omitempty"`
		SignatureSchemes   []CodeName  `json:"signature_algorithms,omitempty"`
		SSLv2              bool        `json:"sslv2,omitempty"`
	}{
		Version: ch.Version.String(), VersionCode: int(ch.Version),
		Random: hex.EncodeToString(ch.Random), SessionID: hex.EncodeToString(ch.SessionID), SessionIDLength: len(ch.SessionID),
		CipherSuites: names(len(ch.CipherSuites), func(i int) (int, string) {
			return int(ch.CipherSuites[i]), ch.CipherSuites[i].String()
		}),
		CompressionMethods: clientHelloFields(ch, nil).CompressionMethods,
		Extensions:         []Extension{},
		SupportedVersions: names(len(ch.SupportedVersions), func(i int) (int, string) {
			return int(ch.SupportedVersions[i]), ch.SupportedVersions[i].String()
		}),
		SupportedGroups: names(len(ch.SupportedGroups), func(i int) (int, string) {
			return int(ch.SupportedGroups[i]), ch.SupportedGroups[i].String()
		}),
		SignatureSchemes: names(len(ch.SignatureSchemes), func(i int) (int, string) {
			return int(ch.SignatureSchemes[i]), ch.SignatureSchemes[i].String()
		}),
	}
}

// The hellos' hand-written JSON is what encoding/json writes for the same
// fields, in every hello of the bundled captures.
func TestHelloDetailsAsEncodingJSON(t *testing.T) {
	type plainClientHello clientHelloDetail // the fields, without the methods
	type plainServerHello serverHelloDetail
	n := 0
	for _, c := range benchConnections(t) {
		for _, h := range c.Handshake {
			var got []byte
			var plain any
			var err error
			switch d := h.Detail.(type) {
			case clientHelloDetail:
				got, err = d.AppendJSON(nil)
				plain = plainClientHello(d)
			case serverHelloDetail:
				got, err = d.AppendJSON(nil)
				plain = plainServerHello(d)
			default:
				continue
			}
			require.NoError(t, err)
			var want bytes.Buffer
			enc := json.NewEncoder(&want)
			enc.SetEscapeHTML(false)
			require.NoError(t, enc.Encode(plain))
			require.Equal(t, strings.TrimSuffix(want.String(), "\n"), string(got), "connection %d, %s", c.ID, h.Type)
			n++
		}
	}
	require.Greater(t, n, 50, "hellos compared")
}
