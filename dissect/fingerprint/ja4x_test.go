package fingerprint

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	encasn1 "encoding/asn1"
	"encoding/hex"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/crypto/cryptobyte"
	"golang.org/x/crypto/cryptobyte/asn1"
)

// certSpec describes a certificate for buildCert. Names are lists of RDNs,
// each a list of dotted attribute OIDs (more than one: a multi-valued RDN).
type certSpec struct {
	v1        bool   // leave the version field out
	serial    []byte // INTEGER contents; default 1
	issuer    [][]string
	subject   [][]string
	uniqueIDs bool     // add issuerUniqueID and subjectUniqueID
	exts      []string // extension OIDs; nil: no extensions field
	trailing  []byte   // bytes after the Certificate
}

func oid(t testing.TB, dotted string) encasn1.ObjectIdentifier {
	t.Helper()
	var o encasn1.ObjectIdentifier
	for _, f := range strings.Split(dotted, ".") {
		n, ok := new(big.Int).SetString(f, 10)
		require.True(t, ok, dotted)
		o = append(o, int(n.Int64()))
	}
	return o
}

// buildCert encodes a Certificate whose TBSCertificate has the given names
// and extensions; the fields JA4X skips hold placeholders.
func buildCert(t testing.TB, c certSpec) []byte {
	t.Helper()
	addName := func(b *cryptobyte.Builder, rdns [][]string) {
		b.AddASN1(asn1.SEQUENCE, func(b *cryptobyte.Builder) {
			for _, rdn := range rdns {
				b.AddASN1(asn1.SET, func(b *cryptobyte.Builder) {
					for _, o := range rdn {
						b.AddASN1(asn1.SEQUENCE, func(b *cryptobyte.Builder) {
							b.AddASN1ObjectIdentifier(oid(t, o))
							b.AddASN1(asn1.PrintableString, func(b *cryptobyte.Builder) { b.AddBytes([]byte("x")) })
						})
					}
				})
			}
		})
	}
	algo := func(b *cryptobyte.Builder) {
		b.AddASN1(asn1.SEQUENCE, func(b *cryptobyte.Builder) { b.AddASN1ObjectIdentifier(oid(t, "1.2.840.10045.4.3.2")) })
	}
	serial := c.serial
	if serial == nil {
		serial = []byte{1}
	}
	var b cryptobyte.Builder
	b.AddASN1(asn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1(asn1.SEQUENCE, func(b *cryptobyte.Builder) {
			if !c.v1 {
				b.AddASN1(tagVersion, func(b *cryptobyte.Builder) { b.AddASN1Int64(2) })
			}
			b.AddASN1(asn1.INTEGER, func(b *cryptobyte.Builder) { b.AddBytes(serial) })
			algo(b)
			addName(b, c.issuer)
			b.AddASN1(asn1.SEQUENCE, func(b *cryptobyte.Builder) {
				b.AddASN1(asn1.UTCTime, func(b *cryptobyte.Builder) { b.AddBytes([]byte("250101000000Z")) })
				b.AddASN1(asn1.UTCTime, func(b *cryptobyte.Builder) { b.AddBytes([]byte("260101000000Z")) })
			})
			addName(b, c.subject)
			b.AddASN1(asn1.SEQUENCE, func(b *cryptobyte.Builder) {
				algo(b)
				b.AddASN1BitString([]byte{4, 1, 2})
			})
			if c.uniqueIDs {
				b.AddASN1(asn1.Tag(1).ContextSpecific(), func(b *cryptobyte.Builder) { b.AddBytes([]byte{0, 0xaa}) })
				b.AddASN1(asn1.Tag(2).ContextSpecific(), func(b *cryptobyte.Builder) { b.AddBytes([]byte{0, 0xbb}) })
			}
			if c.exts != nil {
				b.AddASN1(tagExtensions, func(b *cryptobyte.Builder) {
					b.AddASN1(asn1.SEQUENCE, func(b *cryptobyte.Builder) {
						for i, o := range c.exts {
							b.AddASN1(asn1.SEQUENCE, func(b *cryptobyte.Builder) {
								b.AddASN1ObjectIdentifier(oid(t, o))
								if i == 0 {
									b.AddASN1Boolean(true) // critical
								}
								b.AddASN1OctetString([]byte{5, 0})
							})
						}
					})
				})
			}
		})
		algo(b)
		b.AddASN1BitString([]byte{0})
	})
	b.AddBytes(c.trailing)
	return b.BytesOrPanic()
}

