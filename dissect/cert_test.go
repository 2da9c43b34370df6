package dissect

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math/big"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/crypto/cryptobyte"
	casn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// Test certificates are made here with crypto/x509.CreateCertificate; the
// ones crypto/x509 refuses are made by re-encoding a TBSCertificate with
// cryptobyte and signing it again (certResign), so their signatures verify.
// The fixtures testdata/cert-padlock-*.der are the three certificates found
// in pcaps/ (tshark -Y tls.handshake.certificate -e tls.handshake.certificate).

var certTestTime = struct{ nb, na time.Time }{
	time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC),
	time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC),
}

// certKeys are generated once: RSA 2048 generation is slow.
var certKeys = sync.OnceValue(func() (k struct {
	rsa  *rsa.PrivateKey
	p256 *ecdsa.PrivateKey
	p384 *ecdsa.PrivateKey
	ed   ed25519.PrivateKey
}) {
	var err error
	if k.rsa, err = rsa.GenerateKey(rand.Reader, 2048); err != nil {
		panic(err)
	}
	if k.p256, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader); err != nil {
		panic(err)
	}
	if k.p384, err = ecdsa.GenerateKey(elliptic.P384(), rand.Reader); err != nil {
		panic(err)
	}
	if _, k.ed, err = ed25519.GenerateKey(rand.Reader); err != nil {
		panic(err)
	}
	return k
})

func certCreate(t testing.TB, tmpl, parent *x509.Certificate, pub any, signer crypto.Signer) []byte {
	t.Helper()
	der, err := certCreateErr(tmpl, parent, pub, signer)
	require.NoError(t, err)
	return der
}

// certMustCreate is certCreate for package-level fixtures, where a failure
// is a bug in the test.
func certMustCreate(tmpl, parent *x509.Certificate, pub any, signer crypto.Signer) []byte {
	der, err := certCreateErr(tmpl, parent, pub, signer)
	if err != nil {
		panic(err)
	}
	return der
}

func certCreateErr(tmpl, parent *x509.Certificate, pub any, signer crypto.Signer) ([]byte, error) {
	if tmpl.NotBefore.IsZero() {
		tmpl.NotBefore, tmpl.NotAfter = certTestTime.nb, certTestTime.na
	}
	if parent == nil {
		parent = tmpl
	}
	return x509.CreateCertificate(rand.Reader, tmpl, parent, pub, signer)
}

// certSCTList is the DER of an embedded SCT list extension value holding
// v1 SCTs with the given log ids (one byte repeated) and timestamps (ms).
func certSCTList(ids []byte, ts []uint64) []byte {
	var list cryptobyte.Builder
	list.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) {
		for i, id := range ids {
			b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) {
				b.AddUint8(0) // v1
				b.AddBytes(bytesRepeat(id, 32))
				b.AddUint64(ts[i])
				b.AddUint16(0) // no CtExtensions
				b.AddUint8(4)  // sha256
				b.AddUint8(3)  // ecdsa
				b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) { b.AddBytes([]byte{0x30, 0x00}) })
			})
		}
	})
	var b cryptobyte.Builder
	b.AddASN1OctetString(list.BytesOrPanic())
	return b.BytesOrPanic()
}

func bytesRepeat(b byte, n int) []byte {
	out := make([]byte, n)
	for i := range out {
		out[i] = b
	}
	return out
}

// certElements splits a certificate into its TBSCertificate's elements
// (version, serial, signature, issuer, validity, subject, spki, extensions)
// and the outer signatureAlgorithm element.
func certElements(t testing.TB, der []byte) (tbs [][]byte, sigAlg []byte) {
	t.Helper()
	s := cryptobyte.String(der)
	var c, body cryptobyte.String
	var tbsElem, alg cryptobyte.String
	require.True(t, s.ReadASN1(&c, casn1.SEQUENCE) && c.ReadASN1Element(&tbsElem, casn1.SEQUENCE) &&
		c.ReadASN1Element(&alg, casn1.SEQUENCE) && tbsElem.ReadASN1(&body, casn1.SEQUENCE))
	for !body.Empty() {
		var e cryptobyte.String
		var tag casn1.Tag
		require.True(t, body.ReadAnyASN1Element(&e, &tag))
		tbs = append(tbs, e)
	}
	return tbs, alg
}

// certResign assembles a certificate from TBSCertificate elements and signs
// it with an ECDSA P-256 key and SHA-256 (sigAlg must say so).
func certResign(t testing.TB, tbs [][]byte, sigAlg []byte, key *ecdsa.PrivateKey) []byte {
	t.Helper()
	var b cryptobyte.Builder
	b.AddASN1(casn1.SEQUENCE, func(b *cryptobyte.Builder) {
		for _, e := range tbs {
			b.AddBytes(e)
		}
	})
	signed := b.BytesOrPanic()
	h := sha256.Sum256(signed)
	sig, err := ecdsa.SignASN1(rand.Reader, key, h[:])
	require.NoError(t, err)
	var c cryptobyte.Builder
	c.AddASN1(casn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddBytes(signed)
		b.AddBytes(sigAlg)
		b.AddASN1BitString(sig)
	})
	return c.BytesOrPanic()
}

// certMutate re-signs der (signed by key) after f changed its TBS elements.
func certMutate(t testing.TB, der []byte, key *ecdsa.PrivateKey, f func(tbs [][]byte) [][]byte) []byte {
	t.Helper()
	tbs, alg := certElements(t, der)
	return certResign(t, f(append([][]byte(nil), tbs...)), alg, key)
}

func certDER(f func(b *cryptobyte.Builder)) []byte {
	var b cryptobyte.Builder
	f(&b)
	return b.BytesOrPanic()
}

// certValidity is a Validity of two UTCTimes given as text.
func certValidity(nb, na string) []byte {
	return certDER(func(b *cryptobyte.Builder) {
		b.AddASN1(casn1.SEQUENCE, func(b *cryptobyte.Builder) {
			b.AddASN1(casn1.UTCTime, func(b *cryptobyte.Builder) { b.AddBytes([]byte(nb)) })
			b.AddASN1(casn1.UTCTime, func(b *cryptobyte.Builder) { b.AddBytes([]byte(na)) })
		})
	})
}

// certCNName is a Name with one commonName of the given string type.
func certCNName(tag casn1.Tag, cn string) []byte {
	return certDER(func(b *cryptobyte.Builder) {
		b.AddASN1(casn1.SEQUENCE, func(b *cryptobyte.Builder) {
			b.AddASN1(casn1.SET, func(b *cryptobyte.Builder) {
				b.AddASN1(casn1.SEQUENCE, func(b *cryptobyte.Builder) {
					b.AddASN1ObjectIdentifier(asn1.ObjectIdentifier{2, 5, 4, 3})
					b.AddASN1(tag, func(b *cryptobyte.Builder) { b.AddBytes([]byte(cn)) })
				})
			})
		})
	})
}

func certCodes(errs []*Error) []Code {
	var out []Code
	for _, e := range errs {
		out = append(out, e.Code)
	}
	return out
}

// certChain is a three-certificate chain: an ECDSA P-384 root, an RSA 2048
// intermediate and an ECDSA P-256 leaf with every kind of SAN, plus a
// self-signed Ed25519 leaf.
type certChain struct {
	root, inter, leaf, selfEd []byte
}

