package decrypt

import (
	"bufio"
	"bytes"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Expected decryptions of pcaps/real/keylog/*.pcap: OpenSSL 3.0 s_server
// and s_client (GnuTLS 3.7 for RC4, 3DES, NULL, AES-256-CCM) on loopback, recorded by pcaps/real/keylog/capture.sh (see
// the README there). The client asks GET /hello.txt, the server (-WWW)
// answers "HTTP/1.0 200 ok" and closes; both send close_notify. What each
// record holds was checked against tshark with the same key log (see
// TestTsharkAgrees).
var (
	tls12Flow = []string{
		"client application handshake [20]",
		"server application handshake [20]",
		`client application data "GET /hello.txt HTTP/1.0"`,
		`server application data "HTTP/1.0 200 ok"`,
		"server application alert [1 0]",
		"client application alert [1 0]",
	}
	// TLS 1.0 CBC: OpenSSL splits each application write 1/n-1 (an empty
	// record first) against BEAST.
	tls10Flow = []string{
		"client application handshake [20]",
		"server application handshake [20]",
		`client application data ""`,
		`client application data "GET /hello.txt HTTP/1.0"`,
		`server application data ""`,
		`server application data "HTTP/1.0 200 ok"`,
		"server application alert [1 0]",
		"client application alert [1 0]",
	}
	// GnuTLS 3.7 gnutls-serv --http and gnutls-cli: GET / HTTP/1.0, the
	// HTML session page; the client's close_notify only when it got out
	// before the server's.
	gnutlsFlow = []string{
		"client application handshake [20]",
		"server application handshake [20]",
		`client application data "GET / HTTP/1.0"`,
		`server application data "HTTP/1.0 200 OK"`,
		"client application alert [1 0]",
		"server application alert [1 0]",
	}
	gnutlsFlowServerAlert = []string{
		"client application handshake [20]",
		"server application handshake [20]",
		`client application data "GET / HTTP/1.0"`,
		`server application data "HTTP/1.0 200 OK"`,
		"server application alert [1 0]",
	}
	tls13Server = []string{
		"server handshake handshake [8]",
		"server handshake handshake [11]",
		"server handshake handshake [15]",
		"server handshake handshake [20]",
		"client handshake handshake [20]",
	}
	tls13FirstConn = append(append([]string{}, tls13Server...),
		`client application data "first connection"`,
		"server application handshake [4]",
		"server application handshake [4]",
		"client application alert [1 0]",
		"server application alert [1 0]",
	)
)

func cat(parts ...[]string) []string {
	var out []string
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

func TestRealCaptures(t *testing.T) {
	tests := []struct {
		file  string
		suite string
		want  [][]string // per connection
		stats []Stats
	}{
		{"tls13-aes128gcm", "TLS_AES_128_GCM_SHA256", [][]string{cat(tls13Server, []string{
			`client application data "GET /hello.txt HTTP/1.0"`,
			"server application handshake [4]",
			"server application handshake [4]",
			`server application data "HTTP/1.0 200 ok"`,
			"server application alert [1 0]",
			"client application alert [1 0]",
		})}, nil},
		{"tls13-aes256gcm", "TLS_AES_256_GCM_SHA384", [][]string{cat(tls13Server, []string{
			`client application data "GET /hello.txt HTTP/1.0"`,
			"server application handshake [4]",
			"server application handshake [4]",
			`server application data "HTTP/1.0 200 ok"`,
			"server application alert [1 0]",
			"client application alert [1 0]",
		})}, nil},
		{"tls13-ccm", "TLS_AES_128_CCM_SHA256", [][]string{cat(tls13Server, []string{
			"server application handshake [4]",
			`client application data "GET /hello.txt HTTP/1.0"`,
			"server application handshake [4]",
			`server application data "HTTP/1.0 200 ok"`,
			"server application alert [1 0]",
			"client application alert [1 0]",
		})}, nil},
		{"tls13-ccm8", "TLS_AES_128_CCM_8_SHA256", [][]string{cat(tls13Server, []string{
			"server application handshake [4]",
			"server application handshake [4]",
			`client application data "GET /hello.txt HTTP/1.0"`,
			`server application data "HTTP/1.0 200 ok"`,
			"server application alert [1 0]",
			"client application alert [1 0]",
		})}, nil},
		{"tls13-chacha20-keyupdate", "TLS_CHACHA20_POLY1305_SHA256", [][]string{cat(tls13Server, []string{
			"server application handshake [4]",
			"server application handshake [4]",
			"client application handshake [24]", // KeyUpdate, update_requested
			`client application+1 data "GET /hello.txt HTTP/1.0"`,
			"server application handshake [24]",
			`server application+1 data "HTTP/1.0 200 ok"`,
			"server application+1 alert [1 0]",
			"client application+1 alert [1 0]",
		})}, []Stats{{Decrypted: [2]int{4, 9}, KeyUpdates: [2]int{1, 1}}}},
		{"tls13-0rtt-accepted", "TLS_AES_256_GCM_SHA384", [][]string{tls13FirstConn, {
			`client early data "early data from padlock"`,
			"server handshake handshake [8]",
			"server handshake handshake [20]",
			"client early handshake [5]", // EndOfEarlyData
			"client handshake handshake [20]",
			"server application handshake [4]",
			"client application alert [1 0]",
			"server application alert [1 0]",
		}}, []Stats{{Decrypted: [2]int{3, 7}}, {Decrypted: [2]int{4, 4}, EarlyData: 2}}},
		{"tls13-0rtt-rejected", "TLS_AES_256_GCM_SHA384", [][]string{tls13FirstConn, cat([]string{
			`client early data "early data from padlock"`, // sent, and skipped by the server
		}, tls13Server, []string{
			"server application handshake [4]",
			"server application handshake [4]",
			"client application alert [1 0]",
			"server application alert [1 0]",
		})}, []Stats{{Decrypted: [2]int{3, 7}}, {Decrypted: [2]int{3, 7}, EarlyData: 1, EarlyRejected: true}}},
		{"tls12-aes128gcm", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", [][]string{tls12Flow}, nil},
		{"tls12-aes256gcm-sha384", "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", [][]string{tls12Flow}, nil},
		{"tls12-chacha20", "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256", [][]string{tls12Flow}, nil},
		{"tls12-ccm", "TLS_RSA_WITH_AES_128_CCM", [][]string{tls12Flow}, nil},
		{"tls12-ccm8", "TLS_RSA_WITH_AES_128_CCM_8", [][]string{tls12Flow}, nil},
		{"tls12-cbc-sha", "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA", [][]string{tls12Flow}, nil},
		{"tls12-cbc-sha384", "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384", [][]string{tls12Flow}, nil},
		{"tls12-cbc-sha256-etm", "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256", [][]string{tls12Flow}, nil},
		{"tls11-cbc-sha", "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA", [][]string{tls12Flow}, nil},
		{"tls10-cbc-sha", "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA", [][]string{tls10Flow}, nil},
		{"tls10-cbc-sha-etm", "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA", [][]string{tls10Flow}, nil},
		{"tls13-hrr", "TLS_AES_256_GCM_SHA384", [][]string{cat(tls13Server, []string{
			`client application data "GET /hello.txt HTTP/1.0"`,
			"server application handshake [4]",
			"server application handshake [4]",
			`server application data "HTTP/1.0 200 ok"`,
			"server application alert [1 0]",
			"client application alert [1 0]",
		})}, nil},
		{"tls13-client-auth", "TLS_AES_256_GCM_SHA384", [][]string{{
			"server handshake handshake [8]",
			"server handshake handshake [13]", // CertificateRequest
			"server handshake handshake [11]",
			"server handshake handshake [15]",
			"server handshake handshake [20]",
			"client handshake handshake [11]", // the client's Certificate, CertificateVerify, Finished
			"client handshake handshake [15]",
			"client handshake handshake [20]",
			`client application data "GET /hello.txt HTTP/1.0"`,
			"server application handshake [4]",
			"server application handshake [4]",
			`server application data "HTTP/1.0 200 ok"`,
			"server application alert [1 0]",
			"client application alert [1 0]",
		}}, nil},
		{"tls12-resumption", "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", [][]string{tls12Flow, {
			"server application handshake [20]", // abbreviated: the server's Finished first
			"client application handshake [20]",
			`client application data "GET /hello.txt HTTP/1.0"`,
			`server application data "HTTP/1.0 200 ok"`,
			"server application alert [1 0]",
			"client application alert [1 0]",
		}}, nil},
		{"tls12-renegotiation", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", [][]string{{
			"client application handshake [20]",
			"server application handshake [20]",
			"client application handshake [1]", // the renegotiation, under the first keys
			"server application handshake [2]",
			"server application handshake [11]",
			"server application handshake [12]",
			"server application handshake [14]",
			"client application handshake [16]",
			"client application type 20 (1 bytes)", // ChangeCipherSpec: the new keys follow
			"client application handshake [20]",
			"server application type 20 (1 bytes)",
			"server application handshake [20]",
			`client application data "GET /hello.txt HTTP/1.0"`,
			`server application data "HTTP/1.0 200 ok"`,
			"server application alert [1 0]",
			"client application alert [1 0]",
		}}, []Stats{{Decrypted: [2]int{7, 9}, Renegotiations: [2]int{1, 1}}}},
		{"tls12-rc4-sha", "TLS_ECDHE_RSA_WITH_RC4_128_SHA", [][]string{gnutlsFlowServerAlert}, nil},
		{"tls10-rc4-md5", "TLS_RSA_WITH_RC4_128_MD5", [][]string{gnutlsFlow}, nil},
		{"tls12-3des-etm", "TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA", [][]string{gnutlsFlowServerAlert}, nil},
		{"tls12-aes256ccm", "TLS_RSA_WITH_AES_256_CCM", [][]string{gnutlsFlow}, nil},
		{"tls12-null-sha", "TLS_ECDHE_RSA_WITH_NULL_SHA", [][]string{gnutlsFlow}, nil},
		// curl 7.88 (OpenSSL 3.0) asks with HTTP/1.1; s_server -WWW answers
		// HTTP/1.0 and closes first.
		{"curl-tls13", "TLS_AES_256_GCM_SHA384", [][]string{cat(tls13Server, []string{
			`client application data "GET /hello.txt HTTP/1.1"`,
			"server application handshake [4]",
			"server application handshake [4]",
			`server application data "HTTP/1.0 200 ok"`,
			"server application alert [1 0]",
			"client application alert [1 0]",
		})}, nil},
		{"curl-tls12", "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", [][]string{{
			"client application handshake [20]",
			"server application handshake [20]",
			`client application data "GET /hello.txt HTTP/1.1"`,
			`server application data "HTTP/1.0 200 ok"`,
			"server application alert [1 0]",
			"client application alert [1 0]",
		}}, nil},
	}
	seen := map[string]bool{}
	for _, tc := range tests {
		seen[tc.file] = true
		t.Run(tc.file, func(t *testing.T) {
			base := "../pcaps/real/keylog/" + tc.file
			keys := loadKeyLog(t, base+".keylog")
			conns := readCapture(t, base+".pcap")
			require.Len(t, conns, len(tc.want))
			for i, cc := range conns {
				c, recs, err := decryptConn(t, cc, keys)
				require.NoError(t, err)
				assert.Equal(t, tc.suite, c.Suite())
				assert.Equal(t, tc.want[i], summarize(recs), "connection %d", cc.id)
				if tc.stats != nil {
					assert.Equal(t, tc.stats[i], c.Stats(), "connection %d", cc.id)
				}
				p, _ := params(t, cc)
				if strings.Contains(tc.file, "etm") {
					assert.True(t, p.EncryptThenMAC, "the hellos negotiated encrypt_then_mac")
				} else if strings.Contains(tc.file, "cbc") {
					assert.False(t, p.EncryptThenMAC, "-no_etm")
				}
			}
		})
	}
	files, _ := filepath.Glob("../pcaps/real/keylog/*.pcap")
	for _, f := range files {
		assert.True(t, seen[strings.TrimSuffix(filepath.Base(f), ".pcap")], "%s has no expectations", f)
	}
}

// TestKeyUpdateSecrets checks the "traffic upd" derivation against the
// secrets OpenSSL logged after its KeyUpdates (CLIENT_TRAFFIC_SECRET_N,
// SERVER_TRAFFIC_SECRET_N).
func TestKeyUpdateSecrets(t *testing.T) {
	keys := loadKeyLog(t, "../pcaps/real/keylog/tls13-chacha20-keyupdate.keylog")
	require.Equal(t, 1, keys.Len())
	for _, s := range keys.m {
		require.Len(t, s.ClientTrafficN, 1)
		require.Len(t, s.ServerTrafficN, 1)
		st, _ := lookupSuite(0x1303)
		next, err := expandLabel(st.prf, s.ClientTraffic0, "traffic upd", nil, 32)
		require.NoError(t, err)
		assert.Equal(t, s.ClientTrafficN[0], next)
		next, err = expandLabel(st.prf, s.ServerTraffic0, "traffic upd", nil, 32)
		require.NoError(t, err)
		assert.Equal(t, s.ServerTrafficN[0], next)
	}
}

// TestTsharkAgrees decrypts every key-logged capture with tshark
// (-o tls.keylog_file) and checks that the handshake messages tshark
// finds, in frame order, are the ones this package reads: those of
// plaintext handshake records and of decrypted ones. Skipped without
// tshark.
func TestTsharkAgrees(t *testing.T) {
	tshark, err := exec.LookPath("tshark")
	if err != nil {
		t.Skip("tshark not installed")
	}
	files, _ := filepath.Glob("../pcaps/real/keylog/*.pcap")
	files = append(files, "../pcaps/tls13-basic.pcap", "../pcaps/tls12-basic.pcap")
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			kl := strings.TrimSuffix(f, ".pcap") + ".keylog"
			out, err := exec.Command(tshark, "-r", f, "-o", "tls.keylog_file:"+kl,
				"-T", "fields", "-e", "tls.handshake.type").Output()
			require.NoError(t, err)
			var want []uint8
			sc := bufio.NewScanner(bytes.NewReader(out))
			for sc.Scan() {
				for _, v := range strings.FieldsFunc(sc.Text(), func(r rune) bool { return r == ',' }) {
					n, err := strconv.Atoi(v)
					require.NoError(t, err)
					want = append(want, uint8(n))
				}
			}
			keys := loadKeyLog(t, kl)
			var got []uint8
			for _, cc := range readCapture(t, f) {
				_, recs, err := decryptConn(t, cc, keys)
				require.NoError(t, err)
				for _, r := range recs {
					require.NoError(t, r.err)
					if r.pt.Type == typeHandshake {
						got = append(got, hsTypes(r.pt.Data)...)
					}
				}
			}
			require.NotEmpty(t, want)
			assert.Equal(t, want, got)
		})
	}
}
