package fingerprint

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/padlock-tls/padlock/dissect"
)

// jaSpecExample is the worked example of FoxIO's JA4.md ("Example" and
// "Raw Output"): a Chrome ClientHello in wire order, GREASE already
// removed. The JA4_ro line gives the original order of ciphers and
// extensions.
var jaSpecExample = struct {
	ciphers, exts, sigs         string
	ja4, ja4R, ja4O, ja4RO      string
	sortedCiphers, cipherHash   string
	sortedExtsSigs, extSigsHash string
	sortedExts, extsOnlyHash    string
}{
	ciphers: "1301,1302,1303,c02b,c02f,c02c,c030,cca9,cca8,c013,c014,009c,009d,002f,0035",
	exts:    "001b,0000,0033,0010,4469,0017,002d,000d,0005,0023,0012,002b,ff01,000b,000a,0015",
	sigs:    "0403,0804,0401,0503,0805,0501,0806,0601",
	ja4:     "t13d1516h2_8daaf6152771_e5627efa2ab1",
	ja4R:    "t13d1516h2_002f,0035,009c,009d,1301,1302,1303,c013,c014,c02b,c02c,c02f,c030,cca8,cca9_0005,000a,000b,000d,0012,0015,0017,001b,0023,002b,002d,0033,4469,ff01_0403,0804,0401,0503,0805,0501,0806,0601",
	// ja4_o and ja4_ro keep SNI and ALPN ("This means SNI (0000) and ALPN
	// (0010) are included"; FoxIO-LLC/ja4#40 settled that the text, not
	// the older Rust code, is right).
	ja4O:           "t13d1516h2_acb858a92679_18f69afefd3d",
	ja4RO:          "t13d1516h2_1301,1302,1303,c02b,c02f,c02c,c030,cca9,cca8,c013,c014,009c,009d,002f,0035_001b,0000,0033,0010,4469,0017,002d,000d,0005,0023,0012,002b,ff01,000b,000a,0015_0403,0804,0401,0503,0805,0501,0806,0601",
	sortedCiphers:  "002f,0035,009c,009d,1301,1302,1303,c013,c014,c02b,c02c,c02f,c030,cca8,cca9",
	cipherHash:     "8daaf6152771",
	sortedExtsSigs: "0005,000a,000b,000d,0012,0015,0017,001b,0023,002b,002d,0033,4469,ff01_0403,0804,0401,0503,0805,0501,0806,0601",
	extSigsHash:    "e5627efa2ab1",
	// "If there are no signature algorithms in the hello packet, then the
	// string ends without an underscore and is hashed."
	sortedExts:   "0005,000a,000b,000d,0012,0015,0017,001b,0023,002b,002d,0033,4469,ff01",
	extsOnlyHash: "6d807ffa2a79",
}

// specHelloExts turns a list of extension types into extensions with
// bodies, giving server_name, ALPN, supported_versions and
// signature_algorithms the values JA4 reads.
func specHelloExts(t *testing.T, types []uint16, alpn []string, versions []uint16, sigs []uint16) []ext {
	t.Helper()
	var out []ext
	for _, typ := range types {
		switch typ {
		case 0x0000:
			out = append(out, sniExt("example.com"))
		case 0x0010:
			out = append(out, alpnExt(alpn...))
		case 0x002b:
			out = append(out, versionsExt(versions...))
		case 0x000d:
			out = append(out, sigAlgsExt(sigs...))
		default:
			out = append(out, plainExt(typ))
		}
	}
	return out
}

func TestJA4SpecSections(t *testing.T) {
	ex := jaSpecExample
	assert.Equal(t, ex.cipherHash, string(appendHash12(nil, []byte(ex.sortedCiphers))))
	assert.Equal(t, ex.extSigsHash, string(appendHash12(nil, []byte(ex.sortedExtsSigs))))
	assert.Equal(t, ex.extsOnlyHash, string(appendHash12(nil, []byte(ex.sortedExts))))
	// JA4.md gives the whole digest of the c section too.
	sum := sha256.Sum256([]byte(ex.sortedExtsSigs))
	assert.Equal(t, "e5627efa2ab19723084c1033a96c694a45826ab5a460d2d3fd5ffcfe97161c95", hex.EncodeToString(sum[:]))
	assert.Equal(t, emptyHash, string(appendHash12(nil, nil)))
}