var certTestChain = sync.OnceValue(func() certChain {
	k := certKeys()
	var ch certChain
	root := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{Country: []string{"US"}, Organization: []string{"Padlock Test"}, CommonName: "Padlock Root P-384"},
		KeyUsage:     x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
		IsCA:         true, BasicConstraintsValid: true, MaxPathLen: 1,
		Policies: []x509.OID{mustOID("2.5.29.32.0")},
	}
	ch.root = certMustCreate(root, nil, &k.p384.PublicKey, k.p384)
	rootCert, _ := x509.ParseCertificate(ch.root)
	inter := &x509.Certificate{
		SerialNumber: new(big.Int).SetBytes([]byte{0x80, 0, 0, 0, 0, 0, 0, 1}), // high bit: DER adds a 00
		Subject:      pkix.Name{Organization: []string{"Padlock, Test"}, CommonName: "Padlock Intermediate RSA"},
		KeyUsage:     x509.KeyUsageCertSign | x509.KeyUsageCRLSign | x509.KeyUsageDigitalSignature,
		IsCA:         true, BasicConstraintsValid: true, MaxPathLenZero: true,
		OCSPServer:            []string{"http://ocsp.example.test"},
		IssuingCertificateURL: []string{"http://ca.example.test/root.der"},
		CRLDistributionPoints: []string{"http://crl.example.test/root.crl"},
	}
	ch.inter = certMustCreate(inter, rootCert, &k.rsa.PublicKey, k.p384)
	interCert, _ := x509.ParseCertificate(ch.inter)
	leaf := &x509.Certificate{
		SerialNumber:          big.NewInt(0x1234),
		Subject:               pkix.Name{CommonName: "www.example.test"},
		DNSNames:              []string{"www.example.test", "*.example.test"},
		IPAddresses:           []net.IP{net.ParseIP("192.0.2.1"), net.ParseIP("2001:db8::1")},
		EmailAddresses:        []string{"admin@example.test"},
		URIs:                  []*url.URL{&url.URL{Scheme: "https", Host: "example.test", Path: "/id"}},
		KeyUsage:              x509.KeyUsageDigitalSignature,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth},
		UnknownExtKeyUsage:    []asn1.ObjectIdentifier{{1, 3, 6, 1, 4, 1, 99999, 1}},
		BasicConstraintsValid: true,
		OCSPServer:            []string{"http://ocsp.example.test"},
		IssuingCertificateURL: []string{"http://ca.example.test/inter.der"},
		CRLDistributionPoints: []string{"http://crl.example.test/inter.crl"},
		Policies:              []x509.OID{mustOID("2.23.140.1.2.1"), mustOID("1.3.6.1.4.1.99999.2")},
		ExtraExtensions: []pkix.Extension{{
			Id:    asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 11129, 2, 4, 2},
			Value: certSCTList([]byte{0xaa, 0xbb}, []uint64{1700000000123, 1700000001000}),
		}},
	}
	ch.leaf = certMustCreate(leaf, interCert, &k.p256.PublicKey, k.rsa)
	selfEd := &x509.Certificate{
		SerialNumber: big.NewInt(7),
		Subject:      pkix.Name{CommonName: "ed25519.example.test"},
		DNSNames:     []string{"ed25519.example.test"},
	}
	ch.selfEd = certMustCreate(selfEd, nil, k.ed.Public(), k.ed)
	return ch
})

func mustOID(s string) x509.OID {
	o, err := x509.ParseOID(s)
	if err != nil {
		panic(err)
	}
	return o
}

func TestParseCertificateGenerated(t *testing.T) {
	ch := certTestChain()
	intPtr := func(n int) *int { return &n }
	tests := []struct {
		name string
		der  []byte
		want Certificate // compared field by field below; zero fields must be zero
	}{
		{
			name: "root_ecdsa_p384_self_signed_ca",
			der:  ch.root,
			want: Certificate{
				Parser: CertParserStdlib, Version: 3, Serial: "01",
				Subject: "CN=Padlock Root P-384,O=Padlock Test,C=US", Issuer: "CN=Padlock Root P-384,O=Padlock Test,C=US",
				SubjectCN: "Padlock Root P-384",
				Key:       "ECDSA P-384", KeyAlgorithm: "ECDSA", KeyBits: 384, Curve: "P-384", KeyOID: "1.2.840.10045.2.1",
				Signature: "ECDSA-SHA384", SignatureOID: "1.2.840.10045.4.3.3",
				IsCA: true, BasicConstraints: true, MaxPathLen: intPtr(1),
				KeyUsage:   []string{"key_cert_sign", "crl_sign"},
				Policies:   []string{"2.5.29.32.0"},
				SelfSigned: true,
			},
		},
		{
			name: "intermediate_rsa_2048_pathlen_0",
			der:  ch.inter,
			want: Certificate{
				Parser: CertParserStdlib, Version: 3, Serial: "008000000000000001",
				Subject: `CN=Padlock Intermediate RSA,O=Padlock\, Test`, Issuer: "CN=Padlock Root P-384,O=Padlock Test,C=US",
				SubjectCN: "Padlock Intermediate RSA",
				Key:       "RSA 2048", KeyAlgorithm: "RSA", KeyBits: 2048, KeyOID: "1.2.840.113549.1.1.1",
				Signature: "ECDSA-SHA384", SignatureOID: "1.2.840.10045.4.3.3",
				IsCA: true, BasicConstraints: true, MaxPathLen: intPtr(0),
				KeyUsage:               []string{"digital_signature", "key_cert_sign", "crl_sign"},
				OCSPServers:            []string{"http://ocsp.example.test"},
				IssuingCertificateURLs: []string{"http://ca.example.test/root.der"},
				CRLDistributionPoints:  []string{"http://crl.example.test/root.crl"},
			},
		},
		{
			name: "leaf_ecdsa_p256_every_san_eku_aia_crl_policies_scts",
			der:  ch.leaf,
			want: Certificate{
				Parser: CertParserStdlib, Version: 3, Serial: "1234",
				Subject: "CN=www.example.test", Issuer: `CN=Padlock Intermediate RSA,O=Padlock\, Test`,
				SubjectCN: "www.example.test",
				SANs:      []string{"www.example.test", "*.example.test"},
				IPs:       []string{"192.0.2.1", "2001:db8::1"},
				Emails:    []string{"admin@example.test"},
				URIs:      []string{"https://example.test/id"},
				Key:       "ECDSA P-256", KeyAlgorithm: "ECDSA", KeyBits: 256, Curve: "P-256", KeyOID: "1.2.840.10045.2.1",
				Signature: "SHA256-RSA", SignatureOID: "1.2.840.113549.1.1.11",
				BasicConstraints:       true,
				KeyUsage:               []string{"digital_signature"},
				ExtKeyUsage:            []string{"server_auth", "client_auth", "1.3.6.1.4.1.99999.1"},
				OCSPServers:            []string{"http://ocsp.example.test"},
				IssuingCertificateURLs: []string{"http://ca.example.test/inter.der"},
				CRLDistributionPoints:  []string{"http://crl.example.test/inter.crl"},
				Policies:               []string{"2.23.140.1.2.1", "1.3.6.1.4.1.99999.2"},
				SCTs: []SCT{
					{Version: 0, LogID: strings.Repeat("aa", 32), Timestamp: "2023-11-14T22:13:20.123Z", SignatureAlgorithm: "ecdsa_secp256r1_sha256", SignatureAlgorithmCode: 0x0403, Length: 49, SignatureLength: 2},
					{Version: 0, LogID: strings.Repeat("bb", 32), Timestamp: "2023-11-14T22:13:21.000Z", SignatureAlgorithm: "ecdsa_secp256r1_sha256", SignatureAlgorithmCode: 0x0403, Length: 49, SignatureLength: 2},
				},
			},
		},
		{
			name: "self_signed_ed25519_leaf_without_basic_constraints",
			der:  ch.selfEd,
			want: Certificate{
				Parser: CertParserStdlib, Version: 3, Serial: "07",
				Subject: "CN=ed25519.example.test", Issuer: "CN=ed25519.example.test", SubjectCN: "ed25519.example.test",
				SANs: []string{"ed25519.example.test"},
				Key:  "Ed25519", KeyAlgorithm: "Ed25519", KeyBits: 256, KeyOID: "1.3.101.112",
				Signature: "Ed25519", SignatureOID: "1.3.101.112",
				SelfSigned: true,
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, errs := ParseCertificate(tt.der)
			require.NotNil(t, c)
			assert.Empty(t, errs)
			s256, s1 := sha256.Sum256(tt.der), sha1Sum(tt.der)
			want := tt.want
			want.SHA256, want.SHA1, want.Length = hex.EncodeToString(s256[:]), s1, len(tt.der)
			want.NotBefore, want.NotAfter = certTestTime.nb, certTestTime.na
			want.NotBeforeText, want.NotAfterText = "2024-01-02T03:04:05Z", "2026-01-02T03:04:05Z"
			require.NotNil(t, c.Raw)
			want.Raw = c.Raw
			// The extension list, key identifiers and RSA exponent agree
			// with crypto/x509's view of the same certificate.
			want.SubjectKeyID, want.AuthorityKeyID = hex.EncodeToString(c.Raw.SubjectKeyId), hex.EncodeToString(c.Raw.AuthorityKeyId)
			for _, e := range c.Raw.Extensions {
				want.Extensions = append(want.Extensions, CertExtension{OID: e.Id.String(), Critical: e.Critical})
			}
			if k, ok := c.Raw.PublicKey.(*rsa.PublicKey); ok {
				want.RSAExponent = int64(k.E)
			}
			assert.Equal(t, want, *c)
			// For names crypto/x509 can print, the RFC 4514 string matches its Name.String.
			assert.Equal(t, c.Raw.Subject.String(), c.Subject)
			assert.Equal(t, c.Raw.SignatureAlgorithm.String(), c.Signature)
		})
	}

	t.Run("raw_verifies_the_chain", func(t *testing.T) {
		root, _ := ParseCertificate(ch.root)
		inter, _ := ParseCertificate(ch.inter)
		leaf, _ := ParseCertificate(ch.leaf)
		require.NoError(t, inter.Raw.CheckSignatureFrom(root.Raw))
		require.NoError(t, leaf.Raw.CheckSignatureFrom(inter.Raw))
	})
}

