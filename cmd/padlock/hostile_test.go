package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/padlock-tls/padlock/pcaps/hostile"
)

// hConn is the part of a report the hostile suite reads.
type hConn struct {
	ID     int `json:"id"`
	Client struct {
		Port int `json:"port"`
	} `json:"client"`
	TCP struct {
		End      string `json:"end_seen"`
		RSTFrame struct {
			Client, Server int
		} `json:"rst_frame"`
	} `json:"tcp"`
	TLS struct {
		Version     string `json:"version"`
		CipherSuite string `json:"cipher_suite"`
		SNI         string `json:"sni"`
		Established bool   `json:"established"`
		Records     struct {
			Client, Server int
		} `json:"records"`
	} `json:"tls"`
	Handshake []struct {
		Type        string `json:"type"`
		Length      int    `json:"length"`
		Frames      []int  `json:"frames"`
		Records     []int  `json:"records"`
		ListsCapped bool   `json:"lists_capped"`
		From        string `json:"from"`
	} `json:"handshake"`
	RecordsCapped bool `json:"records_capped"`
	Certificates  []struct {
		Subject string `json:"subject"`
		Serial  string `json:"serial"`
	} `json:"certificates"`
	Errors []hError `json:"errors"`
}

type hError struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	Where   string `json:"where"`
	From    string `json:"from"`
	Frame   int    `json:"frame"`
	Offset  int64  `json:"offset"`
}

// hResult is one run of padlock on a hostile capture.
type hResult struct {
	conns   []hConn
	stderr  string
	code    int
	elapsed time.Duration
	alloc   uint64 // bytes allocated by the run
	input   []byte
}

// hostileConns returns the reports of the hostile connection(s), client
// port 40001.
func (r hResult) hostile() []hConn {
	var out []hConn
	for _, c := range r.conns {
		if c.Client.Port == hostile.NormalPort+1 {
			out = append(out, c)
		}
	}
	return out
}

// one returns the single hostile connection.
func (r hResult) one(t *testing.T) hConn {
	t.Helper()
	h := r.hostile()
	require.Len(t, h, 1, "one hostile connection reported")
	return h[0]
}

func (c hConn) codes() []string {
	var out []string
	for _, e := range c.Errors {
		out = append(out, e.Code)
	}
	return out
}

// find returns the first error with code, failing when there is none. Every
// error the suite expects must say where: a frame and the side.
func (c hConn) find(t *testing.T, code, from string) hError {
	t.Helper()
	for _, e := range c.Errors {
		if e.Code == code && (from == "" || e.From == from) {
			assert.NotZero(t, e.Frame, "%s has a frame", code)
			assert.NotEmpty(t, e.Message)
			return e
		}
	}
	t.Fatalf("no %s error from %q in %v", code, from, c.codes())
	return hError{}
}

// assertFull checks a connection of the suite was reported in full.
func assertFull(t *testing.T, c hConn, sni string) {
	t.Helper()
	assert.Equal(t, sni, c.TLS.SNI)
	assert.Equal(t, "TLS 1.2", c.TLS.Version)
	assert.Equal(t, "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", c.TLS.CipherSuite)
	assert.True(t, c.TLS.Established, "established")
}

// knownBug notes a wrong result that lives in a package this suite does not
// own; it logs instead of failing, so the suite pins everything else.
func knownBug(t *testing.T, ok bool, what string) {
	t.Helper()
	if !ok {
		t.Logf("KNOWN BUG (not fixed here): %s", what)
	}
}