func TestJA4SpecExample(t *testing.T) {
	ex := jaSpecExample
	sigs := hexList(t, ex.sigs)
	versions := []uint16{0x0304, 0x0303}
	plain := clientHelloBytes(0x0303, hexList(t, ex.ciphers),
		specHelloExts(t, hexList(t, ex.exts), []string{"h2", "http/1.1"}, versions, sigs))
	want := JA4Result{JA4: ex.ja4, JA4R: ex.ja4R, JA4O: ex.ja4O, JA4RO: ex.ja4RO}
	assert.Equal(t, want, JA4(parseCH(t, plain)))

	// The same hello the way Chrome sends it: GREASE first among the
	// ciphers, GREASE extensions first and last, GREASE in
	// supported_versions, supported_groups and (since Chrome 152)
	// signature_algorithms. JA4 "needs to ignore GREASE values anywhere it
	// sees them", so nothing changes.
	gCiphers := append([]uint16{0x0a0a}, hexList(t, ex.ciphers)...)
	gExts := []ext{{0x1a1a, nil}}
	gExts = append(gExts, specHelloExts(t, hexList(t, ex.exts), []string{"h2", "http/1.1"},
		[]uint16{0x2a2a, 0x0304, 0x0303}, append([]uint16{0x3a3a}, sigs...))...)
	gExts = append(gExts, ext{0x4a4a, []byte{0}})
	for i, e := range gExts {
		if e.typ == 0x000a {
			gExts[i] = groupsExt(0x5a5a, 0x001d, 0x0017)
		}
	}
	assert.Equal(t, want, JA4(parseCH(t, clientHelloBytes(0x0303, gCiphers, gExts))))
}

// TestJA4FoxIOVectors checks the golden files of FoxIO's own JA4 module for
// NGINX (FoxIO-LLC/ja4-nginx-module, test/testdata/*.txt), which give JA4
// with its raw string. The ClientHello is rebuilt from the raw string: the
// listed ciphers, the listed extensions plus server_name (for "d") and
// ALPN, the signature algorithms, and supported_versions for TLS 1.3.
func TestJA4FoxIOVectors(t *testing.T) {
	tests := []struct {
		file string // in ja4-nginx-module/test/testdata
		alpn string
		ja4  string
		ja4R string
	}{
		{
			file: "tls12_h11.txt", alpn: "http/1.1",
			ja4:  "t12d2708h1_a2460661a67a_eed5f1524d5c",
			ja4R: "t12d2708h1_002f,0033,0035,0039,003c,003d,0067,006b,009c,009d,009e,009f,c009,c00a,c013,c014,c023,c024,c027,c028,c02b,c02c,c02f,c030,cca8,cca9,ccaa_000a,000b,000d,0016,0017,ff01_0403,0503,0603,0807,0808,0809,080a,080b,0804,0805,0806,0401,0501,0601,0303,0301,0302,0402,0502,0602",
		},
		{
			file: "tls13_h2.txt", alpn: "h2",
			ja4:  "t13d3012h2_1d37bd780c83_882d495ac381",
			ja4R: "t13d3012h2_002f,0033,0035,0039,003c,003d,0067,006b,009c,009d,009e,009f,1301,1302,1303,c009,c00a,c013,c014,c023,c024,c027,c028,c02b,c02c,c02f,c030,cca8,cca9,ccaa_000a,000b,000d,0016,0017,002b,002d,0031,0033,ff01_0905,0906,0904,0403,0503,0603,0807,0808,081a,081b,081c,0809,080a,080b,0804,0805,0806,0401,0501,0601,0303,0301,0302,0402,0502,0602",
		},
		{
			file: "no_sni_ip.txt", alpn: "h2",
			ja4:  "t13i3011h2_1d37bd780c83_882d495ac381",
			ja4R: "t13i3011h2_002f,0033,0035,0039,003c,003d,0067,006b,009c,009d,009e,009f,1301,1302,1303,c009,c00a,c013,c014,c023,c024,c027,c028,c02b,c02c,c02f,c030,cca8,cca9,ccaa_000a,000b,000d,0016,0017,002b,002d,0031,0033,ff01_0905,0906,0904,0403,0503,0603,0807,0808,081a,081b,081c,0809,080a,080b,0804,0805,0806,0401,0501,0601,0303,0301,0302,0402,0502,0602",
		},
		{
			// Chrome with ECH (fe0d) and the new ALPS code point (44cd).
			file: "ech_alps.txt", alpn: "h2",
			ja4:  "t13d1516h2_8daaf6152771_d8a2da3f94cd",
			ja4R: "t13d1516h2_002f,0035,009c,009d,1301,1302,1303,c013,c014,c02b,c02c,c02f,c030,cca8,cca9_0005,000a,000b,000d,0012,0017,001b,0023,002b,002d,0033,44cd,fe0d,ff01_0403,0804,0401,0503,0805,0501,0806,0601",
		},
	}
	for _, tc := range tests {
		t.Run(strings.TrimSuffix(tc.file, ".txt"), func(t *testing.T) {
			parts := strings.Split(tc.ja4R, "_")
			require.Len(t, parts, 4)
			a, ciphers, exts, sigs := parts[0], hexList(t, parts[1]), hexList(t, parts[2]), hexList(t, parts[3])
			if a[3] == 'd' {
				exts = append([]uint16{0x0000}, exts...)
			}
			exts = append(exts, 0x0010)
			legacy, versions := uint16(0x0303), []uint16(nil)
			if a[1:3] == "13" {
				versions = []uint16{0x0304, 0x0303}
			}
			body := clientHelloBytes(legacy, ciphers, specHelloExts(t, exts, []string{tc.alpn}, versions, sigs))
			got := JA4(parseCH(t, body))
			assert.Equal(t, tc.ja4, got.JA4)
			assert.Equal(t, tc.ja4R, got.JA4R)
		})
	}
}