func sha1Sum(b []byte) string {
	h := sha1.Sum(b)
	return hex.EncodeToString(h[:])
}

// TestParseCertificateSameFromEveryPath parses certificates crypto/x509
// accepts through the other two paths as well (the lenient library, and
// the DER walk alone) and requires the same answer, so the fallbacks are
// as good as the stdlib on everything the stdlib understands.
func TestParseCertificateSameFromEveryPath(t *testing.T) {
	ch := certTestChain()
	ders := map[string][]byte{"root": ch.root, "inter": ch.inter, "leaf": ch.leaf, "self_ed25519": ch.selfEd}
	for _, name := range []string{"cert-padlock-leaf-rsa.der", "cert-padlock-intermediate-ca.der", "cert-padlock-leaf-ecdsa.der"} {
		b, err := os.ReadFile(filepath.Join("testdata", name))
		require.NoError(t, err)
		ders[name] = b
	}
	for name, der := range ders {
		t.Run(name, func(t *testing.T) {
			std, errs := ParseCertificate(der)
			require.Empty(t, errs)
			require.Equal(t, CertParserStdlib, std.Parser)
			want := *std
			want.Raw = nil

			w := walkCertificate(der)
			require.Empty(t, w.stop)

			ct, warn, err := parseLenient(der)
			require.NoError(t, err)
			require.Empty(t, warn)
			lenient := &Certificate{SHA256: std.SHA256, SHA1: std.SHA1, Length: std.Length, Parser: CertParserLenient}
			lenient.fillCT(ct, w)
			lenient.fillFromWalk(w)
			require.Empty(t, lenient.fillFromExtensions(w.exts))
			lenient.Parser = CertParserStdlib
			assert.Equal(t, want, *lenient, "certificate-transparency-go/x509 path")

			walked := &Certificate{SHA256: std.SHA256, SHA1: std.SHA1, Length: std.Length, Parser: CertParserNone}
			walked.fillWalk(w)
			walked.fillFromWalk(w)
			require.Empty(t, walked.fillFromExtensions(w.exts))
			walked.Parser = CertParserStdlib
			assert.Equal(t, want, *walked, "DER walk path")
		})
	}
}

