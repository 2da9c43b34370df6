package decrypt

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// keyLogWith reads a key log file, dropping the lines with a label in
// drop and flipping one byte of the secret of the lines with a label in
// mutate.
func keyLogWith(t *testing.T, path string, drop, mutate []string) *KeyLog {
	t.Helper()
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	var out []string
	for _, l := range strings.Split(string(b), "\n") {
		f := strings.Fields(l)
		if len(f) == 3 && contains(drop, f[0]) {
			continue
		}
		if len(f) == 3 && contains(mutate, f[0]) {
			sec := []byte(f[2])
			if sec[0] == '0' {
				sec[0] = '1'
			} else {
				sec[0] = '0'
			}
			l = f[0] + " " + f[1] + " " + string(sec)
		}
		out = append(out, l)
	}
	k, bad, err := ParseKeyLog(strings.NewReader(strings.Join(out, "\n")), path)
	require.NoError(t, err)
	require.Empty(t, bad)
	return k
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func codeOf(err error) Code {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return ""
}

func TestNoKey(t *testing.T) {
	conns := readCapture(t, "../pcaps/tls13-basic.pcap")
	_, _, err := decryptConn(t, conns[0], &KeyLog{})
	require.Error(t, err)
	assert.Equal(t, CodeNoKey, codeOf(err))
	assert.Equal(t, "decrypt: no key for client random "+cr1, err.Error())
	_, _, err = decryptConn(t, conns[0], nil)
	assert.Equal(t, CodeNoKey, codeOf(err))

	// TLS 1.2 with only TLS 1.3 lines for its random: no CLIENT_RANDOM.
	conns = readCapture(t, "../pcaps/tls12-basic.pcap")
	k, _, _ := ParseKeyLog(strings.NewReader("EXPORTER_SECRET "+cr2+" "+s32+"\n"), "x")
	_, _, err = decryptConn(t, conns[0], k)
	assert.Equal(t, CodeMissingSecret, codeOf(err))
	assert.Contains(t, err.Error(), "no CLIENT_RANDOM")
}

// TestWrongKey: a key log whose secret is one hex digit off opens
// nothing: every record under it fails to authenticate, with no
// plaintext, and the records of the other direction still decrypt.
func TestWrongKey(t *testing.T) {
	t.Run("tls13 server handshake secret", func(t *testing.T) {
		keys := keyLogWith(t, "../pcaps/tls13-basic.keylog", nil, []string{LabelServerHandshakeTraffic})
		conns := readCapture(t, "../pcaps/tls13-basic.pcap")
		c, recs, err := decryptConn(t, conns[0], keys)
		require.NoError(t, err)
		var first error
		for _, r := range recs {
			if r.from == Server && r.pt.Epoch == EpochHandshake {
				t.Errorf("server record decrypted under a wrong handshake key")
			}
			if r.err != nil {
				assert.Equal(t, Server, r.from)
				assert.Nil(t, r.pt.Data)
				assert.Equal(t, CodeAuthFailed, codeOf(r.err))
				if first == nil {
					first = r.err
				}
			}
		}
		require.Error(t, first)
		// Records 1 and 2 of the server are ServerHello and ChangeCipherSpec.
		assert.Equal(t, "decrypt: server record 3 (sequence number 0): authentication failed with handshake keys", first.Error())
		st := c.Stats()
		assert.Equal(t, 4, st.Failed[Server], "EE, Certificate, CertificateVerify, Finished")
		assert.Equal(t, 3, st.Decrypted[Client])
		// Once past the handshake (found by trying the next keys), the
		// server's application records decrypt again.
		assert.Equal(t, 3, st.Decrypted[Server])
	})
	t.Run("tls12 master secret", func(t *testing.T) {
		keys := keyLogWith(t, "../pcaps/tls12-basic.keylog", nil, []string{LabelClientRandom})
		conns := readCapture(t, "../pcaps/tls12-basic.pcap")
		c, recs, err := decryptConn(t, conns[0], keys)
		require.NoError(t, err)
		n := 0
		for _, r := range recs {
			assert.False(t, r.pt.Decrypted)
			if r.err != nil {
				n++
				assert.Equal(t, CodeAuthFailed, codeOf(r.err))
				assert.Nil(t, r.pt.Data)
			}
		}
		assert.Equal(t, 6, n)
		assert.Equal(t, [2]int{3, 3}, c.Stats().Failed)
	})
}

func TestMissingSecret(t *testing.T) {
	keys := keyLogWith(t, "../pcaps/tls13-basic.keylog", []string{LabelServerTraffic0}, nil)
	conns := readCapture(t, "../pcaps/tls13-basic.pcap")
	_, recs, err := decryptConn(t, conns[0], keys)
	require.NoError(t, err)
	var codes []Code
	for _, r := range recs {
		if r.err != nil {
			codes = append(codes, codeOf(r.err))
			assert.Contains(t, r.err.Error(), "no SERVER_TRAFFIC_SECRET_0")
		}
	}
	// NewSessionTicket, the response and close_notify.
	assert.Equal(t, []Code{CodeMissingSecret, CodeMissingSecret, CodeMissingSecret}, codes)
}

// TestEarlyDataWithoutEarlySecret: without CLIENT_EARLY_TRAFFIC_SECRET
// the 0-RTT records are skipped and reported; the client's handshake
// records are found by trying the handshake keys.
func TestEarlyDataWithoutEarlySecret(t *testing.T) {
	for _, tc := range []struct {
		file    string
		skipped int
	}{
		{"tls13-0rtt-accepted", 2}, // the data and EndOfEarlyData
		{"tls13-0rtt-rejected", 1},
	} {
		t.Run(tc.file, func(t *testing.T) {
			base := "../pcaps/real/keylog/" + tc.file
			keys := keyLogWith(t, base+".keylog", []string{LabelClientEarlyTraffic}, nil)
			conns := readCapture(t, base+".pcap")
			require.Len(t, conns, 2)
			c, recs, err := decryptConn(t, conns[1], keys)
			require.NoError(t, err)
			for i, r := range recs {
				if r.err != nil {
					assert.Equal(t, CodeEarlyDataSkipped, codeOf(r.err), "record %d", i)
					assert.Contains(t, r.err.Error(), "taken as 0-RTT data")
				}
			}
			st := c.Stats()
			assert.Equal(t, tc.skipped, st.EarlySkipped)
			assert.Equal(t, 0, st.EarlyData)
			assert.False(t, st.EarlyRejected, "without early keys the outcome is unknown")
			assert.Equal(t, tc.skipped, st.Failed[Client])
			assert.Equal(t, 2, st.Decrypted[Client], "Finished and close_notify")
		})
	}
}

func TestNewRefuses(t *testing.T) {
	keys, _, _ := ParseKeyLog(strings.NewReader(r8448KeyLog()), "rfc8448")
	cr := unhex(t, r8448ClientRandom)
	for _, tc := range []struct {
		name string
		p    Params
		code Code
	}{
		{"SSL 3.0", Params{Version: 0x0300, CipherSuite: 0x002f, ClientRandom: cr, ServerRandom: cr}, CodeUnsupportedVersion},
		{"TLS 1.3 draft 23", Params{Version: 0x7f17, CipherSuite: 0x1301, ClientRandom: cr}, CodeUnsupportedVersion},
		{"Camellia", Params{Version: 0x0303, CipherSuite: 0x0041, ClientRandom: cr, ServerRandom: cr}, CodeUnsupportedSuite},
		{"export RC4", Params{Version: 0x0301, CipherSuite: 0x0003, ClientRandom: cr, ServerRandom: cr}, CodeUnsupportedSuite},
		{"TLS 1.3 suite in TLS 1.2", Params{Version: 0x0303, CipherSuite: 0x1301, ClientRandom: cr, ServerRandom: cr}, CodeUnsupportedSuite},
		{"TLS 1.2 suite in TLS 1.3", Params{Version: 0x0304, CipherSuite: 0xc02f, ClientRandom: cr}, CodeUnsupportedSuite},
		{"unknown suite", Params{Version: 0x0304, CipherSuite: 0xfefe, ClientRandom: cr}, CodeUnsupportedSuite},
		{"short client random", Params{Version: 0x0304, CipherSuite: 0x1301, ClientRandom: cr[:31]}, CodeBadParams},
		{"no server random in TLS 1.2", Params{Version: 0x0303, CipherSuite: 0xc02f, ClientRandom: cr}, CodeBadParams},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := New(tc.p, keys)
			assert.Nil(t, c)
			assert.Equal(t, tc.code, codeOf(err), "%v", err)
		})
	}
	c, err := New(Params{Version: 0x0304, CipherSuite: 0x1301, ClientRandom: cr}, keys)
	require.NoError(t, err)
	_, err = c.Record(Dir(7), 23, 0x0303, make([]byte, 40))
	assert.Equal(t, CodeBadParams, codeOf(err))
	_, err = c.Record(Server, 23, 0x0303, make([]byte, 10))
	assert.Equal(t, CodeRecordMalformed, codeOf(err))
	// A TLS 1.3 secret of the wrong length for the suite's hash.
	k, _, _ := ParseKeyLog(strings.NewReader("SERVER_HANDSHAKE_TRAFFIC_SECRET "+r8448ClientRandom+" "+s48+"\n"), "x")
	c, err = New(Params{Version: 0x0304, CipherSuite: 0x1301, ClientRandom: cr}, k)
	require.NoError(t, err)
	_, err = c.Record(Server, 23, 0x0303, make([]byte, 40))
	assert.Equal(t, CodeBadParams, codeOf(err))
}

