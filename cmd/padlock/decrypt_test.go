package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// decConn is what the decryption tests read of a report.
type decConn struct {
	Server struct {
		Port int `json:"port"`
	} `json:"server"`
	TLS struct {
		Established bool `json:"established"`
		Alerts      []struct {
			From        string `json:"from"`
			Description string `json:"description"`
			Encrypted   bool   `json:"encrypted"`
			Decrypted   bool   `json:"decrypted"`
		} `json:"alerts"`
	} `json:"tls"`
	Handshake []struct {
		From      string `json:"from"`
		Type      string `json:"type"`
		TypeCode  int    `json:"type_code"`
		Frames    []int  `json:"frames"`
		Encrypted bool   `json:"encrypted"`
		Decrypted bool   `json:"decrypted"`
		Complete  bool   `json:"complete"`
	} `json:"handshake"`
	Certificates []struct {
		From    string `json:"from"`
		Subject string `json:"subject"`
	} `json:"certificates"`
	Decryption *struct {
		Status  string `json:"status"`
		Code    string `json:"code"`
		Reason  string `json:"reason"`
		Records struct {
			Client int `json:"client"`
			Server int `json:"server"`
		} `json:"records_decrypted"`
	} `json:"decryption"`
	Verdict struct {
		Padlock bool `json:"padlock"`
		Checked bool `json:"certificate_checked"`
	} `json:"verdict"`
	Errors []struct {
		Code string `json:"code"`
	} `json:"errors"`
}

func decConns(t *testing.T, args ...string) []decConn {
	t.Helper()
	out, errOut, code := runPadlock(append([]string{"--format", "json"}, args...)...)
	require.Equal(t, 0, code, errOut)
	var conns []decConn
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		var c decConn
		require.NoError(t, json.Unmarshal([]byte(line), &c))
		conns = append(conns, c)
	}
	return conns
}

// With the key log crypto/tls wrote for it, the TLS 1.3 capture shows its
// whole encrypted flight (pcaps/README.md: server flight in frames 5-6,
// client Finished in frame 7), the certificate the verdict then judges,
// and close_notify alerts read rather than guessed.
func TestDecryptTLS13(t *testing.T) {
	c := decConns(t, "-r", "../../pcaps/tls13-basic.pcap", "--keylog", "../../pcaps/tls13-basic.keylog",
		"--ca-file", "../../pcaps/gen/certs/root.pem")[0]
	require.NotNil(t, c.Decryption)
	assert.Equal(t, "decrypted", c.Decryption.Status)
	var got []string
	for _, h := range c.Handshake {
		got = append(got, fmt.Sprintf("%s %s %v %v", h.From, h.Type, h.Frames, h.Decrypted))
	}
	assert.Equal(t, []string{
		"client client_hello [4] false",
		"server server_hello [5] false",
		"server encrypted_extensions [5] true",
		"server certificate [5 6] true",
		"server certificate_verify [6] true",
		"server finished [6] true",
		"server new_session_ticket [6] true",
		"client finished [7] true",
	}, got)
	require.Len(t, c.Certificates, 2)
	assert.Contains(t, c.Certificates[0].Subject, "CN=example.com")
	assert.True(t, c.Verdict.Checked)
	assert.True(t, c.Verdict.Padlock)
	require.Len(t, c.TLS.Alerts, 2)
	for _, a := range c.TLS.Alerts {
		assert.True(t, a.Decrypted)
		assert.Equal(t, "close_notify", a.Description)
	}
}

// TLS 1.2: the Finished messages after ChangeCipherSpec are decrypted.
func TestDecryptTLS12(t *testing.T) {
	c := decConns(t, "-r", "../../pcaps/tls12-basic.pcap", "--keylog", "../../pcaps/tls12-basic.keylog")[0]
	require.NotNil(t, c.Decryption)
	assert.Equal(t, "decrypted", c.Decryption.Status)
	finished := 0
	for _, h := range c.Handshake {
		if h.Decrypted {
			assert.Equal(t, "finished", h.Type)
			finished++
		}
	}
	assert.Equal(t, 2, finished)
	assert.True(t, c.TLS.Established)
}