// TestParseCertificateRefused covers certificates crypto/x509 refuses or
// barely accepts, made by mutating and re-signing a self-signed ECDSA P-256
// certificate.
func TestParseCertificateRefused(t *testing.T) {
	k := certKeys()
	base := certCreate(t, &x509.Certificate{
		SerialNumber: big.NewInt(0x1234),
		Subject:      pkix.Name{CommonName: "mut.example.test"},
		DNSNames:     []string{"mut.example.test"},
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		IsCA:         false, BasicConstraintsValid: true,
	}, nil, &k.p256.PublicKey, k.p256)
	tbs, _ := certElements(t, base)
	require.Len(t, tbs, 8)
	mutate := func(f func(tbs [][]byte) [][]byte) []byte { return certMutate(t, base, k.p256, f) }
	set := func(i int, v []byte) []byte {
		return mutate(func(tbs [][]byte) [][]byte { tbs[i] = v; return tbs })
	}
	// The extensions with the first one (basicConstraints... whichever Go
	// wrote first) repeated at the end.
	dupExt := func() []byte {
		s := cryptobyte.String(tbs[7])
		var outer, seq, first cryptobyte.String
		var tag casn1.Tag
		require.True(t, s.ReadASN1(&outer, casn1.Tag(3).Constructed().ContextSpecific()) && outer.ReadASN1(&seq, casn1.SEQUENCE))
		all := []byte(seq)
		require.True(t, seq.ReadAnyASN1Element(&first, &tag))
		return certDER(func(b *cryptobyte.Builder) {
			b.AddASN1(casn1.Tag(3).Constructed().ContextSpecific(), func(b *cryptobyte.Builder) {
				b.AddASN1(casn1.SEQUENCE, func(b *cryptobyte.Builder) { b.AddBytes(all); b.AddBytes(first) })
			})
		})
	}
	// An SCT list extension appended to the extensions.
	withExt := func(oid asn1.ObjectIdentifier, value []byte) []byte {
		s := cryptobyte.String(tbs[7])
		var outer, seq cryptobyte.String
		require.True(t, s.ReadASN1(&outer, casn1.Tag(3).Constructed().ContextSpecific()) && outer.ReadASN1(&seq, casn1.SEQUENCE))
		return certDER(func(b *cryptobyte.Builder) {
			b.AddASN1(casn1.Tag(3).Constructed().ContextSpecific(), func(b *cryptobyte.Builder) {
				b.AddASN1(casn1.SEQUENCE, func(b *cryptobyte.Builder) {
					b.AddBytes(seq)
					b.AddASN1(casn1.SEQUENCE, func(b *cryptobyte.Builder) {
						b.AddASN1ObjectIdentifier(oid)
						b.AddASN1OctetString(value)
					})
				})
			})
		})
	}

	// The subjectPublicKeyInfo replaced by an OCTET STRING: the walk stops there.
	badSPKI := set(6, []byte{0x04, 0x00})
	badSPKIOff := strings.Index(string(badSPKI), string(tbs[5])+"\x04\x00") + len(tbs[5])
	require.Greater(t, badSPKIOff, len(tbs[5]))

	type check func(t *testing.T, c *Certificate)
	tests := []struct {
		name      string
		der       []byte
		parser    string
		wantCodes []Code
		checks    []check
	}{
		{
			name: "unchanged", der: base, parser: CertParserStdlib,
			checks: []check{func(t *testing.T, c *Certificate) {
				assert.True(t, c.SelfSigned)
				assert.Equal(t, "1234", c.Serial)
				assert.Empty(t, c.Warnings)
			}},
		},
		{
			// RFC 5280 forbids it and crypto/x509 refuses it since Go 1.23
			// (without GODEBUG x509negativeserial=1, which padlock never sets).
			name: "negative_serial", der: set(1, []byte{0x02, 0x02, 0xff, 0x01}),
			parser: CertParserLenient, wantCodes: []Code{CodeCertificateLenient},
			checks: []check{func(t *testing.T, c *Certificate) {
				assert.Equal(t, "ff01", c.Serial) // -255 in two's complement, as Wireshark shows it
				assert.Equal(t, []string{"crypto/x509: x509: negative serial number"}, c.Warnings)
				assert.Equal(t, "CN=mut.example.test", c.Subject)
				assert.Equal(t, []string{"mut.example.test"}, c.SANs)
				assert.Equal(t, "2026-01-02T03:04:05Z", c.NotAfterText)
				assert.True(t, c.SelfSigned)
				assert.Nil(t, c.Raw)
			}},
		},
		{
			name: "duplicate_extension", der: set(7, dupExt()),
			parser: CertParserLenient, wantCodes: []Code{CodeCertificateLenient},
			checks: []check{func(t *testing.T, c *Certificate) {
				require.NotEmpty(t, c.Warnings)
				assert.Contains(t, c.Warnings[0], "duplicate extension")
				assert.Equal(t, []string{"server_auth"}, c.ExtKeyUsage)
			}},
		},
		{
			name: "version_1_without_extensions", parser: CertParserStdlib,
			der: mutate(func(tbs [][]byte) [][]byte { return tbs[1:7] }),
			checks: []check{func(t *testing.T, c *Certificate) {
				assert.Equal(t, 1, c.Version)
				assert.Empty(t, c.SANs)
				assert.False(t, c.BasicConstraints)
				assert.True(t, c.SelfSigned)
			}},
		},
		{
			name: "version_4", der: set(0, []byte{0xa0, 0x03, 0x02, 0x01, 0x03}),
			parser: CertParserLenient, wantCodes: []Code{CodeCertificateLenient},
			checks: []check{func(t *testing.T, c *Certificate) { assert.Equal(t, 4, c.Version) }},
		},
		{
			// UTCTime without seconds: X.509 forbids it, cryptobyte (and so
			// crypto/x509) still reads it.
			name: "utctime_without_seconds", der: set(4, certValidity("2401020304Z", "260102030405Z")),
			parser: CertParserStdlib,
			checks: []check{func(t *testing.T, c *Certificate) {
				assert.Equal(t, "2024-01-02T03:04:00Z", c.NotBeforeText)
			}},
		},
		{
			name: "utctime_with_offset", der: set(4, certValidity("240102030405+0100", "260102030405Z")),
			parser: CertParserStdlib,
			checks: []check{func(t *testing.T, c *Certificate) {
				assert.Equal(t, "2024-01-02T02:04:05Z", c.NotBeforeText) // shown in UTC
			}},
		},
		{
			// Month 13: neither library reads it; the walk shows the rest.
			name: "utctime_invalid_month", der: set(4, certValidity("240102030405Z", "261302030405Z")),
			parser: CertParserNone, wantCodes: []Code{CodeCertificateUnparsable},
			checks: []check{func(t *testing.T, c *Certificate) {
				assert.Equal(t, "2024-01-02T03:04:05Z", c.NotBeforeText)
				assert.Empty(t, c.NotAfterText)
				assert.True(t, c.NotAfter.IsZero())
				assert.Contains(t, c.Warnings, `not_after: malformed UTCTime "261302030405Z"`)
				assert.Equal(t, "1234", c.Serial)
				assert.Equal(t, 3, c.Version)
				assert.Equal(t, "CN=mut.example.test", c.Subject)
				assert.Equal(t, []string{"mut.example.test"}, c.SANs)
				assert.Equal(t, []string{"digital_signature"}, c.KeyUsage)
				assert.Equal(t, []string{"server_auth"}, c.ExtKeyUsage)
				assert.True(t, c.BasicConstraints)
				assert.Equal(t, "ECDSA P-256", c.Key)
				assert.Equal(t, "ECDSA-SHA256", c.Signature)
				assert.True(t, c.SelfSigned, "the walk verifies the signature itself")
			}},
		},
		{
			name: "nul_in_cn_utf8string", der: set(5, certCNName(casn1.UTF8String, "www.bank.example\x00.evil.example")),
			parser: CertParserStdlib, wantCodes: []Code{CodeCertificateNameNUL},
			checks: []check{func(t *testing.T, c *Certificate) {
				assert.Equal(t, `CN=www.bank.example\00.evil.example`, c.Subject)
				assert.Equal(t, "www.bank.example\x00.evil.example", c.SubjectCN)
				assert.Contains(t, c.Warnings, `name "www.bank.example\x00.evil.example" holds a NUL byte`)
				assert.False(t, c.SelfSigned, "subject no longer equals issuer")
			}},
		},
		{
			// crypto/x509 and the lenient parser both refuse a NUL in a PrintableString.
			name: "nul_in_cn_printablestring", der: set(5, certCNName(casn1.PrintableString, "www.bank.example\x00.evil.example")),
			parser: CertParserNone, wantCodes: []Code{CodeCertificateUnparsable, CodeCertificateNameNUL},
			checks: []check{func(t *testing.T, c *Certificate) {
				assert.Equal(t, `CN=www.bank.example\00.evil.example`, c.Subject)
				assert.Equal(t, "2026-01-02T03:04:05Z", c.NotAfterText)
			}},
		},
		{
			name: "bmpstring_cn", der: set(5, certCNName(casn1.Tag(30), "\x00h\x00\xe9")),
			parser: CertParserStdlib,
			checks: []check{func(t *testing.T, c *Certificate) {
				assert.Equal(t, "CN=hé", c.Subject)
				assert.Equal(t, "hé", c.SubjectCN)
			}},
		},
		{
			name:   "inner_outer_signature_mismatch",
			der:    set(2, []byte{0x30, 0x0a, 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x03}),
			parser: CertParserNone, wantCodes: []Code{CodeCertificateUnparsable},
			checks: []check{func(t *testing.T, c *Certificate) {
				assert.Equal(t, "ECDSA-SHA256", c.Signature) // the outer one, which the signature is made with
				assert.Equal(t, "CN=mut.example.test", c.Subject)
			}},
		},
		{
			name: "spki_not_a_sequence", der: badSPKI,
			parser: CertParserNone, wantCodes: []Code{CodeCertificateUnparsable},
			checks: []check{func(t *testing.T, c *Certificate) {
				assert.Contains(t, c.Warnings, fmt.Sprintf("structure: malformed subjectPublicKeyInfo at offset %d", badSPKIOff))
				assert.Equal(t, "CN=mut.example.test", c.Subject)
				assert.Equal(t, "2026-01-02T03:04:05Z", c.NotAfterText)
				assert.Empty(t, c.Key)
				assert.Empty(t, c.SANs, "the extensions come after the key")
			}},
		},
		{
			name: "brainpool_key", parser: CertParserNone, wantCodes: []Code{CodeCertificateUnparsable},
			der: set(6, certDER(func(b *cryptobyte.Builder) {
				b.AddASN1(casn1.SEQUENCE, func(b *cryptobyte.Builder) {
					b.AddASN1(casn1.SEQUENCE, func(b *cryptobyte.Builder) {
						b.AddASN1ObjectIdentifier(asn1.ObjectIdentifier{1, 2, 840, 10045, 2, 1})
						b.AddASN1ObjectIdentifier(asn1.ObjectIdentifier{1, 3, 36, 3, 3, 2, 8, 1, 1, 7})
					})
					b.AddASN1BitString(append([]byte{4}, bytesRepeat(1, 64)...))
				})
			})),
			checks: []check{func(t *testing.T, c *Certificate) {
				assert.Equal(t, "ECDSA brainpoolP256r1", c.Key)
				assert.Equal(t, 256, c.KeyBits)
				assert.False(t, c.SelfSigned)
			}},
		},
		{
			name: "malformed_sct_list", parser: CertParserStdlib, wantCodes: []Code{CodeCertificateSCTMalformed},
			der: set(7, withExt(asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 11129, 2, 4, 2},
				certDER(func(b *cryptobyte.Builder) { b.AddASN1OctetString([]byte{0x00, 0x03, 0x00, 0x09, 0x00}) }))),
			checks: []check{func(t *testing.T, c *Certificate) {
				assert.Empty(t, c.SCTs)
				assert.Contains(t, c.Warnings, "embedded SCT list: SerializedSCT is cut or empty")
			}},
		},
		{
			name: "sct_v2_kept_by_version", parser: CertParserStdlib,
			der: set(7, withExt(asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 11129, 2, 4, 2},
				certDER(func(b *cryptobyte.Builder) { b.AddASN1OctetString([]byte{0x00, 0x04, 0x00, 0x02, 0x01, 0xff}) }))),
			checks: []check{func(t *testing.T, c *Certificate) {
				assert.Equal(t, []SCT{{Version: 1, Length: 2}}, c.SCTs)
			}},
		},
		{
			// crypto/x509 keeps OID arcs of any size; the lenient parser
			// would not, but it is not needed here.
			name: "policy_oid_arc_over_64_bits", parser: CertParserStdlib,
			der: certCreate(t, &x509.Certificate{
				SerialNumber: big.NewInt(1),
				Policies:     []x509.OID{mustOID("1.3.6.1.4.1.99999.2.18446744073709551617")},
			}, nil, &k.p256.PublicKey, k.p256),
			checks: []check{func(t *testing.T, c *Certificate) {
				assert.Equal(t, []string{"1.3.6.1.4.1.99999.2.18446744073709551617"}, c.Policies)
				assert.Empty(t, c.Subject)
			}},
		},
		{
			name: "trailing_data", der: append(append([]byte(nil), base...), 0, 0, 0),
			parser: CertParserStdlib, wantCodes: []Code{CodeCertificateTrailingData},
			checks: []check{func(t *testing.T, c *Certificate) {
				assert.Equal(t, len(base)+3, c.Length)
				assert.Equal(t, "CN=mut.example.test", c.Subject)
			}},
		},
		{
			name: "empty", der: nil, parser: CertParserNone, wantCodes: []Code{CodeCertificateUnparsable},
			checks: []check{func(t *testing.T, c *Certificate) {
				assert.Equal(t, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", c.SHA256)
				assert.Equal(t, "da39a3ee5e6b4b0d3255bfef95601890afd80709", c.SHA1)
				assert.Empty(t, c.Subject)
			}},
		},
		{
			name: "not_der", der: []byte("-----BEGIN CERTIFICATE-----"), parser: CertParserNone, wantCodes: []Code{CodeCertificateUnparsable},
			checks: []check{func(t *testing.T, c *Certificate) {
				assert.Len(t, c.SHA256, 64)
				assert.Contains(t, c.Warnings, "structure: Certificate is not a DER SEQUENCE at offset 0")
			}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, errs := ParseCertificate(tt.der)
			require.NotNil(t, c)
			assert.Equal(t, tt.parser, c.Parser)
			assert.Equal(t, tt.wantCodes, certCodes(errs))
			if tt.name == "spki_not_a_sequence" {
				assert.Equal(t, badSPKIOff, errs[0].Off)
			}
			for _, e := range errs {
				assert.True(t, e.Off >= 0 && e.Off <= len(tt.der), "offset %d", e.Off)
				assert.NotEmpty(t, e.Msg)
			}
			for _, f := range tt.checks {
				f(t, c)
			}
			_, err := json.Marshal(c)
			require.NoError(t, err)
		})
	}
}

