package main

import (
	"crypto/tls"
	"fmt"
	"time"
)

// connSpec describes one synthesized TCP connection carrying a real TLS
// conversation.
type connSpec struct {
	label  string // seeds the deterministic randomness of both sides
	client *tls.Config
	server *tls.Config
	xforms [2]func([]byte) []byte // rewrite writes of a side (see reframe)
	tcp    tcpOpts
	net    netOpts
	// edit changes the segment list after it is built (reorder, duplicate,
	// drop, ...).
	edit func(f *flow) []seg
	// wantFail: the handshake is expected to fail (alert scenarios).
	wantFail bool
	// check verifies that the result shows what the scenario is about.
	check  func(r *connResult) error
	base   time.Time
	timing *timing
	iface  int
}

type connResult struct {
	frames []frame
	conv   *conversation
	flow   *flow
	segs   []seg
}

func (c connSpec) run() (*connResult, error) {
	conv, err := talk(c.client, c.server, c.xforms)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", c.label, err)
	}
	if c.wantFail {
		if conv.clientErr == nil && conv.serverErr == nil {
			return nil, fmt.Errorf("%s: handshake succeeded, want failure", c.label)
		}
	} else if conv.clientErr != nil || conv.serverErr != nil {
		return nil, fmt.Errorf("%s: client error %v, server error %v", c.label, conv.clientErr, conv.serverErr)
	}
	f := buildFlow(conv.events, c.tcp)
	segs := f.segs
	if c.edit != nil {
		segs = c.edit(f)
	}
	n := c.net
	if c.tcp.mss != 0 && n.mss == 0 {
		n.mss = c.tcp.mss
	}
	tm := defaultTiming(c.base)
	if c.timing != nil {
		tm = *c.timing
	}
	frames, err := serialize(segs, n, tm, c.iface)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", c.label, err)
	}
	res := &connResult{frames: frames, conv: conv, flow: f, segs: segs}
	if c.check != nil {
		if err := c.check(res); err != nil {
			return nil, fmt.Errorf("%s: %w", c.label, err)
		}
	}
	return res, nil
}

// Shared TLS configuration.

var (
	alpnOffered = []string{"h2", "http/1.1"}
	// No ML-KEM hybrids: keep key shares small and fully seeded.
	curves = []tls.CurveID{tls.X25519, tls.CurveP256}
)

func clientConfig(p *pki, label string) *tls.Config {
	return &tls.Config{
		ServerName:       "example.com",
		RootCAs:          p.roots,
		Time:             fixedClock,
		Rand:             newDetRand(label + "/c"),
		NextProtos:       alpnOffered,
		CurvePreferences: curves,
		// A session cache makes the client offer tickets / PSK modes, as
		// browsers do, so servers send NewSessionTicket.
		ClientSessionCache: tls.NewLRUClientSessionCache(4),
	}
}

func serverConfig(p *pki, label string, cert tls.Certificate) *tls.Config {
	cfg := &tls.Config{
		Certificates:     []tls.Certificate{cert},
		Time:             fixedClock,
		Rand:             newDetRand(label + "/s"),
		NextProtos:       []string{"http/1.1"},
		CurvePreferences: curves,
	}
	copy(cfg.SessionTicketKey[:], "padlock-sample-ticket-key-000000")
	return cfg
}

func wantVersion(v uint16) func(r *connResult) error {
	return func(r *connResult) error {
		if got := r.conv.client.Version; got != v {
			return fmt.Errorf("negotiated %s, want %s", tls.VersionName(got), tls.VersionName(v))
		}
		return nil
	}
}

// all combines checks.
func all(checks ...func(r *connResult) error) func(r *connResult) error {
	return func(r *connResult) error {
		for _, c := range checks {
			if err := c(r); err != nil {
				return err
			}
		}
		return nil
	}
}

// recordSegments returns how many data segments in direction d carry bytes
// of the i-th record of that direction's stream.
func (r *connResult) recordSegments(d, i int) int {
	recs := records(r.flow.streams[d])
	if i >= len(recs) {
		return 0
	}
	start := 0
	for _, rec := range recs[:i] {
		start += len(rec)
	}
	end := start + len(recs[i])
	n := 0
	for _, s := range r.segs {
		if s.dir == d && s.isData() {
			off := streamOffset(s)
			if off < end && off+len(s.data) > start {
				n++
			}
		}
	}
	return n
}

// records splits a TLS byte stream into records (type, payload) as far as
// complete records go.
func records(b []byte) (out [][]byte) {
	for len(b) >= 5 {
		n := 5 + (int(b[3])<<8 | int(b[4]))
		if len(b) < n {
			break
		}
		out = append(out, b[:n])
		b = b[n:]
	}
	return out
}