// A wrong secret authenticates nothing and says so; a key log without the
// connection's client random says which random it looked for; either way
// the report is otherwise the same as without keys.
func TestDecryptWrongAndMissingKeys(t *testing.T) {
	log, err := os.ReadFile("../../pcaps/tls13-basic.keylog")
	require.NoError(t, err)
	var wrong, other []string
	for _, line := range strings.Split(strings.TrimSpace(string(log)), "\n") {
		f := strings.Fields(line)
		require.Len(t, f, 3)
		flip := strings.Map(func(r rune) rune {
			if r == '0' {
				return '1'
			}
			return r
		}, f[2])
		wrong = append(wrong, f[0]+" "+f[1]+" "+flip)
		other = append(other, f[0]+" "+strings.Repeat("ab", 32)+" "+f[2])
	}
	dir := t.TempDir()
	write := func(name string, lines []string) string {
		p := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(p, []byte(strings.Join(lines, "\n")+"\n"), 0o644))
		return p
	}
	plain := decConns(t, "-r", "../../pcaps/tls13-basic.pcap")[0]
	assert.Nil(t, plain.Decryption, "no key material: no decryption object")

	bad := decConns(t, "-r", "../../pcaps/tls13-basic.pcap", "--keylog", write("wrong.keylog", wrong))[0]
	require.NotNil(t, bad.Decryption)
	assert.Equal(t, "failed", bad.Decryption.Status)
	assert.Equal(t, "authentication_failed", bad.Decryption.Code)
	assert.Contains(t, bad.Decryption.Reason, "authentication failed")
	var codes []string
	for _, e := range bad.Errors {
		codes = append(codes, e.Code)
	}
	assert.Contains(t, codes, "decrypt_authentication_failed")
	assert.Equal(t, len(plain.Handshake), len(bad.Handshake), "nothing decrypted, nothing invented")
	assert.Equal(t, plain.TLS.Established, bad.TLS.Established)

	missing := decConns(t, "-r", "../../pcaps/tls13-basic.pcap", "--keylog", write("other.keylog", other))[0]
	require.NotNil(t, missing.Decryption)
	assert.Equal(t, "no_key", missing.Decryption.Status)
	assert.Contains(t, missing.Decryption.Reason, "no key for client random")

	_, errOut, code := runPadlock("-r", "../../pcaps/tls13-basic.pcap", "--keylog", filepath.Join(dir, "absent.keylog"))
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, errOut, "--keylog")
}

// SSLKEYLOGFILE works as --keylog does.
func TestDecryptSSLKEYLOGFILE(t *testing.T) {
	t.Setenv("SSLKEYLOGFILE", "../../pcaps/tls13-basic.keylog")
	c := decConns(t, "-r", "../../pcaps/tls13-basic.pcap")[0]
	require.NotNil(t, c.Decryption)
	assert.Equal(t, "decrypted", c.Decryption.Status)
}

// keylogCaptures pairs every bundled capture with the key log beside it
// (keylogFor).
func keylogCaptures(t *testing.T) [][2]string {
	var out [][2]string
	for _, path := range allCaptures(t) {
		if kl := keylogFor(path); kl != "" {
			out = append(out, [2]string{path, kl})
		}
	}
	require.NotEmpty(t, out)
	return out
}