// certFixtures reads testdata/cert-*.der.
func certFixtures(t testing.TB) map[string][]byte {
	t.Helper()
	files, err := filepath.Glob("testdata/cert-*.der")
	require.NoError(t, err)
	require.NotEmpty(t, files)
	out := map[string][]byte{}
	for _, f := range files {
		b, err := os.ReadFile(f)
		require.NoError(t, err)
		out[filepath.Base(f)] = b
	}
	return out
}

// TestParseCertificateFixtures checks the certificates from pcaps/ against
// what `openssl x509 -inform der -noout -text -subject -issuer -serial
// -dates -fingerprint -nameopt RFC2253` (OpenSSL 3) prints for them; the
// expected values below were copied from its output.
func TestParseCertificateFixtures(t *testing.T) {
	fx := certFixtures(t)
	tests := []struct {
		file                          string
		subject, issuer, serial       string
		notBefore, notAfter           string
		key, signature                string
		sha256, sha1                  string
		isCA                          bool
		maxPathLen                    *int
		keyUsage, extKeyUsage, dnsSAN []string
	}{
		{
			file:    "cert-padlock-leaf-rsa.der", // pcaps/tls12-basic.pcap, server certificate
			subject: "CN=example.com,O=Padlock Test", issuer: "CN=Padlock Test Intermediate CA,O=Padlock Test",
			serial:    "1001",
			notBefore: "2024-01-01T00:00:00Z", notAfter: "2035-01-01T00:00:00Z", // Jan  1 00:00:00 2024 GMT, Jan  1 00:00:00 2035 GMT
			key: "RSA 2048", signature: "SHA256-RSA", // Public-Key: (2048 bit), sha256WithRSAEncryption
			sha256:      "1232222cec65bdd1e2ac7d966d190ed0c71deeab47c5da77935df36070fd4f0e",
			sha1:        "a0deaf862cc47f6e6a25e9783442bdf7d4a8b962",
			keyUsage:    []string{"digital_signature", "key_encipherment"}, // Digital Signature, Key Encipherment
			extKeyUsage: []string{"server_auth"},                           // TLS Web Server Authentication
			dnsSAN:      []string{"example.com", "www.example.com"},
		},
		{
			file:    "cert-padlock-intermediate-ca.der", // pcaps/tls12-basic.pcap, second in the chain
			subject: "CN=Padlock Test Intermediate CA,O=Padlock Test", issuer: "CN=Padlock Test Root CA,O=Padlock Test",
			serial:    "02",
			notBefore: "2024-01-01T00:00:00Z", notAfter: "2035-01-01T00:00:00Z",
			key: "RSA 2048", signature: "SHA256-RSA",
			sha256:   "007bdbbd28ed1424881cc6fc6aee19935680fe658e5b74d02e12b83c85113b7c",
			sha1:     "2d2c230aae60819a07be58b7ad3d7a003d694209",
			isCA:     true, // CA:TRUE, pathlen:0
			keyUsage: []string{"key_cert_sign", "crl_sign"},
		},
		{
			file:    "cert-padlock-leaf-ecdsa.der", // pcaps/tls12-3-records-1-segment.pcap
			subject: "CN=example.com,O=Padlock Test", issuer: "CN=Padlock Test Intermediate CA,O=Padlock Test",
			serial:    "1002",
			notBefore: "2024-01-01T00:00:00Z", notAfter: "2035-01-01T00:00:00Z",
			key: "ECDSA P-256", signature: "SHA256-RSA", // id-ecPublicKey, NIST CURVE: P-256
			sha256:      "e8f16ca4b22e41b40b1c58d02bd6d471fc41a6ce2675804a4ca516f06d4b1be5",
			sha1:        "9de2b123a3bfa6f2769bf6c69b7d1b8356418d72",
			keyUsage:    []string{"digital_signature"},
			extKeyUsage: []string{"server_auth"},
			dnsSAN:      []string{"example.com", "www.example.com"},
		},
	}
	zero := 0
	tests[1].maxPathLen = &zero
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			der := fx[tt.file]
			require.NotNil(t, der)
			c, errs := ParseCertificate(der)
			require.Empty(t, errs)
			assert.Equal(t, CertParserStdlib, c.Parser)
			assert.Equal(t, 3, c.Version)
			assert.Equal(t, tt.subject, c.Subject)
			assert.Equal(t, tt.issuer, c.Issuer)
			assert.Equal(t, tt.serial, c.Serial)
			assert.Equal(t, tt.notBefore, c.NotBeforeText)
			assert.Equal(t, tt.notAfter, c.NotAfterText)
			assert.Equal(t, tt.key, c.Key)
			assert.Equal(t, tt.signature, c.Signature)
			assert.Equal(t, tt.sha256, c.SHA256)
			assert.Equal(t, tt.sha1, c.SHA1)
			assert.Equal(t, tt.isCA, c.IsCA)
			assert.Equal(t, tt.maxPathLen, c.MaxPathLen)
			assert.Equal(t, tt.keyUsage, c.KeyUsage)
			assert.Equal(t, tt.extKeyUsage, c.ExtKeyUsage)
			assert.Equal(t, tt.dnsSAN, c.SANs)
			assert.False(t, c.SelfSigned)
		})
	}
	t.Run("chain", func(t *testing.T) {
		leaf, _ := ParseCertificate(fx["cert-padlock-leaf-rsa.der"])
		inter, _ := ParseCertificate(fx["cert-padlock-intermediate-ca.der"])
		assert.NoError(t, leaf.Raw.CheckSignatureFrom(inter.Raw))
	})
}

