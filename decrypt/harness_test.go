package decrypt

import (
	"io"
	"os"
	"testing"

	"github.com/stretchr/testify/require"
	"golang.org/x/crypto/cryptobyte"

	"github.com/padlock-tls/padlock/capture"
	"github.com/padlock-tls/padlock/reassembly"
)

// capRecord is one TLS record of a capture, as the repo's reassembly cut it.
type capRecord struct {
	dir   reassembly.Dir
	typ   uint8
	vers  uint16
	body  []byte
	frame int // the frame that completed the record
}

// capConn is one TCP connection's records in arrival order.
type capConn struct {
	id      int
	records []capRecord
}

type collector struct {
	conns map[int]*capConn
	order []int
}

func (h *collector) Record(c *reassembly.Conn, r *reassembly.Record) {
	cc := h.conns[c.ID]
	if cc == nil {
		cc = &capConn{id: c.ID}
		h.conns[c.ID] = cc
		h.order = append(h.order, c.ID)
	}
	if r.SSLv2 {
		return
	}
	cc.records = append(cc.records, capRecord{dir: r.Dir, typ: r.Type, vers: r.Version, body: r.Body, frame: r.LastFrame()})
}
func (h *collector) Problem(*reassembly.Conn, reassembly.Problem) {}
func (h *collector) Done(*reassembly.Conn)                        {}

// readCapture returns the TLS records of every connection in path, using
// capture.NewSource, capture.NewDecoder and reassembly.New as padlock does.
func readCapture(t testing.TB, path string) []*capConn {
	t.Helper()
	conns, _ := readCaptureSecrets(t, path)
	return conns
}

// readCaptureSecrets also returns the key logs of the capture's pcapng
// decryption secrets blocks (capture.Source.Secrets).
func readCaptureSecrets(t testing.TB, path string) ([]*capConn, [][]byte) {
	t.Helper()
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	src, err := capture.NewSource(f)
	require.NoError(t, err)
	dec := capture.NewDecoder()
	h := &collector{conns: map[int]*capConn{}}
	tr := reassembly.New(reassembly.DefaultOptions, h)
	for {
		p, err := src.Next()
		if err == io.EOF {
			break
		}
		require.NoError(t, err)
		seg, ok, err := dec.Decode(p)
		if err != nil || !ok {
			continue
		}
		tr.Add(&seg)
	}
	tr.Close()
	var out []*capConn
	for _, id := range h.order {
		out = append(out, h.conns[id])
	}
	return out, src.Secrets()
}

// hello is what the tests need from a ClientHello or ServerHello.
type hello struct {
	random  []byte
	suite   uint16 // ServerHello
	version uint16 // supported_versions (ServerHello) or legacy_version
	exts    map[uint16][]byte
}

// parseHello reads a ClientHello or ServerHello handshake message (RFC
// 8446, Section 4.1.2 and 4.1.3), just enough for Params.
func parseHello(b []byte) (hello, bool) {
	s := cryptobyte.String(b)
	var typ uint8
	var body cryptobyte.String
	if !s.ReadUint8(&typ) || !s.ReadUint24LengthPrefixed(&body) {
		return hello{}, false
	}
	var h hello
	var sid, suites, comp cryptobyte.String
	if !body.ReadUint16(&h.version) || !body.ReadBytes(&h.random, 32) || !body.ReadUint8LengthPrefixed(&sid) {
		return hello{}, false
	}
	if typ == 1 {
		if !body.ReadUint16LengthPrefixed(&suites) || !body.ReadUint8LengthPrefixed(&comp) {
			return hello{}, false
		}
	} else {
		var cm uint8
		if !body.ReadUint16(&h.suite) || !body.ReadUint8(&cm) {
			return hello{}, false
		}
	}
	h.exts = map[uint16][]byte{}
	var exts cryptobyte.String
	if body.Empty() || !body.ReadUint16LengthPrefixed(&exts) {
		return h, true
	}
	for !exts.Empty() {
		var et uint16
		var ed cryptobyte.String
		if !exts.ReadUint16(&et) || !exts.ReadUint16LengthPrefixed(&ed) {
			return hello{}, false
		}
		h.exts[et] = ed
	}
	if sv, ok := h.exts[43]; ok && typ == 2 && len(sv) == 2 {
		h.version = uint16(sv[0])<<8 | uint16(sv[1])
	}
	return h, true
}

// decRecord is one record's decryption outcome.
type decRecord struct {
	from  Dir
	frame int
	pt    Plaintext
	err   error
}

// params finds the client direction and the hellos of a connection.
func params(t testing.TB, cc *capConn) (Params, reassembly.Dir) {
	t.Helper()
	var ch, sh hello
	var clientDir reassembly.Dir
	var haveCH, haveSH bool
	for _, r := range cc.records {
		if r.typ != typeHandshake || len(r.body) < 4 {
			continue
		}
		switch {
		case r.body[0] == 1 && !haveCH:
			ch, haveCH = mustHello(t, r.body)
			clientDir = r.dir
		case r.body[0] == 2 && !haveSH:
			sh, haveSH = mustHello(t, r.body)
		}
	}
	require.True(t, haveCH && haveSH, "connection %d has no ClientHello and ServerHello", cc.id)
	_, cETM := ch.exts[22]
	_, sETM := sh.exts[22]
	_, early := ch.exts[42]
	return Params{
		Version: sh.version, CipherSuite: sh.suite,
		ClientRandom: ch.random, ServerRandom: sh.random,
		EncryptThenMAC: cETM && sETM, EarlyData: early,
	}, clientDir
}

func mustHello(t testing.TB, b []byte) (hello, bool) {
	h, ok := parseHello(b)
	require.True(t, ok, "hello does not parse")
	return h, true
}

// decryptConn decrypts every record of a connection with keys: the
// intended call sequence (Params from the hellos, New, then Record for
// each record in order).
func decryptConn(t testing.TB, cc *capConn, keys Keys) (*Conn, []decRecord, error) {
	t.Helper()
	p, clientDir := params(t, cc)
	c, err := New(p, keys)
	if err != nil {
		return nil, nil, err
	}
	var out []decRecord
	var renegCH hello
	for _, r := range cc.records {
		from := Client
		if r.dir != clientDir {
			from = Server
		}
		pt, err := c.Record(from, r.typ, r.vers, r.body)
		out = append(out, decRecord{from: from, frame: r.frame, pt: pt, err: err})
		// A TLS 1.2 renegotiation: its hellos arrive encrypted, and the
		// caller hands them to Renegotiate, as padlock's builder would.
		if err == nil && pt.Decrypted && pt.Type == typeHandshake && len(pt.Data) > 4 {
			switch pt.Data[0] {
			case 1:
				renegCH, _ = parseHello(pt.Data)
			case 2:
				sh, ok := parseHello(pt.Data)
				require.True(t, ok)
				_, cETM := renegCH.exts[22]
				_, sETM := sh.exts[22]
				require.NoError(t, c.Renegotiate(Params{Version: sh.version, CipherSuite: sh.suite,
					ClientRandom: renegCH.random, ServerRandom: sh.random, EncryptThenMAC: cETM && sETM}))
			}
		}
	}
	return c, out, nil
}

func loadKeyLog(t testing.TB, path string) *KeyLog {
	t.Helper()
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	k, bad, err := ParseKeyLog(f, path)
	require.NoError(t, err)
	require.Empty(t, bad)
	return k
}
