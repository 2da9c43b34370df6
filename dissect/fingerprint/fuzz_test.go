package fingerprint

import (
	"crypto/md5"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/padlock-tls/padlock/dissect"
)

// FuzzHelloFingerprints decodes arbitrary bytes as a ClientHello and as a
// ServerHello and fingerprints whatever the decoder kept. Property: no
// panic, the fixed-size parts have their size, and every hashed form is
// its raw form hashed.
func FuzzHelloFingerprints(f *testing.F) {
	files, _ := filepath.Glob("../testdata/hello-*.bin")
	for _, name := range files {
		if b, err := os.ReadFile(name); err == nil {
			f.Add(b)
		}
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		ch, _ := dissect.ParseClientHello(body)
		j3 := JA3(ch)
		if sum := md5.Sum([]byte(j3.Full)); j3.Hash != hex.EncodeToString(sum[:]) {
			t.Fatalf("ja3 hash %s is not md5(%q)", j3.Hash, j3.Full)
		}
		j4 := JA4(ch)
		if len(j4.JA4) != 36 || len(j4.JA4O) != 36 {
			t.Fatalf("ja4 %q / ja4_o %q: not 36 characters", j4.JA4, j4.JA4O)
		}
		if j4.JA4 != rehash(t, j4.JA4R) || j4.JA4O != rehash(t, j4.JA4RO) {
			t.Fatalf("hashed forms %q %q do not match raw %q %q", j4.JA4, j4.JA4O, j4.JA4R, j4.JA4RO)
		}

		// The cache, shared by every input of the run, gives what
		// computing gives.
		if c3, c4 := ClientPrints(ch); c3 != j3 || c4 != j4 {
			t.Fatalf("cached %v %v, computed %v %v", c3, c4, j3, j4)
		}

		sh, _ := dissect.ParseServerHello(body)
		j3s := JA3S(sh)
		if c := ServerPrint(sh); c != j3s {
			t.Fatalf("cached ja3s %v, computed %v", c, j3s)
		}
		if sum := md5.Sum([]byte(j3s.Full)); j3s.Hash != hex.EncodeToString(sum[:]) {
			t.Fatalf("ja3s hash %s is not md5(%q)", j3s.Hash, j3s.Full)
		}
		h, r := JA4S(sh)
		head := r[:len("t000000_0000_")]
		if !strings.HasPrefix(h, head) || h[len(head):] != hash12(t, r[len(head):]) {
			t.Fatalf("ja4s %q does not match ja4s_r %q", h, r)
		}
	})
}

// FuzzJA4X reads arbitrary bytes as a certificate. Property: no panic, and
// a fingerprint, when there is one, is its raw form hashed.
func FuzzJA4X(f *testing.F) {
	f.Add(buildCert(f, certSpec{issuer: rdns(oC, oCN), subject: rdns(oCN), exts: []string{oSAN}}))
	f.Add(buildCert(f, certSpec{v1: true, issuer: [][]string{{oC, oO}}, subject: nil, uniqueIDs: true}))
	f.Fuzz(func(t *testing.T, der []byte) {
		h, r, err := JA4X(der)
		if err != nil {
			if h != "" || r != "" {
				t.Fatalf("error %v with output %q %q", err, h, r)
			}
			return
		}
		parts := strings.Split(r, "_")
		if len(parts) != 3 || h != hash12(t, parts[0])+"_"+hash12(t, parts[1])+"_"+hash12(t, parts[2]) {
			t.Fatalf("ja4x %q does not match ja4x_r %q", h, r)
		}
	})
}