// TestParseCertificateJSON pins the report's field names.
func TestParseCertificateJSON(t *testing.T) {
	c, errs := ParseCertificate(certFixtures(t)["cert-padlock-leaf-rsa.der"])
	require.Empty(t, errs)
	b, err := json.Marshal(c)
	require.NoError(t, err)
	var m map[string]any
	require.NoError(t, json.Unmarshal(b, &m))
	assert.Equal(t, map[string]any{
		"sha256":            "1232222cec65bdd1e2ac7d966d190ed0c71deeab47c5da77935df36070fd4f0e",
		"sha1":              "a0deaf862cc47f6e6a25e9783442bdf7d4a8b962",
		"length":            float64(len(certFixtures(t)["cert-padlock-leaf-rsa.der"])),
		"parser":            "crypto/x509",
		"version":           float64(3),
		"serial":            "1001",
		"subject":           "CN=example.com,O=Padlock Test",
		"issuer":            "CN=Padlock Test Intermediate CA,O=Padlock Test",
		"subject_cn":        "example.com",
		"not_before":        "2024-01-01T00:00:00Z",
		"not_after":         "2035-01-01T00:00:00Z",
		"sans":              []any{"example.com", "www.example.com"},
		"key":               "RSA 2048",
		"key_algorithm":     "RSA",
		"key_bits":          float64(2048),
		"key_oid":           "1.2.840.113549.1.1.1",
		"signature":         "SHA256-RSA",
		"signature_oid":     "1.2.840.113549.1.1.11",
		"is_ca":             false,
		"basic_constraints": false,
		"key_usage":         []any{"digital_signature", "key_encipherment"},
		"ext_key_usage":     []any{"server_auth"},
		"self_signed":       false,
		// Checked against tshark 4.0 (x509af.extension.id, x509af.critical,
		// x509ce.keyIdentifier, pkcs1.publicExponent) on pcaps/tls12-basic.pcap.
		"authority_key_id": "a8a88b8cb2b7da88ea03f0521458ce9f71dd6158",
		"rsa_exponent":     float64(65537),
		"extensions": []any{
			map[string]any{"oid": "2.5.29.15", "critical": true},
			map[string]any{"oid": "2.5.29.37", "critical": false},
			map[string]any{"oid": "2.5.29.35", "critical": false},
			map[string]any{"oid": "2.5.29.17", "critical": false},
		},
	}, m)
}

