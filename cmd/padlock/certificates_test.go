package main

import (
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// connReport is the part of a connection report these tests read.
type connReport struct {
	TLS struct {
		Version         string `json:"version"`
		Group           string `json:"group"`
		SignatureScheme string `json:"signature_scheme"`
	} `json:"tls"`
	Handshake []struct {
		Type   string `json:"type"`
		Frames []int  `json:"frames"`
	} `json:"handshake"`
	Certificates []struct {
		From    string `json:"from"`
		Index   int    `json:"index"`
		Frames  []int  `json:"frames"`
		Subject string `json:"subject"`
		SHA256  string `json:"sha256"`
		JA4X    string `json:"ja4x"`
	} `json:"certificates"`
	Fingerprints map[string]any `json:"fingerprints"`
	Verdict      struct {
		Padlock  bool `json:"padlock"`
		Checked  bool `json:"certificate_checked"`
		Problems []struct {
			Code string `json:"code"`
		} `json:"problems"`
	} `json:"verdict"`
}

func reports(t *testing.T, args ...string) []connReport {
	t.Helper()
	out, errOut, code := runPadlock(append([]string{"--format", "json"}, args...)...)
	require.Equal(t, 0, code, errOut)
	var reps []connReport
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		var r connReport
		require.NoError(t, json.Unmarshal([]byte(line), &r))
		reps = append(reps, r)
	}
	return reps
}

// The Certificate message of tls12-cert-4-segments travels in frames 5-11
// (MSS 300, pcaps/README.md); each certificate names only the frames of
// its own bytes, the leaf first, and the two meet in the frame where one
// ends and the next begins. The certificates are the ones pcaps/gen signs.
func TestCertificateFrames(t *testing.T) {
	reps := reports(t, "-r", "../../pcaps/tls12-cert-4-segments.pcap")
	require.Len(t, reps, 1)
	r := reps[0]
	require.Len(t, r.Certificates, 2)
	var msgFrames []int
	for _, h := range r.Handshake {
		if h.Type == "certificate" {
			msgFrames = h.Frames
		}
	}
	assert.Equal(t, []int{5, 6, 7, 8, 9, 10, 11}, msgFrames)
	leaf, inter := r.Certificates[0], r.Certificates[1]
	assert.Equal(t, 0, leaf.Index)
	assert.Equal(t, 1, inter.Index)
	assert.Equal(t, 5, leaf.Frames[0], "the leaf starts in the message's first frame")
	assert.Equal(t, 11, inter.Frames[len(inter.Frames)-1], "the intermediate ends in the message's last frame")
	assert.Equal(t, leaf.Frames[len(leaf.Frames)-1], inter.Frames[0], "one frame carries the end of the leaf and the start of the intermediate")
	assert.Less(t, len(leaf.Frames), len(msgFrames))

	for i, name := range []string{"leaf-rsa.pem", "intermediate.pem"} {
		der := pemDER(t, "../../pcaps/gen/certs/"+name)
		sum := sha256.Sum256(der)
		assert.Equal(t, hex.EncodeToString(sum[:]), r.Certificates[i].SHA256, name)
		c, err := x509.ParseCertificate(der)
		require.NoError(t, err)
		assert.Contains(t, r.Certificates[i].Subject, "CN="+c.Subject.CommonName)
	}
}

func pemDER(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	blk, _ := pem.Decode(b)
	require.NotNil(t, blk, path)
	return blk.Bytes
}

// JA4S and JA4X are FoxIO License 1.1: off unless --ja4plus.
func TestJA4PlusOnlyWhenAsked(t *testing.T) {
	plain := reports(t, "-r", "../../pcaps/tls12-basic.pcap")[0]
	assert.NotEmpty(t, plain.Fingerprints["ja4"])
	assert.NotEmpty(t, plain.Fingerprints["ja3s"])
	assert.NotContains(t, plain.Fingerprints, "ja4s")
	assert.NotContains(t, plain.Fingerprints, "ja4x")
	for _, c := range plain.Certificates {
		assert.Empty(t, c.JA4X)
	}

	plus := reports(t, "-r", "../../pcaps/tls12-basic.pcap", "--ja4plus")[0]
	assert.Regexp(t, `^t1206h1_c02f_[0-9a-f]{12}$`, plus.Fingerprints["ja4s"])
	require.Len(t, plus.Fingerprints["ja4x"], 2)
	for _, c := range plus.Certificates {
		assert.Regexp(t, `^[0-9a-f]{12}_[0-9a-f]{12}_[0-9a-f]{12}$`, c.JA4X)
	}
}