// Attribute types (RFC 5280, Appendix A.1) and extension OIDs.
const (
	oCN = "2.5.4.3"
	oC  = "2.5.4.6"
	oL  = "2.5.4.7"
	oST = "2.5.4.8"
	oO  = "2.5.4.10"
	oOU = "2.5.4.11"

	oKeyUsage    = "2.5.29.15"
	oExtKeyUsage = "2.5.29.37"
	oSAN         = "2.5.29.17"
)

func rdns(oids ...string) [][]string {
	var out [][]string
	for _, o := range oids {
		out = append(out, []string{o})
	}
	return out
}

func TestJA4XSpec(t *testing.T) {
	tests := []struct {
		name    string
		cert    certSpec
		want    string // "" sections are not checked
		wantRaw string
	}{
		{
			// JA4X.md: "Issuer = 550403,550406,550408,55040a =
			// 96a6439c8f5c ... Extensions = 551d0f,551d25,551d11 =
			// aae71e8db6d7".
			name: "ja4x_md",
			cert: certSpec{
				issuer:  rdns(oCN, oC, oST, oO),
				subject: rdns(oCN, oC, oST, oO),
				exts:    []string{oKeyUsage, oExtKeyUsage, oSAN},
			},
			want:    "96a6439c8f5c_96a6439c8f5c_aae71e8db6d7",
			wantRaw: "550403,550406,550408,55040a_550403,550406,550408,55040a_551d0f,551d25,551d11",
		},
		{
			// FoxIO's snapshot of pcap/browsers-x509.pcapng: the
			// edge.microsoft.com leaf (issuer C, O, CN; subject C, ST, L,
			// O, CN) is a373a9f83c6b_2bab15409345_...
			name:    "snapshot_edge_leaf_names",
			cert:    certSpec{issuer: rdns(oC, oO, oCN), subject: rdns(oC, oST, oL, oO, oCN), exts: []string{oSAN}},
			want:    "a373a9f83c6b_2bab15409345_",
			wantRaw: "550406,55040a,550403_550406,550408,550407,55040a,550403_551d11",
		},
		{
			// Its issuer, signed by DigiCert Global Root G2 (C, O, OU, CN):
			// 7d5dbb3783b4_a373a9f83c6b_...
			name: "snapshot_edge_intermediate_names",
			cert: certSpec{issuer: rdns(oC, oO, oOU, oCN), subject: rdns(oC, oO, oCN), exts: []string{oSAN}},
			want: "7d5dbb3783b4_a373a9f83c6b_",
		},
		{
			// README example, Qakbot: JA4X=2bab15409345_af684594efb4_000000000000,
			// a certificate without extensions.
			name: "readme_qakbot_no_extensions",
			cert: certSpec{v1: true, issuer: rdns(oC, oST, oL, oO, oCN), subject: rdns(oCN)},
			want: "2bab15409345__000000000000",
		},
		{
			// README example, Sliver: JA4X=000000000000_..., an empty issuer.
			name:    "readme_sliver_empty_issuer",
			cert:    certSpec{subject: rdns(oO), exts: []string{oKeyUsage}},
			want:    "000000000000__",
			wantRaw: "_55040a_551d0f",
		},
		{
			// A multi-valued RDN gives all its attributes, in order.
			name:    "multi_valued_rdn",
			cert:    certSpec{issuer: [][]string{{oC}, {oO, oOU}, {oCN}}, subject: rdns(oCN), exts: []string{}},
			wantRaw: "550406,55040a,55040b,550403_550403_",
		},
		{
			// Unique identifiers sit between the key and the extensions; a
			// long negative serial is skipped, not judged; bytes after the
			// certificate are not JA4X's business.
			name: "unique_ids_negative_serial_trailing",
			cert: certSpec{
				serial: []byte{0xff, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21},
				issuer: rdns(oCN), subject: rdns(oCN), uniqueIDs: true,
				exts: []string{oSAN, "1.3.6.1.4.1.11129.2.4.2"}, trailing: []byte{0, 0},
			},
			wantRaw: "550403_550403_551d11,2b06010401d679020402",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			der := buildCert(t, tc.cert)
			got, raw, err := JA4X(der)
			require.NoError(t, err)
			if tc.want != "" {
				want := strings.Split(tc.want, "_")
				parts := strings.Split(got, "_")
				require.Len(t, parts, 3, got)
				for i := range want {
					if want[i] != "" {
						assert.Equal(t, want[i], parts[i], "section %d of %s", i, got)
					}
				}
			}
			if tc.wantRaw != "" {
				assert.Equal(t, tc.wantRaw, raw)
			}
			r := strings.Split(raw, "_")
			require.Len(t, r, 3)
			assert.Equal(t, hash12(t, r[0])+"_"+hash12(t, r[1])+"_"+hash12(t, r[2]), got)
		})
	}
}

