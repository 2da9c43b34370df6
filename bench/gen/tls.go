package main

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"fmt"
	"io"
	"math/big"
	mrand "math/rand/v2"
	"net"
	"strings"
	"sync"
	"time"
)

// A template is one real crypto/tls conversation: the bytes each side wrote,
// in causal order. The replayer wraps it in TCP/IP packets, many times over,
// with different addresses, ports, sequence numbers and timings.
type template struct {
	writes      []write
	established bool // both sides finished the handshake
	resumed     bool
	hrr         bool
	version     uint16
	suite       uint16
	desc        string
}

// write is one Write of one side (dir 0: client, 1: server), or its Close.
type write struct {
	dir  int
	data []byte
	fin  bool
}

// wire records the writes of both ends of one loopback TCP connection. A
// write is logged before it reaches the socket, and a side only writes what
// depends on bytes it has read, so the log is in causal order.
type wire struct {
	mu     sync.Mutex
	writes []write
}

type recConn struct {
	net.Conn
	w    *wire
	dir  int
	once sync.Once
}

func (c *recConn) Write(p []byte) (int, error) {
	c.w.mu.Lock()
	c.w.writes = append(c.w.writes, write{dir: c.dir, data: bytes.Clone(p)})
	c.w.mu.Unlock()
	return c.Conn.Write(p)
}

func (c *recConn) Close() error {
	c.once.Do(func() {
		c.w.mu.Lock()
		c.w.writes = append(c.w.writes, write{dir: c.dir, fin: true})
		c.w.mu.Unlock()
	})
	return c.Conn.Close()
}

// pki is a throwaway CA hierarchy made at start-up (key generation is fast
// enough, and nothing here has to be reproducible byte for byte).
type pki struct {
	root, inter       *x509.Certificate
	rootDER, interDER []byte
	interKey          crypto.Signer
	leafKeys          map[string]crypto.Signer
	mu                sync.Mutex
	leaves            map[string]tls.Certificate
}

func newPKI() (*pki, error) {
	p := &pki{leafKeys: map[string]crypto.Signer{}, leaves: map[string]tls.Certificate{}}
	rootKey, _ := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	interKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	nb, na := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2035, 1, 1, 0, 0, 0, 0, time.UTC)
	root := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{Organization: []string{"Padlock Bench"}, CommonName: "Padlock Bench Root CA"},
		NotBefore: nb, NotAfter: na, KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageCRLSign, BasicConstraintsValid: true, IsCA: true}
	var err error
	if p.rootDER, err = x509.CreateCertificate(rand.Reader, root, root, rootKey.Public(), rootKey); err != nil {
		return nil, err
	}
	p.root, _ = x509.ParseCertificate(p.rootDER)
	inter := &x509.Certificate{SerialNumber: big.NewInt(2), Subject: pkix.Name{Organization: []string{"Padlock Bench"}, CommonName: "Padlock Bench Intermediate CA"},
		NotBefore: nb, NotAfter: na, KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageCRLSign, BasicConstraintsValid: true, IsCA: true, MaxPathLen: 0, MaxPathLenZero: true}
	if p.interDER, err = x509.CreateCertificate(rand.Reader, inter, p.root, interKey.Public(), rootKey); err != nil {
		return nil, err
	}
	p.inter, _ = x509.ParseCertificate(p.interDER)
	p.interKey = interKey
	rsaKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, err
	}
	p.leafKeys["rsa"] = rsaKey
	p.leafKeys["ecdsa"], _ = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	p.leafKeys["ecdsa384"], _ = ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	_, ed, _ := ed25519.GenerateKey(rand.Reader)
	p.leafKeys["ed25519"] = ed
	return p, nil
}

// cert returns a leaf for host with a chain of n certificates (1: the leaf
// alone, 2: with the intermediate, 3: with the root too).
func (p *pki) cert(kind, host string, n int) (tls.Certificate, error) {
	key := fmt.Sprintf("%s/%s/%d", kind, host, n)
	p.mu.Lock()
	defer p.mu.Unlock()
	if c, ok := p.leaves[key]; ok {
		return c, nil
	}
	k := p.leafKeys[kind]
	serial := new(big.Int).SetUint64(mrand.Uint64())
	leaf := &x509.Certificate{SerialNumber: serial, Subject: pkix.Name{Organization: []string{"Padlock Bench"}, CommonName: host},
		DNSNames:  []string{host, "www." + host, "*." + host},
		NotBefore: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), NotAfter: time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, leaf, p.inter, k.Public(), p.interKey)
	if err != nil {
		return tls.Certificate{}, err
	}
	chain := [][]byte{der, p.interDER, p.rootDER}[:n]
	c := tls.Certificate{Certificate: chain, PrivateKey: k}
	p.leaves[key] = c
	return c, nil
}