// The chain pcaps/gen serves verifies against its own root and against
// nothing else: the verdict follows the trust store given.
func TestVerdictFollowsTrustStore(t *testing.T) {
	trusted := reports(t, "-r", "../../pcaps/tls12-basic.pcap", "--ca-file", "../../pcaps/gen/certs/root.pem")[0]
	assert.True(t, trusted.Verdict.Checked)
	assert.True(t, trusted.Verdict.Padlock, "%+v", trusted.Verdict.Problems)
	assert.Equal(t, "x25519", trusted.TLS.Group, "TLS 1.2 group from the ServerKeyExchange")
	assert.Equal(t, "rsa_pkcs1_sha256", trusted.TLS.SignatureScheme)

	// Trusting only the intermediate's issuer's sibling: the leaf itself.
	other := reports(t, "-r", "../../pcaps/tls12-basic.pcap", "--ca-file", "../../pcaps/gen/certs/leaf-ecdsa.pem")[0]
	assert.False(t, other.Verdict.Padlock)
	var codes []string
	for _, p := range other.Verdict.Problems {
		codes = append(codes, p.Code)
	}
	assert.Contains(t, codes, "chain_untrusted")

	_, errOut, code := runPadlock("-r", "../../pcaps/tls12-basic.pcap", "--ca-file", "../../pcaps/README.md")
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, errOut, "--ca-file")
}

// Weak suites negotiated by real stacks (GnuTLS 3.7, pcaps/real/keylog/
// README.md) cost the padlock, each for its own reason.
func TestWeakCipherVerdicts(t *testing.T) {
	for _, tc := range []struct {
		file string
		want []string
	}{
		{"tls10-rc4-md5.pcap", []string{"critical protocol_outdated", "critical cipher_rc4", "warning no_forward_secrecy"}},
		{"tls12-rc4-sha.pcap", []string{"critical cipher_rc4"}},
		{"tls12-3des-etm.pcap", []string{"critical cipher_3des"}},
		{"tls12-null-sha.pcap", []string{"critical cipher_null"}},
	} {
		t.Run(tc.file, func(t *testing.T) {
			out, errOut, code := runPadlock("-r", "../../pcaps/real/keylog/"+tc.file, "--format", "json", "--ca-file", "../../pcaps/gen/certs/root.pem")
			require.Equal(t, 0, code, errOut)
			var r struct {
				Verdict struct {
					Padlock  bool `json:"padlock"`
					Problems []struct {
						Code     string `json:"code"`
						Severity string `json:"severity"`
					} `json:"problems"`
				} `json:"verdict"`
			}
			require.NoError(t, json.Unmarshal([]byte(out), &r))
			var got []string
			for _, p := range r.Verdict.Problems {
				got = append(got, p.Severity+" "+p.Code)
			}
			assert.Equal(t, tc.want, got)
			assert.False(t, r.Verdict.Padlock)
		})
	}
}

// --max-certificates and --max-handshake-size bound what one connection
// costs; the caps are reported, the rest of the report stands.
func TestCapFlags(t *testing.T) {
	one := reports(t, "-r", "../../pcaps/tls12-basic.pcap", "--max-certificates", "1")[0]
	assert.Len(t, one.Certificates, 1, "only the leaf is parsed")

	out, errOut, code := runPadlock("-r", "../../pcaps/tls12-basic.pcap", "--format", "json", "--max-handshake-size", "1000")
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, out, `"code":"handshake_too_large"`, "the 1730-byte Certificate is skipped")
	assert.Contains(t, out, `"sni":"example.com"`)

	for _, bad := range [][]string{{"--max-certificates", "0"}, {"--max-handshake-size", "0"}} {
		_, errOut, code := runPadlock(append([]string{"-r", "../../pcaps/tls12-basic.pcap"}, bad...)...)
		assert.Equal(t, exitUsage, code)
		assert.Contains(t, errOut, bad[0])
	}
}