func TestCertSerialHex(t *testing.T) {
	for n, want := range map[int64]string{0: "00", 1: "01", 127: "7f", 128: "0080", 255: "00ff", -1: "ff", -128: "80", -129: "ff7f", -255: "ff01", -256: "ff00"} {
		assert.Equal(t, want, certSerialHex(big.NewInt(n)), "%d", n)
		// The DER encoder agrees.
		der, err := asn1.Marshal(big.NewInt(n))
		require.NoError(t, err)
		assert.Equal(t, want, hex.EncodeToString(der[2:]), "%d", n)
	}
}

func TestCertEscape(t *testing.T) {
	for in, want := range map[string]string{
		"plain":       "plain",
		" lead":       `\ lead`,
		"#hash":       `\#hash`,
		"a#b":         "a#b",
		"trail ":      `trail\ `,
		`a,b+c"d\e`:   `a\,b\+c\"d\\e`,
		"<x>;":        `\<x\>\;`,
		"nul\x00":     `nul\00`,
		"cr\r\nlf":    `cr\0D\0Alf`,
		"é":           "é",
		"bad\xffutf8": `bad\FFutf8`,
	} {
		assert.Equal(t, want, certEscape(in), "%q", in)
	}
}

func TestCertName(t *testing.T) {
	multi, err := asn1.Marshal(pkix.RDNSequence{
		{{Type: asn1.ObjectIdentifier{2, 5, 4, 6}, Value: "DE"}},
		{{Type: asn1.ObjectIdentifier{2, 5, 4, 3}, Value: "a"}, {Type: asn1.ObjectIdentifier{2, 5, 4, 11}, Value: "b"}},
		{{Type: asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 1}, Value: "x@example.test"}},
		{{Type: asn1.ObjectIdentifier{1, 2, 3, 4}, Value: "abc"}},
		{{Type: asn1.ObjectIdentifier{2, 5, 4, 3}, Value: 5}},
	})
	require.NoError(t, err)
	dn, cn, ok := certName(multi)
	require.True(t, ok)
	// Most specific first; the multi-valued RDN in wire order; an unknown
	// type and a non-string value as #hex of their DER (RFC 4514 Section 2.4).
	assert.Equal(t, `CN=#020105,1.2.3.4=#1303616263,emailAddress=x@example.test,CN=a+OU=b,C=DE`, dn)
	assert.Equal(t, "a", cn)

	_, _, ok = certName([]byte{0x30, 0x03, 0x31, 0x01})
	assert.False(t, ok)
	dn, _, ok = certName([]byte{0x30, 0x00})
	assert.True(t, ok)
	assert.Empty(t, dn)
}

// TestCertKey covers public keys the generated certificates do not.
func TestCertKey(t *testing.T) {
	spki := func(alg func(b *cryptobyte.Builder), key []byte) []byte {
		return certDER(func(b *cryptobyte.Builder) {
			b.AddASN1(casn1.SEQUENCE, func(b *cryptobyte.Builder) {
				b.AddASN1(casn1.SEQUENCE, alg)
				b.AddASN1BitString(key)
			})
		})
	}
	oid := func(o ...int) func(b *cryptobyte.Builder) {
		return func(b *cryptobyte.Builder) { b.AddASN1ObjectIdentifier(o) }
	}
	bigInt := func(bits int) *big.Int { return new(big.Int).Lsh(big.NewInt(1), uint(bits-1)) }
	rsaKey := certDER(func(b *cryptobyte.Builder) {
		b.AddASN1(casn1.SEQUENCE, func(b *cryptobyte.Builder) { b.AddASN1BigInt(bigInt(3072)); b.AddASN1Int64(65537) })
	})
	tests := []struct {
		name            string
		spki            []byte
		key, alg, curve string
		bits            int
	}{
		{"rsa_pss_3072", spki(oid(1, 2, 840, 113549, 1, 1, 10), rsaKey), "RSA-PSS 3072", "RSA-PSS", "", 3072},
		{"dsa_1024", spki(func(b *cryptobyte.Builder) {
			oid(1, 2, 840, 10040, 4, 1)(b)
			b.AddASN1(casn1.SEQUENCE, func(b *cryptobyte.Builder) { b.AddASN1BigInt(bigInt(1024)); b.AddASN1Int64(3); b.AddASN1Int64(2) })
		}, []byte{2, 1, 1}), "DSA 1024", "DSA", "", 1024},
		{"x25519", spki(oid(1, 3, 101, 110), make([]byte, 32)), "X25519", "X25519", "", 256},
		{"ed448", spki(oid(1, 3, 101, 113), make([]byte, 57)), "Ed448", "Ed448", "", 456},
		{"ec_unknown_curve", spki(func(b *cryptobyte.Builder) { oid(1, 2, 840, 10045, 2, 1)(b); oid(1, 2, 3, 4)(b) }, append([]byte{4}, make([]byte, 96)...)),
			"ECDSA 1.2.3.4", "ECDSA", "1.2.3.4", 384},
		{"ec_explicit_curve", spki(func(b *cryptobyte.Builder) {
			oid(1, 2, 840, 10045, 2, 1)(b)
			b.AddASN1(casn1.SEQUENCE, func(b *cryptobyte.Builder) { b.AddASN1Int64(1) })
		}, append([]byte{4}, make([]byte, 64)...)), "ECDSA explicit", "ECDSA", "explicit", 256},
		{"unknown", spki(oid(1, 2, 3, 4, 5), []byte{1}), "1.2.3.4.5", "1.2.3.4.5", "", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := &Certificate{}
			c.setKey(tt.spki)
			assert.Equal(t, tt.key, c.Key)
			assert.Equal(t, tt.alg, c.KeyAlgorithm)
			assert.Equal(t, tt.curve, c.Curve)
			assert.Equal(t, tt.bits, c.KeyBits)
		})
	}
}

func TestCertSignatureAlgorithm(t *testing.T) {
	alg := func(f func(b *cryptobyte.Builder)) []byte {
		return certDER(func(b *cryptobyte.Builder) { b.AddASN1(casn1.SEQUENCE, f) })
	}
	pss := func(hash asn1.ObjectIdentifier) []byte {
		return alg(func(b *cryptobyte.Builder) {
			b.AddASN1ObjectIdentifier(asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 10})
			b.AddASN1(casn1.SEQUENCE, func(b *cryptobyte.Builder) {
				b.AddASN1(casn1.Tag(0).Constructed().ContextSpecific(), func(b *cryptobyte.Builder) {
					b.AddASN1(casn1.SEQUENCE, func(b *cryptobyte.Builder) { b.AddASN1ObjectIdentifier(hash) })
				})
			})
		})
	}
	for _, tt := range []struct {
		elem []byte
		name string
		algo x509.SignatureAlgorithm
	}{
		{pss(asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 1}), "SHA256-RSAPSS", x509.SHA256WithRSAPSS},
		{pss(asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 3}), "SHA512-RSAPSS", x509.SHA512WithRSAPSS},
		{pss(asn1.ObjectIdentifier{1, 3, 14, 3, 2, 26}), "RSASSA-PSS", x509.UnknownSignatureAlgorithm},
		{alg(func(b *cryptobyte.Builder) {
			b.AddASN1ObjectIdentifier(asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 4})
			b.AddASN1NULL()
		}), "MD5-RSA", x509.MD5WithRSA},
		{alg(func(b *cryptobyte.Builder) {
			b.AddASN1ObjectIdentifier(asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 3, 1})
		}), "ECDSA-SHA224", x509.UnknownSignatureAlgorithm},
		{alg(func(b *cryptobyte.Builder) { b.AddASN1ObjectIdentifier(asn1.ObjectIdentifier{1, 2, 3}) }), "1.2.3", x509.UnknownSignatureAlgorithm},
	} {
		name, _, algo := certSignatureAlgorithm(tt.elem)
		assert.Equal(t, tt.name, name)
		assert.Equal(t, tt.algo, algo)
	}
}