// Hosts the clients ask for (SNI); a few connections send none.
var hosts = func() []string {
	base := []string{"example.com", "example.org", "example.net", "shop", "mail", "api", "cdn", "static", "login", "news",
		"video", "img", "search", "maps", "docs", "drive", "chat", "pay", "auth", "telemetry"}
	var out []string
	for i, b := range base {
		if !strings.Contains(b, ".") {
			b = fmt.Sprintf("%s.site%d.test", b, i)
		}
		out = append(out, b)
	}
	return out
}()

// spec is the recipe of one template.
type spec struct {
	clientMin, clientMax uint16
	serverMin, serverMax uint16
	suites               []uint16 // TLS 1.2 suites the client offers (nil: Go's default)
	clientCurves         []tls.CurveID
	serverCurves         []tls.CurveID
	leaf                 string
	chain                int
	sni                  string // "" sends none
	alpn                 []string
	serverALPN           []string
	reject               bool // the client refuses the server's certificate
	wantFail             bool // the handshake is meant to fail
	request, response    int  // application bytes each way
	cache                tls.ClientSessionCache
}

var (
	suitesRSA12   = []uint16{tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, tls.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384, tls.TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256, tls.TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA}
	suitesECDSA12 = []uint16{tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, tls.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384, tls.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256, tls.TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA}
)

// randomSpec draws a recipe. fail draws one of the failing kinds.
func randomSpec(r *mrand.Rand, bulk, fail bool) spec {
	s := spec{clientMin: tls.VersionTLS12, clientMax: tls.VersionTLS13, serverMin: tls.VersionTLS12, serverMax: tls.VersionTLS13}
	if r.IntN(10) < 4 {
		// A TLS 1.2 connection: either side may be the one that stops at 1.2.
		if r.IntN(2) == 0 {
			s.clientMax = tls.VersionTLS12
		} else {
			s.serverMax = tls.VersionTLS12
		}
	}
	s.leaf = []string{"rsa", "ecdsa", "ecdsa", "ecdsa384", "ed25519"}[r.IntN(5)]
	if s.leaf == "ed25519" && r.IntN(2) == 0 {
		s.leaf = "ecdsa"
	}
	s.chain = 1 + r.IntN(3)
	if r.IntN(20) > 0 {
		s.sni = hosts[r.IntN(len(hosts))]
	}
	switch r.IntN(4) {
	case 0:
	case 1:
		s.alpn = []string{"http/1.1"}
	default:
		s.alpn = []string{"h2", "http/1.1"}
	}
	if len(s.alpn) > 0 {
		s.serverALPN = []string{s.alpn[r.IntN(len(s.alpn))]}
	}
	// Offered suites: one at random, or the usual list in a random order.
	pick := suitesECDSA12
	if s.leaf == "rsa" {
		pick = suitesRSA12
	}
	if r.IntN(2) == 0 {
		s.suites = []uint16{pick[r.IntN(len(pick))]}
	} else {
		s.suites = append([]uint16(nil), pick...)
		r.Shuffle(len(s.suites), func(i, j int) { s.suites[i], s.suites[j] = s.suites[j], s.suites[i] })
	}
	all := []tls.CurveID{tls.X25519MLKEM768, tls.X25519, tls.CurveP256, tls.CurveP384}
	switch r.IntN(8) {
	case 0: // HelloRetryRequest: the client's first key share is not one the server takes
		s.clientCurves = []tls.CurveID{tls.X25519, tls.CurveP256}
		s.serverCurves = []tls.CurveID{tls.CurveP256, tls.CurveP384}
	case 1, 2:
		s.clientCurves = []tls.CurveID{tls.CurveP256, tls.CurveP384}
		s.serverCurves = []tls.CurveID{tls.CurveP256}
	case 3:
		s.clientCurves = []tls.CurveID{tls.CurveP384}
		s.serverCurves = []tls.CurveID{tls.CurveP384, tls.CurveP256}
	case 4, 5:
		s.clientCurves = all
		s.serverCurves = all
	default:
		s.clientCurves = []tls.CurveID{tls.X25519, tls.CurveP256}
		s.serverCurves = []tls.CurveID{tls.X25519, tls.CurveP256}
	}
	if fail {
		s.wantFail = true
		switch r.IntN(3) {
		case 0:
			s.reject = true
		case 1: // no version in common
			s.clientMin, s.clientMax = tls.VersionTLS13, tls.VersionTLS13
			s.serverMin, s.serverMax = tls.VersionTLS12, tls.VersionTLS12
		case 2: // no TLS 1.2 suite in common
			s.clientMax, s.serverMax = tls.VersionTLS12, tls.VersionTLS12
			s.suites = []uint16{tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256}
			if s.leaf != "rsa" {
				s.suites = []uint16{tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256}
			}
		}
	}
	s.request = 80 + r.IntN(600)
	if bulk {
		s.response = 600<<10 + r.IntN(1400<<10)
	} else {
		// Mostly small responses, a few medium ones.
		s.response = 100 + r.IntN(3000)
		if r.IntN(8) == 0 {
			s.response = 4000 + r.IntN(24000)
		}
	}
	return s
}