// TestDecryptAgainstTshark: with the same key log, every handshake message
// tshark decrypts, padlock decrypts too, in the same frame (the last of
// padlock's frames for it), and nothing more.
func TestDecryptAgainstTshark(t *testing.T) {
	tshark := needTshark(t)
	for _, pair := range keylogCaptures(t) {
		path, keylog := pair[0], pair[1]
		t.Run(filepath.Base(path), func(t *testing.T) {
			conns := decConns(t, "-r", path, "--keylog", keylog)
			ports := map[int]bool{}
			var ours []string
			for _, c := range conns {
				ports[c.Server.Port] = true
				require.NotNil(t, c.Decryption)
				assert.NotEqual(t, "failed", c.Decryption.Status, c.Decryption.Reason)
				for _, h := range c.Handshake {
					if (h.Encrypted && !h.Decrypted) || !h.Complete || len(h.Frames) == 0 {
						continue
					}
					ours = append(ours, fmt.Sprintf("%d:%d", h.Frames[len(h.Frames)-1], h.TypeCode))
				}
			}
			raw := tsharkOn(t, tshark, path, ports, "-o", "tls.keylog_file:"+keylog,
				"-Y", "tls.handshake.type", "-T", "fields", "-e", "frame.number", "-e", "tls.handshake.type")
			var theirs []string
			sc := bufio.NewScanner(strings.NewReader(string(raw)))
			for sc.Scan() {
				f := strings.Split(sc.Text(), "\t")
				if len(f) < 2 {
					continue
				}
				for _, typ := range strings.Split(f[1], ",") {
					theirs = append(theirs, f[0]+":"+typ)
				}
			}
			sort.Strings(ours)
			sort.Strings(theirs)
			assert.Equal(t, theirs, ours, "decrypted handshake messages as frame:type (tshark vs padlock)")
		})
	}
}

// A pcapng carrying its own secrets (editcap --inject-secrets, see
// pcaps/README.md) decrypts without --keylog.
func TestDecryptEmbeddedSecrets(t *testing.T) {
	c := decConns(t, "-r", "../../pcaps/tls13-basic-dsb.pcapng")[0]
	require.NotNil(t, c.Decryption)
	assert.Equal(t, "decrypted", c.Decryption.Status)
	var types []string
	for _, h := range c.Handshake {
		types = append(types, h.Type)
	}
	assert.Equal(t, []string{"client_hello", "server_hello", "encrypted_extensions", "certificate", "certificate_verify",
		"finished", "new_session_ticket", "finished"}, types)
}

// -w with a key log in use saves a pcapng that decrypts on its own.
func TestWriteEmbedsSecrets(t *testing.T) {
	out := filepath.Join(t.TempDir(), "saved.pcapng")
	_, errOut, code := runPadlock("-r", "../../pcaps/tls13-basic.pcap", "--keylog", "../../pcaps/tls13-basic.keylog", "-w", out, "--format", "json")
	require.Equal(t, 0, code, errOut)
	c := decConns(t, "-r", out)[0]
	require.NotNil(t, c.Decryption, "the saved file carries the secrets")
	assert.Equal(t, "decrypted", c.Decryption.Status)
	if tshark, err := exec.LookPath("tshark"); err == nil {
		raw, err := exec.Command(tshark, "-r", out, "-Y", "tls.handshake.type == 11", "-T", "fields", "-e", "frame.number").Output()
		require.NoError(t, err)
		assert.Equal(t, "6", strings.TrimSpace(string(raw)), "tshark decrypts the Certificate from the embedded secrets")
	}
}

// A TLS 1.2 renegotiation runs under the first handshake's keys; once
// decrypted, its hellos give the keys of what follows (OpenSSL 3.0, see
// pcaps/real/keylog/README.md).
func TestDecryptRenegotiation(t *testing.T) {
	c := decConns(t, "-r", "../../pcaps/real/keylog/tls12-renegotiation.pcap", "--keylog", "../../pcaps/real/keylog/tls12-renegotiation.keylog")[0]
	require.NotNil(t, c.Decryption)
	assert.Equal(t, "decrypted", c.Decryption.Status, c.Decryption.Reason)
	var hellos []string
	for _, h := range c.Handshake {
		if h.Type == "client_hello" || h.Type == "server_hello" {
			hellos = append(hellos, fmt.Sprintf("%s %v", h.Type, h.Decrypted))
		}
	}
	assert.Equal(t, []string{"client_hello false", "server_hello false", "client_hello true", "server_hello true"}, hellos)
}