func TestJA4Version(t *testing.T) {
	tests := []struct {
		name     string
		legacy   uint16
		versions []uint16 // nil: no supported_versions extension
		want     string
	}{
		{"tls13_supported_versions", 0x0303, []uint16{0x0304, 0x0303}, "13"},
		{"highest_not_first", 0x0303, []uint16{0x0302, 0x0304, 0x0303}, "13"},
		{"grease_ignored", 0x0303, []uint16{0xfafa, 0x0303}, "12"},
		{"only_grease_falls_back_to_legacy", 0x0301, []uint16{0x0a0a}, "10"},
		{"legacy_tls12", 0x0303, nil, "12"},
		{"legacy_tls11", 0x0302, nil, "11"},
		{"legacy_tls10", 0x0301, nil, "10"},
		{"legacy_ssl3", 0x0300, nil, "s3"},
		{"unknown", 0x0305, nil, "00"},
		// "the highest value in the extension": a draft 0x7f1c is higher
		// than 0x0304 and is not a known code.
		{"draft_is_highest", 0x0303, []uint16{0x7f1c, 0x0304}, "00"},
		// The record version ("Handshake version ... should be ignored")
		// never enters: only legacy_version and supported_versions exist
		// in a decoded ClientHello.
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			exts := []ext{}
			if tc.versions != nil {
				exts = append(exts, versionsExt(tc.versions...))
			}
			got := JA4(parseCH(t, clientHelloBytes(tc.legacy, []uint16{0x1301}, exts)))
			assert.Equal(t, tc.want, got.JA4[1:3], got.JA4)
		})
	}
	// An SSLv2 CLIENT-HELLO for SSL 2.0 carries version 0x0002.
	assert.Equal(t, "ts2i", JA4(&dissect.ClientHello{Version: 0x0002, SSLv2: true}).JA4[:4])
}

func TestJA4ALPN(t *testing.T) {
	tests := []struct {
		name  string
		alpn  []string // nil: no ALPN extension
		want  string
		empty bool // an ALPN extension with an empty list
	}{
		{name: "none", want: "00"},
		{name: "empty_list", empty: true, want: "00"},
		{name: "empty_first_value", alpn: []string{"", "h2"}, want: "00"},
		{name: "h2", alpn: []string{"h2", "http/1.1"}, want: "h2"},
		{name: "http11", alpn: []string{"http/1.1"}, want: "h1"},
		{name: "h3", alpn: []string{"h3"}, want: "h3"},
		// "If the first ALPN value is only a single character, then that
		// character is treated as both the first and last character."
		{name: "single_char", alpn: []string{"x"}, want: "xx"},
		// JA4.md: non-alphanumeric first or last byte: "we print the first
		// and last characters of the hex representation of the first ALPN
		// instead", with these five examples.
		{name: "hex_ab", alpn: []string{"\xab"}, want: "ab"},
		{name: "hex_abcd", alpn: []string{"\xab\xcd"}, want: "ad"},
		{name: "hex_30ab", alpn: []string{"\x30\xab"}, want: "3b"},
		{name: "hex_3031abcd", alpn: []string{"\x30\x31\xab\xcd"}, want: "3d"},
		{name: "alnum_ends_30abcd31", alpn: []string{"\x30\xab\xcd\x31"}, want: "01"},
		{name: "punctuation_end", alpn: []string{"spdy/"}, want: "7f"},
		{name: "upper", alpn: []string{"ABC"}, want: "AC"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var exts []ext
			switch {
			case tc.empty:
				exts = []ext{{0x0010, []byte{0, 0}}}
			case tc.alpn != nil:
				exts = []ext{alpnExt(tc.alpn...)}
			default:
				exts = []ext{}
			}
			got := JA4(parseCH(t, clientHelloBytes(0x0303, []uint16{0x1301}, exts)))
			assert.Equal(t, tc.want, got.JA4[8:10], got.JA4)
		})
	}
}