// TestTruncatedRecords: every cut of a valid record fails with a code
// (the prefix sweep of STYLE.md 2.4), under each record protection.
func TestTruncatedRecords(t *testing.T) {
	keys, _, _ := ParseKeyLog(strings.NewReader(r8448KeyLog()), "rfc8448")
	rec := unhex(t, r8448ServerFlight)
	for i := 0; i < len(rec)-5; i++ {
		c, err := New(Params{Version: 0x0304, CipherSuite: 0x1301, ClientRandom: unhex(t, r8448ClientRandom)}, keys)
		require.NoError(t, err)
		pt, err := c.Record(Server, rec[0], 0x0303, rec[5:5+i])
		require.Error(t, err, "cut at %d", i)
		assert.Nil(t, pt.Data)
		assert.NotEmpty(t, codeOf(err))
	}
	// The same over every record of the TLS 1.2 captures, whatever the suite.
	for _, f := range []string{"tls12-cbc-sha", "tls10-cbc-sha-etm", "tls12-rc4-sha", "tls12-ccm8", "tls12-chacha20", "tls12-null-sha"} {
		base := "../pcaps/real/keylog/" + f
		keys := loadKeyLog(t, base+".keylog")
		cc := readCapture(t, base+".pcap")[0]
		p, clientDir := params(t, cc)
		for _, r := range cc.records {
			if r.typ == typeChangeCipherSpec || r.typ == typeHandshake && r.body[0] <= 16 {
				continue // plaintext: passed through whatever its length
			}
			for i := 0; i < len(r.body); i += max(1, len(r.body)/40) {
				c, err := New(p, keys)
				require.NoError(t, err)
				from := Client
				if r.dir != clientDir {
					from = Server
				}
				_, err = c.Record(from, typeChangeCipherSpec, 0x0303, []byte{1})
				require.NoError(t, err)
				pt, err := c.Record(from, r.typ, r.vers, r.body[:i])
				require.Error(t, err, "%s: cut at %d of %d", f, i, len(r.body))
				assert.Nil(t, pt.Data)
			}
		}
	}
}

