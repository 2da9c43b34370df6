package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// tsConn is the part of a report the tshark cross-check reads.
type tsConn struct {
	Server struct {
		Port int `json:"port"`
	} `json:"server"`
	TLS struct {
		SNI             string `json:"sni"`
		CipherSuiteCode int    `json:"cipher_suite_code"`
	} `json:"tls"`
	Handshake []struct {
		TypeCode  int   `json:"type_code"`
		Frames    []int `json:"frames"`
		Encrypted bool  `json:"encrypted"`
		Decrypted bool  `json:"decrypted"`
		Complete  bool  `json:"complete"`
	} `json:"handshake"`
	Errors []struct {
		Code string `json:"code"`
	} `json:"errors"`
}

// needTshark returns tshark's path, or skips the test without it (.ci/run
// installs it).
func needTshark(t *testing.T) string {
	t.Helper()
	tshark, err := exec.LookPath("tshark")
	if err != nil {
		t.Skip("tshark not installed; .ci/run installs it (apt-get install tshark)")
	}
	return tshark
}

// tsharkOn runs tshark on path with TLS decoded on the given server ports
// and out-of-order segments reassembled, and returns its output. tshark
// exits non-zero on a capture cut short but still prints what it read.
func tsharkOn(t *testing.T, tshark, path string, ports map[int]bool, args ...string) []byte {
	t.Helper()
	all := []string{"-r", path, "-o", "tcp.reassemble_out_of_order:TRUE"}
	for p := range ports {
		all = append(all, "-d", fmt.Sprintf("tcp.port==%d,tls", p))
	}
	raw, err := exec.Command(tshark, append(all, args...)...).Output()
	if _, exit := err.(*exec.ExitError); !exit {
		require.NoError(t, err)
	}
	return raw
}

// TestAgainstTshark cross-checks every bundled capture with tshark when it
// is installed (.ci/run installs it): every cleartext handshake message
// padlock reports must be the one tshark shows complete in the last frame
// padlock lists for it, and SNI, version and cipher suite must agree.
func TestAgainstTshark(t *testing.T) {
	tshark := needTshark(t)
	for _, path := range allCaptures(t) {
		name := filepath.Base(path)
		t.Run(name, func(t *testing.T) {
			out, errOut, code := runPadlock("-r", path, "--format", "json")
			require.Equal(t, 0, code, errOut)
			var conns []tsConn
			ports := map[int]bool{}
			var ours []string
			resynced := false
			for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
				if line == "" {
					continue
				}
				var conn tsConn
				require.NoError(t, json.Unmarshal([]byte(line), &conn))
				for _, e := range conn.Errors {
					if e.Code == "stream_gap" || e.Code == "stream_resync" {
						resynced = true
					}
				}
				conns = append(conns, conn)
				ports[conn.Server.Port] = true
				for _, h := range conn.Handshake {
					if (h.Encrypted && !h.Decrypted) || !h.Complete || len(h.Frames) == 0 {
						continue
					}
					ours = append(ours, fmt.Sprintf("%d:%d", h.Frames[len(h.Frames)-1], h.TypeCode))
				}
			}
			raw := tsharkOn(t, tshark, path, ports, "-Y", "tls.handshake.type", "-T", "fields", "-E", "separator=|",
				"-e", "frame.number", "-e", "tls.handshake.type", "-e", "tls.handshake.extensions_server_name",
				"-e", "tls.handshake.ciphersuite", "-e", "tls.handshake.extensions.supported_version", "-e", "tls.handshake.version")
			var theirs []string
			snis := map[string]bool{}
			suites := map[int]bool{}
			sc := bufio.NewScanner(strings.NewReader(string(raw)))
			for sc.Scan() {
				f := strings.Split(sc.Text(), "|")
				if len(f) < 6 {
					continue
				}
				for _, typ := range strings.Split(f[1], ",") {
					theirs = append(theirs, f[0]+":"+typ)
					if typ == "2" {
						for _, cs := range strings.Split(f[3], ",") {
							if v, err := strconv.ParseInt(strings.TrimPrefix(cs, "0x"), 16, 32); err == nil {
								suites[int(v)] = true
							}
						}
					}
				}
				if f[2] != "" {
					snis[f[2]] = true
				}
			}
			sort.Strings(ours)
			sort.Strings(theirs)
			if resynced {
				// After a gap or a mid-connection start tshark stops
				// dissecting the stream; padlock finds the next record and
				// goes on, so it reports more, never less.
				assert.Subset(t, ours, theirs, "handshake messages as frame:type (tshark vs padlock)")
			} else {
				assert.Equal(t, theirs, ours, "handshake messages as frame:type (tshark vs padlock)")
			}
			for _, c := range conns {
				if c.TLS.SNI != "" {
					assert.True(t, snis[c.TLS.SNI], "SNI %q not seen by tshark", c.TLS.SNI)
				}
				if c.TLS.CipherSuiteCode != 0 {
					assert.True(t, suites[c.TLS.CipherSuiteCode], "cipher suite 0x%04x not in tshark's ServerHellos", c.TLS.CipherSuiteCode)
				}
			}
		})
	}
}