// TestParseCertificatePrefixes parses every truncation of every fixture and
// generated certificate: no panic, and a truncated certificate is never
// taken for a whole one.
func TestParseCertificatePrefixes(t *testing.T) {
	ders := certFixtures(t)
	ch := certTestChain()
	ders["leaf"], ders["self_ed25519"] = ch.leaf, ch.selfEd
	for name, der := range ders {
		t.Run(name, func(t *testing.T) {
			for i := 0; i < len(der); i++ {
				c, errs := ParseCertificate(der[:i])
				require.NotNil(t, c, "prefix %d", i)
				require.Equal(t, i, c.Length)
				require.True(t, c.Parser == CertParserNone || len(errs) > 0, "prefix %d parsed by %s without errors", i, c.Parser)
				if c.Parser == CertParserNone {
					require.Contains(t, certCodes(errs), CodeCertificateUnparsable, "prefix %d", i)
				}
				for _, e := range errs {
					require.True(t, e.Off >= 0 && e.Off <= i, "prefix %d: offset %d", i, e.Off)
				}
			}
		})
	}
}

func BenchmarkParseCertificate(b *testing.B) {
	fx := certFixtures(b)
	for _, name := range []string{"cert-padlock-leaf-rsa.der", "cert-padlock-leaf-ecdsa.der"} {
		der := fx[name]
		b.Run(strings.TrimSuffix(name, ".der"), func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(der)))
			for b.Loop() {
				ParseCertificate(der)
			}
		})
	}
}

// TestCertFillFromExtensions pins the extension list, key identifiers and
// their malformed forms. The AKI and SKI bytes are cut from
// pcaps/tls12-basic.pcap's intermediate certificate (as tshark 4.0 shows
// x509ce.SubjectKeyIdentifier and x509ce.keyIdentifier); the broken ones are
// made by hand.
func TestCertFillFromExtensions(t *testing.T) {
	ski := unhex("0414a8a88b8cb2b7da88ea03f0521458ce9f71dd6158")
	aki := unhex("30168014619078dca519490f36ab333acaa0676ea855e5c4")
	tests := []struct {
		name     string
		exts     []certExt
		wantSKI  string
		wantAKI  string
		wantExts []CertExtension
		warn     bool
	}{
		{name: "ski_and_aki", exts: []certExt{{oid: "2.5.29.15", critical: true, value: unhex("03020106")}, {oid: "2.5.29.14", value: ski}, {oid: "2.5.29.35", value: aki}},
			wantSKI: "a8a88b8cb2b7da88ea03f0521458ce9f71dd6158", wantAKI: "619078dca519490f36ab333acaa0676ea855e5c4",
			wantExts: []CertExtension{{"2.5.29.15", true}, {"2.5.29.14", false}, {"2.5.29.35", false}}},
		// authorityCertSerialNumber [2] only: no keyIdentifier to show.
		{name: "aki_serial_only", exts: []certExt{{oid: "2.5.29.35", value: unhex("3003820101")}},
			wantExts: []CertExtension{{"2.5.29.35", false}}},
		{name: "ski_not_octet_string", exts: []certExt{{oid: "2.5.29.14", value: unhex("0201ff")}},
			wantExts: []CertExtension{{"2.5.29.14", false}}, warn: true},
		{name: "ski_trailing_bytes", exts: []certExt{{oid: "2.5.29.14", value: append(append([]byte{}, ski...), 0)}},
			wantExts: []CertExtension{{"2.5.29.14", false}}, warn: true},
		{name: "aki_truncated", exts: []certExt{{oid: "2.5.29.35", value: aki[:10]}},
			wantExts: []CertExtension{{"2.5.29.35", false}}, warn: true},
		{name: "unknown_critical", exts: []certExt{{oid: "1.2.3.4", critical: true, value: []byte{5, 0}}},
			wantExts: []CertExtension{{"1.2.3.4", true}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := &Certificate{}
			assert.Empty(t, c.fillFromExtensions(tt.exts))
			assert.Equal(t, tt.wantSKI, c.SubjectKeyID)
			assert.Equal(t, tt.wantAKI, c.AuthorityKeyID)
			assert.Equal(t, tt.wantExts, c.Extensions)
			assert.Equal(t, tt.warn, len(c.Warnings) > 0, "warnings %q", c.Warnings)
		})
	}
	t.Run("capped", func(t *testing.T) {
		exts := make([]certExt, maxCertExtensions+10)
		for i := range exts {
			exts[i] = certExt{oid: "1.2.3." + strconv.Itoa(i)}
		}
		c := &Certificate{}
		c.fillFromExtensions(exts)
		assert.Len(t, c.Extensions, maxCertExtensions)
	})
}

// TestCertNameConstraints: a CA's nameConstraints by kind, permitted and
// excluded, as tshark shows x509ce.permittedSubtrees/excludedSubtrees (a CA
// certificate made here with crypto/x509).
func TestCertNameConstraints(t *testing.T) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	_, ipnet, err := net.ParseCIDR("192.0.2.0/24")
	require.NoError(t, err)
	u, err := url.Parse("https://example.com")
	require.NoError(t, err)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "NC CA"},
		NotBefore: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC), NotAfter: time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign,
		PermittedDNSDomainsCritical: true, PermittedDNSDomains: []string{"example.com", ".example.org"},
		ExcludedDNSDomains: []string{"bad.example.com"}, ExcludedIPRanges: []*net.IPNet{ipnet},
		PermittedEmailAddresses: []string{"example.com"}, ExcludedURIDomains: []string{u.Host}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	require.NoError(t, err)
	c, errs := ParseCertificate(der)
	require.Empty(t, errs)
	assert.Equal(t, &CertNameConstraints{PermittedDNS: []string{"example.com", ".example.org"}, ExcludedDNS: []string{"bad.example.com"},
		ExcludedIPs: []string{"192.0.2.0/24"}, PermittedEmails: []string{"example.com"}, ExcludedURIs: []string{"example.com"}}, c.NameConstraints)
	assert.Contains(t, c.Extensions, CertExtension{OID: "2.5.29.30", Critical: true})

	// No extension, no object.
	tmpl.PermittedDNSDomains, tmpl.ExcludedDNSDomains, tmpl.ExcludedIPRanges, tmpl.PermittedEmailAddresses, tmpl.ExcludedURIDomains = nil, nil, nil, nil, nil
	der, err = x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	require.NoError(t, err)
	c, _ = ParseCertificate(der)
	assert.Nil(t, c.NameConstraints)
}