// hostileChecks are the per-case assertions; every case also gets the
// checks of TestHostile itself.
var hostileChecks = map[string]func(t *testing.T, r hResult){
	"snaplen-64": checkSnaplen,
	"snaplen-96": checkSnaplen,
	"record-length-65535": func(t *testing.T, r hResult) {
		h := r.one(t)
		assertFull(t, h, hostile.HostileSNI)
		e := h.find(t, "record_length_overflow", "client")
		assert.Contains(t, e.Message, "65535")
		h.find(t, "stream_resync", "client")
	},
	"handshake-length-16m": func(t *testing.T, r hResult) {
		h := r.one(t)
		assert.Equal(t, hostile.HostileSNI, h.TLS.SNI)
		assert.False(t, h.TLS.Established)
		e := h.find(t, "handshake_too_large", "server")
		assert.Contains(t, e.Message, "16777215")
	},
	"zero-length-records": func(t *testing.T, r hResult) {
		h := r.one(t)
		h.find(t, "alert_malformed", "client")
		h.find(t, "ccs_malformed", "client")
		assert.True(t, h.TLS.Established)
		// A change_cipher_spec before any ClientHello does not hide it.
		assert.Equal(t, hostile.HostileSNI, h.TLS.SNI)
	},
	"one-byte-records": func(t *testing.T, r hResult) {
		h := r.one(t)
		assertFull(t, h, hostile.HostileSNI)
		assert.Empty(t, h.Errors)
		assert.GreaterOrEqual(t, h.TLS.Records.Client, 10000)
		require.NotEmpty(t, h.Handshake)
		assert.Equal(t, "client_hello", h.Handshake[0].Type)
		assert.Equal(t, 10000-4, h.Handshake[0].Length)
	},
	"one-byte-records-one-per-segment": func(t *testing.T, r hResult) {
		h := r.one(t)
		assertFull(t, h, hostile.HostileSNI)
		assert.Empty(t, h.Errors)
		require.NotEmpty(t, h.Handshake)
		// One frame and one record per byte of the message, listed up to
		// the cap (4096) and flagged; all 10,000 records are counted.
		assert.Len(t, h.Handshake[0].Frames, 4096)
		assert.Len(t, h.Handshake[0].Records, 4096)
		assert.True(t, h.Handshake[0].ListsCapped)
		assert.True(t, h.RecordsCapped)
	},
	"clienthello-one-byte-segments": func(t *testing.T, r hResult) {
		h := r.one(t)
		assertFull(t, h, hostile.HostileSNI)
		assert.Empty(t, h.Errors)
		require.NotEmpty(t, h.Handshake)
		// One frame per byte of the message (header and body), the
		// record header's frames excluded.
		assert.Len(t, h.Handshake[0].Frames, h.Handshake[0].Length+4)
	},
	"overlap-conflict": func(t *testing.T, r hResult) {
		h := r.one(t)
		assertFull(t, h, hostile.HostileSNI) // the first copy wins
		e := h.find(t, "stream_overlap_conflict", "client")
		assert.Contains(t, e.Message, "first copy")
	},
	"seq-wraparound": func(t *testing.T, r hResult) {
		h := r.one(t)
		assertFull(t, h, hostile.HostileSNI)
		assert.Empty(t, h.Errors)
	},
	"rst-mid-handshake": func(t *testing.T, r hResult) {
		h := r.one(t)
		assertFull(t, h, hostile.HostileSNI)
		h.find(t, "rst_out_of_window", "server")
		assert.Equal(t, "fin", h.TCP.End, "the ignored RST ends nothing")
	},
	"rst-in-window": func(t *testing.T, r hResult) {
		h := r.hostile()
		require.Len(t, h, 2, "the RST ends the first connection; the server's data after it is a second")
		assert.Equal(t, hostile.HostileSNI, h[0].TLS.SNI)
		assert.Equal(t, "rst", h[0].TCP.End)
		assert.False(t, h[0].TLS.Established)
		e := h[1].find(t, "data_after_rst", "server")
		assert.Greater(t, e.Frame, 0)
		lost := h[1].find(t, "data_dropped_after_rst", "client")
		assert.Less(t, lost.Frame, e.Frame, "the client's data between the RST and the server's return")
		assert.Contains(t, lost.Message, "bytes in 1 segments")
		assert.Positive(t, h[1].TLS.Records.Server, "the server's records after the RST are reported")
	},
	"syn-flood": func(t *testing.T, r hResult) {
		assert.Empty(t, r.hostile(), "half-open flows carry no TLS")
		assert.Contains(t, r.stderr, "flow table full")
	},
	"tuple-reuse": func(t *testing.T, r hResult) {
		h := r.hostile()
		require.Len(t, h, 2)
		for i, c := range h {
			assertFull(t, c, hostile.ReuseSNI[i])
			assert.Empty(t, c.Errors)
			assert.Equal(t, "fin", c.TCP.End)
		}
	},
	"tuple-reuse-open": func(t *testing.T, r hResult) {
		h := r.hostile()
		require.Len(t, h, 2)
		assert.Equal(t, hostile.ReuseSNI[0], h[0].TLS.SNI)
		assert.False(t, h[0].TLS.Established, "abandoned mid-handshake")
		assertFull(t, h[1], hostile.ReuseSNI[1])
		assert.Empty(t, h[1].Errors)
	},
	"garbage-before-clienthello": func(t *testing.T, r hResult) {
		h := r.one(t)
		assertFull(t, h, hostile.HostileSNI)
		e := h.find(t, "stream_resync", "client")
		assert.Equal(t, int64(200), e.Offset)
	},
	"ip-fragments": func(t *testing.T, r hResult) {
		h := r.one(t)
		assert.Equal(t, hostile.HostileSNI, h.TLS.SNI, "the first copy of the overlapped fragment wins")
		e := h.find(t, "stream_gap", "server")
		assert.Equal(t, int64(0), e.Offset, "the server's first 200 bytes never completed their datagram")
		assert.Contains(t, r.stderr, "overlap")
	},
	"ooo-window-64k": func(t *testing.T, r hResult) {
		h := r.one(t)
		assertFull(t, h, hostile.HostileSNI)
		for _, e := range h.Errors {
			assert.False(t, strings.HasPrefix(e.Code, "stream_"), "no stream problem: %v", e)
		}
		assert.NotEmpty(t, h.Certificates)
	},
	"cert-chain-500": func(t *testing.T, r hResult) {
		h := r.one(t)
		assertFull(t, h, hostile.HostileSNI)
		h.find(t, "certificate_chain_capped", "server")
		assert.Less(t, len(h.Certificates), hostile.ChainLen, "the chain cap holds")
		assert.NotEmpty(t, h.Certificates)
	},
	"cert-malformed": func(t *testing.T, r hResult) {
		h := r.one(t)
		assertFull(t, h, hostile.HostileSNI)
		require.Len(t, h.Certificates, len(hostile.MalformedCerts()), "every entry is listed")
		h.find(t, "certificate_unparsable", "server")
		assert.Contains(t, h.Certificates[2].Subject, `\00`, "a NUL in a name is shown escaped, not cut")
		h.find(t, "certificate_name_nul", "server")
		h.find(t, "certificate_lenient", "server") // the negative serial
	},
	"cert-entry-length-16m": func(t *testing.T, r hResult) {
		h := r.one(t)
		assertFull(t, h, hostile.HostileSNI)
		e := h.find(t, "message_malformed", "server")
		assert.Contains(t, e.Message, "16777215")
		assert.Empty(t, h.Certificates)
	},
	"compression-bomb": func(t *testing.T, r hResult) {
		h := r.one(t)
		assertFull(t, h, hostile.HostileSNI)
		n := 0
		for _, e := range h.Errors {
			if e.Code == "decompression_refused" {
				n++
			}
		}
		assert.Equal(t, 3, n, "zlib, brotli and zstd bombs each stopped at the cap: %v", h.codes())
	},
	"long-lived-first": func(t *testing.T, r hResult) {
		// Run with --max-held 16 (hostileArgs): the first connection
		// stops holding back the others' reports, and says so.
		require.Len(t, r.conns, hostile.LongLivedShort+1)
		assert.Equal(t, 1, r.conns[len(r.conns)-1].ID, "the long-lived connection is written when it ends")
		for i, c := range r.conns[:hostile.LongLivedShort] {
			assert.Equal(t, i+2, c.ID)
			assertFull(t, c, hostile.HostileSNI)
		}
		assert.Contains(t, r.stderr, "out of first-packet order")
	},
	"sni-control-bytes": func(t *testing.T, r hResult) {
		h := r.one(t)
		assert.Equal(t, hostile.ControlSNI, h.TLS.SNI, "JSON keeps the bytes, escaped")
		h.find(t, "sni_invalid", "client")
		for _, format := range []string{"text", "summary"} {
			var out bytes.Buffer
			run([]string{"-r", "-", "--format", format}, bytes.NewReader(r.input), &out, io.Discard)
			assert.False(t, bytes.ContainsAny(out.Bytes(), "\x1b\x07\r"), "control bytes reach the terminal (--format %s)", format)
			assert.Contains(t, out.String(), `\x1b`, "shown escaped (--format %s)", format)
		}
	},
	"pcapng-corrupt-block": func(t *testing.T, r hResult) {
		assert.Equal(t, exitOK, r.code, "file-level damage is a warning")
		assert.Contains(t, r.stderr, "warning")
		assert.Contains(t, r.stderr, "invalid block length")
		assert.Contains(t, r.stderr, "skipped 32 bytes to the next valid block")
		assert.NotEmpty(t, r.hostile(), "what follows the corrupt block is read")
	},
	"pcap-corrupt-record": func(t *testing.T, r hResult) {
		assert.Equal(t, exitOK, r.code, "file-level damage is a warning")
		assert.Contains(t, r.stderr, "warning")
		assert.Contains(t, r.stderr, "captured length 2147483632 is over the maximum")
		assert.Contains(t, r.stderr, "skipped 316 bytes to the next valid packet record")
		assertFull(t, r.one(t), hostile.HostileSNI)
	},
	"pcap-cut-mid-header": func(t *testing.T, r hResult) {
		assert.Contains(t, r.stderr, "warning")
		assert.Contains(t, r.stderr, "truncated")
	},
}