// TestNothingLost checks, for every bundled capture, that padlock reports
// as many ClientHellos, ServerHellos, alerts and certificates as tshark
// shows (issue 7: nothing is lost). Alerts are counted per alert record,
// encrypted ones included; certificates per certificate entry of a
// cleartext Certificate message. Where padlock resynchronised after a gap
// (tshark stops dissecting the stream there) padlock may report more,
// never less.
func TestNothingLost(t *testing.T) {
	tshark := needTshark(t)
	type counts struct{ ClientHellos, ServerHellos, Alerts, Certificates int }
	for _, path := range allCaptures(t) {
		name := filepath.Base(path)
		t.Run(name, func(t *testing.T) {
			// tshark spends most of its start-up waiting, not computing:
			// in parallel the whole test takes about one run's time.
			t.Parallel()
			out, errOut, code := runPadlock("-r", path, "--format", "json")
			require.Equal(t, 0, code, errOut)
			var ours counts
			ports := map[int]bool{}
			resynced := false
			for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
				if line == "" {
					continue
				}
				var c struct {
					Server struct {
						Port int `json:"port"`
					} `json:"server"`
					TLS struct {
						Alerts []struct {
							Record int `json:"record"`
						} `json:"alerts"`
					} `json:"tls"`
					Handshake []struct {
						TypeCode  int  `json:"type_code"`
						Encrypted bool `json:"encrypted"`
					} `json:"handshake"`
					Certificates []json.RawMessage `json:"certificates"`
					Errors       []struct {
						Code string `json:"code"`
					} `json:"errors"`
				}
				require.NoError(t, json.Unmarshal([]byte(line), &c))
				ports[c.Server.Port] = true
				for _, e := range c.Errors {
					if e.Code == "stream_gap" || e.Code == "stream_resync" {
						resynced = true
					}
				}
				for _, h := range c.Handshake {
					switch {
					case h.Encrypted:
					case h.TypeCode == 1:
						ours.ClientHellos++
					case h.TypeCode == 2:
						ours.ServerHellos++
					}
				}
				recs := map[int]bool{}
				for _, a := range c.TLS.Alerts {
					recs[a.Record] = true
				}
				ours.Alerts += len(recs)
				ours.Certificates += len(c.Certificates)
			}
			args := []string{"-r", path, "-o", "tcp.reassemble_out_of_order:TRUE", "-T", "fields",
				"-E", "separator=|", "-E", "occurrence=a", "-E", "aggregator=,",
				"-e", "tls.record.content_type", "-e", "tls.handshake.type", "-e", "tls.handshake.certificate_length"}
			for p := range ports {
				args = append(args, "-d", fmt.Sprintf("tcp.port==%d,tls", p))
			}
			raw, err := exec.Command(tshark, args...).Output()
			if _, exit := err.(*exec.ExitError); !exit {
				require.NoError(t, err)
			}
			var theirs counts
			sc := bufio.NewScanner(strings.NewReader(string(raw)))
			for sc.Scan() {
				f := strings.Split(sc.Text(), "|")
				if len(f) < 3 {
					continue
				}
				for _, v := range strings.Split(f[0], ",") {
					if v == "21" {
						theirs.Alerts++
					}
				}
				for _, v := range strings.Split(f[1], ",") {
					switch v {
					case "1":
						theirs.ClientHellos++
					case "2":
						theirs.ServerHellos++
					}
				}
				if f[2] != "" {
					theirs.Certificates += len(strings.Split(f[2], ","))
				}
			}
			t.Logf("padlock %+v, tshark %+v", ours, theirs)
			if resynced {
				assert.GreaterOrEqual(t, ours.ClientHellos, theirs.ClientHellos, "client hellos")
				assert.GreaterOrEqual(t, ours.ServerHellos, theirs.ServerHellos, "server hellos")
				assert.GreaterOrEqual(t, ours.Alerts, theirs.Alerts, "alerts")
				assert.GreaterOrEqual(t, ours.Certificates, theirs.Certificates, "certificates")
				return
			}
			assert.Equal(t, theirs, ours, "counts (tshark vs padlock)")
		})
	}
}
