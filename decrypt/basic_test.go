package decrypt

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// summarize describes each decrypted record in one line: sender, epoch,
// inner type and, for handshake records, the message types; for
// application data, its first line; for alerts, level and description.
func summarize(recs []decRecord) []string {
	var out []string
	for _, r := range recs {
		if r.err != nil {
			out = append(out, fmt.Sprintf("%s error %v", r.from, r.err))
			continue
		}
		if !r.pt.Decrypted {
			continue
		}
		s := fmt.Sprintf("%s %s", r.from, r.pt.Epoch)
		if r.pt.Generation > 0 {
			s += fmt.Sprintf("+%d", r.pt.Generation)
		}
		switch r.pt.Type {
		case typeHandshake:
			s += fmt.Sprintf(" handshake %v", hsTypes(r.pt.Data))
		case typeApplicationData:
			line, _, _ := strings.Cut(string(r.pt.Data), "\n")
			s += fmt.Sprintf(" data %q", strings.TrimSuffix(line, "\r"))
		case typeAlert:
			s += fmt.Sprintf(" alert %v", r.pt.Data)
		default:
			s += fmt.Sprintf(" type %d (%d bytes)", r.pt.Type, len(r.pt.Data))
		}
		out = append(out, s)
	}
	return out
}

// TestGeneratedCaptures decrypts pcaps/tls13-basic.pcap and
// pcaps/tls12-basic.pcap (made by pcaps/gen with Go crypto/tls, see
// pcaps/README.md) with the key logs crypto/tls wrote for them. The
// expected messages are the README's scenario (GET / HTTP/1.1, a 200 OK,
// close_notify both ways) and what tshark shows with the same key log:
//
//	tshark -r pcaps/tls13-basic.pcap -o tls.keylog_file:pcaps/tls13-basic.keylog \
//	    -T fields -e frame.number -e tls.handshake.type -e tls.alert_message.desc
func TestGeneratedCaptures(t *testing.T) {
	for _, tc := range []struct {
		pcap, keylog string
		want         []string
	}{
		{"tls13-basic.pcap", "tls13-basic.keylog", []string{
			"server handshake handshake [8]",
			"server handshake handshake [11]",
			"server handshake handshake [15]",
			"server handshake handshake [20]",
			"server application handshake [4]",
			"client handshake handshake [20]",
			`client application data "GET / HTTP/1.1"`,
			`server application data "HTTP/1.1 200 OK"`,
			"client application alert [1 0]",
			"server application alert [1 0]",
		}},
		{"tls12-basic.pcap", "tls12-basic.keylog", []string{
			"client application handshake [20]",
			"server application handshake [20]",
			`client application data "GET / HTTP/1.1"`,
			`server application data "HTTP/1.1 200 OK"`,
			"client application alert [1 0]",
			"server application alert [1 0]",
		}},
	} {
		t.Run(tc.pcap, func(t *testing.T) {
			conns := readCapture(t, "../pcaps/"+tc.pcap)
			require.Len(t, conns, 1)
			keys := loadKeyLog(t, "../pcaps/"+tc.keylog)
			_, recs, err := decryptConn(t, conns[0], keys)
			require.NoError(t, err)
			assert.Equal(t, tc.want, summarize(recs))
		})
	}
}

// TestPcapngSecrets decrypts with the key logs a pcapng carries in its
// decryption secrets blocks: capture/testdata/tls-two-dsb.pcapng is
// pcaps/tls13-basic.pcap with the TLS 1.3 and TLS 1.2 key logs injected
// by editcap --inject-secrets (see capture/secrets_test.go). The blocks
// merge into one KeyLog, as a file, SSLKEYLOGFILE and DSBs would.
func TestPcapngSecrets(t *testing.T) {
	conns, secrets := readCaptureSecrets(t, "../capture/testdata/tls-two-dsb.pcapng")
	require.Len(t, secrets, 2)
	var keys KeyLog
	for i, s := range secrets {
		bad, err := keys.Read(bytes.NewReader(s), fmt.Sprintf("pcapng DSB %d", i+1))
		require.NoError(t, err)
		require.Empty(t, bad)
	}
	assert.Equal(t, 2, keys.Len())
	require.Len(t, conns, 1)
	c, recs, err := decryptConn(t, conns[0], &keys)
	require.NoError(t, err)
	assert.Equal(t, [2]int{3, 7}, c.Stats().Decrypted)
	assert.Contains(t, summarize(recs), `client application data "GET / HTTP/1.1"`)
	assert.Equal(t, []string{LabelClientHandshakeTraffic, LabelServerHandshakeTraffic, LabelClientTraffic0, LabelServerTraffic0}, c.Labels())
}