// hostileArgs are extra flags for a case.
var hostileArgs = map[string][]string{
	"long-lived-first": {"--max-held", "16"},
}

func checkSnaplen(t *testing.T, r hResult) {
	h := r.one(t)
	assert.False(t, h.TLS.Established)
	h.find(t, "segment_truncated", "client")
	h.find(t, "segment_truncated", "server")
	h.find(t, "stream_gap", "client")
}

// runHostile runs padlock on capture bytes, with panics surfacing.
func runHostile(t *testing.T, b []byte, extra ...string) hResult {
	t.Helper()
	recoverPanics = false
	defer func() { recoverPanics = true }()
	var out, errOut bytes.Buffer
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	start := time.Now()
	code := run(append([]string{"-r", "-", "--format", "json"}, extra...), bytes.NewReader(b), &out, &errOut)
	r := hResult{stderr: errOut.String(), code: code, elapsed: time.Since(start), input: b}
	runtime.ReadMemStats(&after)
	r.alloc = after.TotalAlloc - before.TotalAlloc
	sc := bufio.NewScanner(&out)
	sc.Buffer(nil, 1<<26)
	for sc.Scan() {
		var c hConn
		require.NoError(t, json.Unmarshal(sc.Bytes(), &c))
		r.conns = append(r.conns, c)
	}
	require.NoError(t, sc.Err())
	return r
}