func TestJA4XMalformed(t *testing.T) {
	good := buildCert(t, certSpec{issuer: rdns(oC, oCN), subject: rdns(oCN), uniqueIDs: true, exts: []string{oSAN, oKeyUsage}})
	_, _, err := JA4X(good)
	require.NoError(t, err)
	// Prefix sweep: every truncation is an error, never a panic.
	for i := range len(good) {
		_, _, err := JA4X(good[:i])
		assert.Error(t, err, "prefix %d", i)
	}
	// An attribute without its type.
	var b cryptobyte.Builder
	b.AddASN1(asn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1(asn1.SEQUENCE, func(b *cryptobyte.Builder) {
			b.AddASN1Int64(1)
			b.AddASN1(asn1.SEQUENCE, func(*cryptobyte.Builder) {})
			b.AddASN1(asn1.SEQUENCE, func(b *cryptobyte.Builder) {
				b.AddASN1(asn1.SET, func(b *cryptobyte.Builder) {
					b.AddASN1(asn1.SEQUENCE, func(b *cryptobyte.Builder) { b.AddASN1Int64(5) })
				})
			})
		})
	})
	_, _, err = JA4X(b.BytesOrPanic())
	require.Error(t, err)
	assert.Equal(t, "fingerprint: ja4x: malformed issuer attribute", err.Error())
	_, _, err = JA4X(nil)
	assert.EqualError(t, err, "fingerprint: ja4x: malformed certificate")
}

// ja4xOracle computes JA4X's raw form with crypto/x509, a parser
// independent of ours: Name.Names holds every attribute in order, and
// Extensions every extension in order.
func ja4xOracle(t testing.TB, der []byte) string {
	t.Helper()
	c, err := x509.ParseCertificate(der)
	require.NoError(t, err)
	list := func(oids []encasn1.ObjectIdentifier) string {
		var out []string
		for _, o := range oids {
			enc, err := encasn1.Marshal(o)
			require.NoError(t, err)
			s := cryptobyte.String(enc)
			var body cryptobyte.String
			require.True(t, s.ReadASN1(&body, asn1.OBJECT_IDENTIFIER))
			out = append(out, hex.EncodeToString(body))
		}
		return strings.Join(out, ",")
	}
	names := func(n pkix.Name) []encasn1.ObjectIdentifier {
		var out []encasn1.ObjectIdentifier
		for _, a := range n.Names {
			out = append(out, a.Type)
		}
		return out
	}
	var exts []encasn1.ObjectIdentifier
	for _, e := range c.Extensions {
		exts = append(exts, e.Id)
	}
	return list(names(c.Issuer)) + "_" + list(names(c.Subject)) + "_" + list(exts)
}

// TestJA4XAgainstCryptoX509 fingerprints a certificate made by crypto/x509
// and compares with the oracle.
func TestJA4XAgainstCryptoX509(t *testing.T) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	issuer := pkix.Name{Country: []string{"US"}, Organization: []string{"Padlock"}, OrganizationalUnit: []string{"Test"}, CommonName: "Padlock Root"}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(42),
		Subject: pkix.Name{
			Country: []string{"US"}, Province: []string{"WA"}, Locality: []string{"Redmond"},
			Organization: []string{"Padlock"}, CommonName: "example.com",
		},
		NotBefore:   time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC),
		NotAfter:    time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC),
		KeyUsage:    x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		DNSNames:    []string{"example.com"},
	}
	parent := &x509.Certificate{Subject: issuer, SubjectKeyId: []byte{1, 2, 3, 4}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, &key.PublicKey, key)
	require.NoError(t, err)
	got, raw, err := JA4X(der)
	require.NoError(t, err)
	assert.Equal(t, ja4xOracle(t, der), raw)
	// Go writes C, O, OU, CN and C, ST, L, O, CN: FoxIO's published
	// hashes for those orders.
	assert.True(t, strings.HasPrefix(got, "7d5dbb3783b4_2bab15409345_"), got)
}