// TestGap drops records from real captures, as a lost segment would, and
// tells the Conn: the records after the gap open at a later sequence
// number (AEAD, TLS 1.1+ CBC); RC4 cannot follow.
func TestGap(t *testing.T) {
	for _, tc := range []struct {
		file   string
		drop   string // summary line of the record to drop
		after  string // summary of the next record of that direction, once decrypted
		lost   uint64
		follow bool
	}{
		{"../pcaps/tls13-basic", "server application handshake [4]", `server application data "HTTP/1.1 200 OK"`, 1, true},
		{"../pcaps/tls13-basic", "server handshake handshake [20]", "server application handshake [4]", 0, true},
		{"../pcaps/real/keylog/tls13-chacha20-keyupdate", "client application handshake [24]", `client application+1 data "GET /hello.txt HTTP/1.0"`, 0, true},
		{"../pcaps/real/keylog/tls12-chacha20", `client application data "GET /hello.txt HTTP/1.0"`, "client application alert [1 0]", 1, true},
		{"../pcaps/real/keylog/tls12-cbc-sha", `client application data "GET /hello.txt HTTP/1.0"`, "client application alert [1 0]", 1, true},
		{"../pcaps/real/keylog/tls12-ccm8", `server application data "HTTP/1.0 200 ok"`, "server application alert [1 0]", 1, true},
		{"../pcaps/real/keylog/tls10-rc4-md5", `client application data "GET / HTTP/1.0"`, "", 0, false},
	} {
		t.Run(filepath.Base(tc.file)+"/"+tc.drop, func(t *testing.T) {
			keys := loadKeyLog(t, tc.file+".keylog")
			cc := readCapture(t, tc.file+".pcap")[0]
			// Find the record to drop by decrypting once.
			_, recs, err := decryptConn(t, cc, keys)
			require.NoError(t, err)
			drop := -1
			for i, r := range recs {
				if r.pt.Decrypted && summarize([]decRecord{r})[0] == tc.drop {
					drop = i
				}
			}
			require.GreaterOrEqual(t, drop, 0)
			dropDir := recs[drop].from

			p, clientDir := params(t, cc)
			c, err := New(p, keys)
			require.NoError(t, err)
			next := ""
			var nextPt Plaintext
			var nextErr error
			for i, r := range cc.records {
				from := Client
				if r.dir != clientDir {
					from = Server
				}
				if i == drop {
					c.Gap(from)
					continue
				}
				pt, err := c.Record(from, r.typ, r.vers, r.body)
				if i > drop && from == dropDir && next == "" {
					next, nextPt, nextErr = "seen", pt, err
					if err == nil {
						next = summarize([]decRecord{{from: from, pt: pt}})[0]
					}
				}
			}
			if !tc.follow {
				assert.Equal(t, CodeAuthFailed, codeOf(nextErr))
				return
			}
			require.NoError(t, nextErr)
			assert.Equal(t, tc.after, next)
			assert.Equal(t, tc.lost, nextPt.Lost)
		})
	}
}