func TestJA4Edges(t *testing.T) {
	t.Run("no_ciphers_no_extensions", func(t *testing.T) {
		got := JA4(parseCH(t, clientHelloBytes(0x0303, nil, nil)))
		assert.Equal(t, JA4Result{
			JA4: "t12i000000_000000000000_000000000000", JA4R: "t12i000000__",
			JA4O: "t12i000000_000000000000_000000000000", JA4RO: "t12i000000__",
		}, got)
	})
	t.Run("only_sni_and_alpn", func(t *testing.T) {
		// Both are left out of ja4's list, which is then empty; ja4_o
		// keeps them.
		got := JA4(parseCH(t, clientHelloBytes(0x0303, []uint16{0x1301}, []ext{sniExt("a.example"), alpnExt("h2")})))
		assert.Equal(t, "t12d0102h2_"+hash12(t, "1301")+"_000000000000", got.JA4)
		assert.Equal(t, "t12d0102h2_1301_", got.JA4R)
		assert.Equal(t, "t12d0102h2_"+hash12(t, "1301")+"_"+hash12(t, "0000,0010"), got.JA4O)
		assert.Equal(t, "t12d0102h2_1301_0000,0010", got.JA4RO)
	})
	t.Run("sni_extension_without_host_name", func(t *testing.T) {
		// "If the SNI extension (0x0000) exists": d, even when the
		// extension is empty or malformed.
		got := JA4(parseCH(t, clientHelloBytes(0x0303, []uint16{0x1301}, []ext{{0x0000, nil}})))
		assert.Equal(t, "t12d0101", got.JA4[:8])
	})
	t.Run("counts_capped_at_99", func(t *testing.T) {
		var ciphers []uint16
		for i := range 120 {
			ciphers = append(ciphers, uint16(0x0100+i))
		}
		var exts []ext
		for i := range 101 {
			exts = append(exts, ext{uint16(0x1000 + i), nil})
		}
		got := JA4(parseCH(t, clientHelloBytes(0x0303, ciphers, exts)))
		assert.Equal(t, "t12i9999", got.JA4[:8])
		// The lists themselves are not cut.
		assert.Equal(t, 120, strings.Count(strings.Split(got.JA4R, "_")[1], ",")+1)
		assert.Equal(t, 101, strings.Count(strings.Split(got.JA4R, "_")[2], ",")+1)
	})
	t.Run("scsv_and_reserved_ciphers_count", func(t *testing.T) {
		// "Do, however, count other non-cipher values such as SCSV
		// (0x00FF, 0x5600) and Experimental/Reserved values."
		got := JA4(parseCH(t, clientHelloBytes(0x0303, []uint16{0x00ff, 0x5600, 0xfe00, 0x1301}, []ext{})))
		assert.Equal(t, "t12i0400", got.JA4[:8])
		assert.Equal(t, "t12i040000_00ff,1301,5600,fe00_", got.JA4R)
	})
	t.Run("signature_algorithms_cert_not_used", func(t *testing.T) {
		// Only signature_algorithms (13) feeds the list, not
		// signature_algorithms_cert (50).
		got := JA4(parseCH(t, clientHelloBytes(0x0303, []uint16{0x1301},
			[]ext{u16ListExt(0x0032, 0x0401), sigAlgsExt(0x0403)})))
		assert.Equal(t, "t12i010200_1301_000d,0032_0403", got.JA4R)
	})
}

// hash12 is the reference truncated hash for expectations.
func hash12(t *testing.T, s string) string {
	t.Helper()
	return string(appendHash12(nil, []byte(s)))
}

// TestJA4Fixtures pins JA4 of the committed ClientHello fixtures of
// package dissect, hand-checked against the decoded lists.
func TestJA4Fixtures(t *testing.T) {
	files, err := filepath.Glob("../testdata/hello-*-client_hello.bin")
	require.NoError(t, err)
	require.NotEmpty(t, files)
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			body, err := os.ReadFile(f)
			require.NoError(t, err)
			ch := parseCH(t, body)
			got := JA4(ch)
			parts := strings.Split(got.JA4, "_")
			require.Len(t, parts, 3)
			assert.Len(t, parts[0], 10)
			assert.Len(t, parts[1], 12)
			assert.Len(t, parts[2], 12)
			// The hashed forms are the raw forms hashed.
			assert.Equal(t, rehash(t, got.JA4R), got.JA4)
			assert.Equal(t, rehash(t, got.JA4RO), got.JA4O)
		})
	}
}

// rehash hashes a raw JA4 (a_b_c or a_b_c_d) into a_hash(b)_hash(c[_d]).
func rehash(t *testing.T, raw string) string {
	t.Helper()
	parts := strings.SplitN(raw, "_", 3)
	require.Len(t, parts, 3)
	return parts[0] + "_" + hash12(t, parts[1]) + "_" + hash12(t, parts[2])
}