// run talks the recipe over a loopback TCP connection and returns what each
// side wrote.
func (s spec) run(p *pki, ln net.Listener) (*template, error) {
	cert, err := p.cert(s.leaf, firstNonEmpty(s.sni, "example.com"), s.chain)
	if err != nil {
		return nil, err
	}
	scfg := &tls.Config{
		Certificates: []tls.Certificate{cert}, MinVersion: s.serverMin, MaxVersion: s.serverMax,
		CurvePreferences: s.serverCurves, NextProtos: s.serverALPN,
	}
	// One ticket key for every server, so a resumed template can resume.
	copy(scfg.SessionTicketKey[:], "padlock bench session ticket key")
	ccfg := &tls.Config{
		ServerName: s.sni, InsecureSkipVerify: true, MinVersion: s.clientMin, MaxVersion: s.clientMax,
		CipherSuites: s.suites, CurvePreferences: s.clientCurves, NextProtos: s.alpn, ClientSessionCache: s.cache,
	}
	if s.sni == "" {
		ccfg.ServerName = ""
	}
	if s.reject {
		ccfg.VerifyConnection = func(tls.ConnectionState) error { return errors.New("rejected") }
	}
	w := &wire{}
	srvDone := make(chan result, 1)
	go func() {
		raw, err := ln.Accept()
		if err != nil {
			srvDone <- result{err: err}
			return
		}
		raw.SetDeadline(time.Now().Add(20 * time.Second))
		srv := tls.Server(&recConn{Conn: raw, w: w, dir: 1}, scfg)
		res := serve(srv, s)
		// Closed before the result is sent, so the FIN is in the log.
		srv.Close()
		srvDone <- res
	}()
	raw, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		return nil, err
	}
	raw.SetDeadline(time.Now().Add(20 * time.Second))
	rc := &recConn{Conn: raw, w: w, dir: 0}
	cli := tls.Client(rc, ccfg)
	var cerr error
	var state tls.ConnectionState
	if cerr = cli.Handshake(); cerr == nil {
		state = cli.ConnectionState()
		if _, err := cli.Write(payload(s.request, "request")); err != nil {
			cerr = err
		} else if _, err := io.ReadFull(cli, make([]byte, s.response)); err != nil {
			cerr = err
		}
	}
	cli.Close()
	sr := <-srvDone
	t := &template{writes: w.writes, established: cerr == nil && sr.err == nil, resumed: state.DidResume,
		version: state.Version, suite: state.CipherSuite}
	t.hrr = serverSentHRR(t.writes)
	t.desc = fmt.Sprintf("%s %s hrr=%v resumed=%v", tls.VersionName(state.Version), tls.CipherSuiteName(state.CipherSuite), t.hrr, t.resumed)
	if t.established == s.wantFail {
		return nil, fmt.Errorf("handshake established=%v, want %v: client %v, server %v", t.established, !s.wantFail, cerr, sr.err)
	}
	return t, nil
}

type result struct {
	err   error
	state tls.ConnectionState
}

// serve is the server side: handshake, read the request, answer, and wait
// for the client's close_notify.
func serve(srv *tls.Conn, s spec) result {
	if err := srv.Handshake(); err != nil {
		return result{err: err}
	}
	if _, err := io.ReadFull(srv, make([]byte, s.request)); err != nil {
		return result{err: err}
	}
	if _, err := srv.Write(payload(s.response, "response")); err != nil {
		return result{err: err}
	}
	io.Copy(io.Discard, srv)
	return result{state: srv.ConnectionState()}
}

func firstNonEmpty(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// payload is n bytes of HTTP-ish text.
func payload(n int, what string) []byte {
	line := []byte("padlock bench " + what + " 0123456789abcdefghijklmnopqrstuvwxyz\r\n")
	out := make([]byte, 0, n+len(line))
	for len(out) < n {
		out = append(out, line...)
	}
	return out[:n]
}

// hrrRandom is the ServerHello.random of a HelloRetryRequest (RFC 8446, 4.1.3).
var hrrRandom = []byte{0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11, 0xbe, 0x1d, 0x8c, 0x02, 0x1e, 0x65, 0xb8, 0x91,
	0xc2, 0xa2, 0x11, 0x16, 0x7a, 0xbb, 0x8c, 0x5e, 0x07, 0x9e, 0x09, 0xe2, 0xc8, 0xa8, 0x33, 0x9c}

func serverSentHRR(ws []write) bool {
	var srv []byte
	for _, w := range ws {
		if w.dir == 1 {
			srv = append(srv, w.data...)
			if len(srv) >= 43 {
				break
			}
		}
	}
	return len(srv) >= 43 && srv[0] == 22 && srv[5] == 2 && bytes.Equal(srv[11:43], hrrRandom)
}