func TestRenegotiateRefuses(t *testing.T) {
	keys := loadKeyLog(t, "../pcaps/tls12-basic.keylog")
	cr, sr := unhex(t, cr2), unhex(t, strings.Repeat("ab", 32))
	c, err := New(Params{Version: 0x0303, CipherSuite: 0xc02f, ClientRandom: cr, ServerRandom: sr}, keys)
	require.NoError(t, err)
	for _, tc := range []struct {
		name string
		p    Params
		code Code
	}{
		{"to TLS 1.3", Params{Version: 0x0304, CipherSuite: 0x1301, ClientRandom: cr, ServerRandom: sr}, CodeUnsupportedVersion},
		{"to a TLS 1.3 suite", Params{Version: 0x0303, CipherSuite: 0x1301, ClientRandom: cr, ServerRandom: sr}, CodeUnsupportedSuite},
		{"short random", Params{Version: 0x0303, CipherSuite: 0xc02f, ClientRandom: cr[:4], ServerRandom: sr}, CodeBadParams},
		{"unknown random", Params{Version: 0x0303, CipherSuite: 0xc02f, ClientRandom: sr, ServerRandom: sr}, CodeNoKey},
	} {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.code, codeOf(c.Renegotiate(tc.p)))
		})
	}
	k13, _, _ := ParseKeyLog(strings.NewReader(r8448KeyLog()), "rfc8448")
	c13, err := New(Params{Version: 0x0304, CipherSuite: 0x1301, ClientRandom: unhex(t, r8448ClientRandom)}, k13)
	require.NoError(t, err)
	assert.Equal(t, CodeUnsupportedVersion, codeOf(c13.Renegotiate(Params{Version: 0x0303, CipherSuite: 0xc02f, ClientRandom: cr, ServerRandom: sr})))
}
