package fingerprint

import (
	"os"
	"testing"

	"github.com/stretchr/testify/require"
)

// benchHello is Go 1.26's TLS 1.3 ClientHello, a fixture of package dissect.
func benchHello(b *testing.B, name string) []byte {
	b.Helper()
	body, err := os.ReadFile("../testdata/" + name)
	require.NoError(b, err)
	return body
}

func BenchmarkJA4(b *testing.B) {
	ch := parseCH(b, benchHello(b, "hello-go126-tls13-client_hello.bin"))
	b.ReportAllocs()
	for b.Loop() {
		_ = JA4(ch)
	}
}

func BenchmarkJA3(b *testing.B) {
	ch := parseCH(b, benchHello(b, "hello-go126-tls13-client_hello.bin"))
	b.ReportAllocs()
	for b.Loop() {
		_ = JA3(ch)
	}
}

func BenchmarkJA4S(b *testing.B) {
	sh := parseSH(b, benchHello(b, "hello-go126-tls13-server_hello.bin"))
	b.ReportAllocs()
	for b.Loop() {
		_, _ = JA4S(sh)
	}
}

func BenchmarkJA4X(b *testing.B) {
	der := buildCert(b, certSpec{
		issuer:  rdns(oC, oO, oOU, oCN),
		subject: rdns(oC, oST, oL, oO, oCN),
		exts:    []string{oKeyUsage, oExtKeyUsage, oSAN, "2.5.29.19", "2.5.29.14", "2.5.29.35"},
	})
	b.SetBytes(int64(len(der)))
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := JA4X(der); err != nil {
			b.Fatal(err)
		}
	}
}
