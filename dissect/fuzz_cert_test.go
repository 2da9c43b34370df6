package dissect

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
)

// FuzzParseCertificate is the fuzz target for ParseCertificate (STYLE.md
// 2.4), seeded from testdata/cert-*.der, byte-patched variants of them that
// send it down the lenient and the walk-only paths, and the generated chain
// of cert_test.go. Crashers land in
// testdata/fuzz/FuzzParseCertificate/ and are replayed by every `go test`.
//
// The property: no panic; a non-nil value with the fingerprints and length
// of the input; a Parser that agrees with the codes; errors that point
// inside the input; bounded warnings; a value that marshals to JSON.
func FuzzParseCertificate(f *testing.F) {
	files, err := filepath.Glob("testdata/cert-*.der")
	if err != nil {
		f.Fatal(err)
	}
	for _, name := range files {
		der, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(der)
		// serialNumber 0x1001 made negative (0xf001): crypto/x509 refuses it.
		f.Add(bytes.Replace(der, []byte{0x02, 0x02, 0x10, 0x01}, []byte{0x02, 0x02, 0xf0, 0x01}, 1))
		// notBefore in month 13: both libraries refuse it.
		f.Add(bytes.Replace(der, []byte{0x17, 0x0d, '2', '4', '0', '1'}, []byte{0x17, 0x0d, '2', '4', '1', '3'}, 1))
		f.Add(append(append([]byte(nil), der...), 0))
	}
	// Generated certificates reach SANs of every kind, AIA, CRL DP,
	// policies and SCTs, which the fixtures lack.
	ch := certTestChain()
	for _, der := range [][]byte{ch.root, ch.inter, ch.leaf, ch.selfEd} {
		f.Add(der)
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		c, errs := ParseCertificate(in)
		if c == nil {
			t.Fatal("nil certificate")
		}
		if c.Length != len(in) || len(c.SHA256) != 64 || len(c.SHA1) != 40 {
			t.Fatalf("length %d, sha256 %q, sha1 %q for %d bytes", c.Length, c.SHA256, c.SHA1, len(in))
		}
		codes := map[Code]bool{}
		for _, e := range errs {
			if e.Code == "" || e.Msg == "" || e.Off < 0 || e.Off > len(in) {
				t.Fatalf("bad error %+v for %d-byte input", e, len(in))
			}
			codes[e.Code] = true
		}
		switch c.Parser {
		case CertParserStdlib:
			if c.Raw == nil || codes[CodeCertificateLenient] || codes[CodeCertificateUnparsable] {
				t.Fatalf("crypto/x509 parse with Raw %v and codes %v", c.Raw != nil, codes)
			}
		case CertParserLenient:
			if c.Raw != nil || !codes[CodeCertificateLenient] {
				t.Fatalf("lenient parse with Raw %v and codes %v", c.Raw != nil, codes)
			}
		case CertParserNone:
			if c.Raw != nil || !codes[CodeCertificateUnparsable] {
				t.Fatalf("no parse with Raw %v and codes %v", c.Raw != nil, codes)
			}
		default:
			t.Fatalf("parser %q", c.Parser)
		}
		if len(c.Warnings) > maxCertWarnings+1 {
			t.Fatalf("%d warnings", len(c.Warnings))
		}
		if _, err := json.Marshal(c); err != nil {
			t.Fatal(err)
		}
	})
}