// TestHostile runs every case of the hostile-capture suite (pcaps/hostile,
// issue 7): padlock must not panic, must finish quickly, must report the
// hostile connection with a stable error code (or warn on stderr for
// damage to the file), and must report the normal connection next to it in
// full.
func TestHostile(t *testing.T) {
	for _, c := range hostile.Cases() {
		t.Run(c.Name, func(t *testing.T) {
			check, ok := hostileChecks[c.Name]
			require.True(t, ok, "no checks for case %s", c.Name)
			r := runHostile(t, c.Build(), hostileArgs[c.Name]...)
			t.Logf("%s: %d connections, exit %d, %v, %d MiB allocated", c.Name, len(r.conns), r.code, r.elapsed, r.alloc>>20)
			assert.Equal(t, exitOK, r.code, "stderr: %s", r.stderr)
			// Generous: a few hundred ms on a loaded 2-core machine.
			assert.Less(t, r.elapsed, 20*time.Second)
			// Bounded memory, measured as all bytes allocated (an upper
			// bound of the peak): the SYN flood, the largest, allocates
			// about 300 MiB for its 100,000 flows; the compression bombs
			// would allocate 48 MiB if inflated whole.
			limit := uint64(64 << 20)
			if c.Name == "syn-flood" {
				limit = 512 << 20
			}
			assert.Less(t, r.alloc, limit, "bytes allocated")
			var normal []hConn
			for _, conn := range r.conns {
				for _, e := range conn.Errors {
					assert.NotEqual(t, "internal_error", e.Code)
				}
				if conn.Client.Port == hostile.NormalPort {
					normal = append(normal, conn)
				}
			}
			require.Len(t, normal, 1, "the normal connection is reported once")
			assertFull(t, normal[0], hostile.NormalSNI)
			assert.Equal(t, "fin", normal[0].TCP.End)
			assert.Empty(t, normal[0].Errors, "the normal connection has no errors")
			check(t, r)
			if c.Name != "syn-flood" { // the largest; its JSON run is enough
				// The other writers get the same hostile connections.
				for _, format := range []string{"text", "summary"} {
					recoverPanics = false
					code := run(append([]string{"-r", "-", "--format", format}, hostileArgs[c.Name]...), bytes.NewReader(r.input), io.Discard, io.Discard)
					recoverPanics = true
					assert.Equal(t, r.code, code, "--format %s", format)
				}
			}
		})
	}
}

// TestHostileFileHeaderCut: a capture cut inside its file header is not a
// capture: one line on stderr, exit 2.
func TestHostileFileHeaderCut(t *testing.T) {
	for _, c := range hostile.Cases() {
		if c.Name != "pcap-cut-mid-header" {
			continue
		}
		r := runHostile(t, c.Build()[:13])
		assert.Equal(t, exitUsage, r.code)
		assert.Equal(t, 1, strings.Count(r.stderr, "\n"), r.stderr)
		assert.Empty(t, r.conns)
	}
}
