package main

import (
	"bytes"
	"crypto/ecdh"
	"crypto/tls"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	mrand "math/rand/v2"
	"net"
	"os"
	"sort"
	"strconv"
	"sync"
	"time"
)

// detRand is a seeded deterministic random source for tls.Config.Rand.
//
// Go 1.26 crypto ignores custom readers unless GODEBUG=cryptocustomrand=1
// (set by the //go:debug line in main.go and checked by ensureCustomRand), and
// even then it calls randutil.MaybeReadByte, which reads one byte from the
// reader with probability 1/2. Single-byte reads are therefore answered
// without advancing the stream, so the bytes that matter stay reproducible.
type detRand struct{ c *mrand.ChaCha8 }

func newDetRand(label string) *detRand {
	var seed [32]byte
	copy(seed[:], "padlock pcaps gen seed          ")
	copy(seed[:], label)
	return &detRand{c: mrand.NewChaCha8(seed)}
}

func (r *detRand) Read(p []byte) (int, error) {
	if len(p) == 1 {
		p[0] = 0x5a
		return 1, nil
	}
	return r.c.Read(p)
}

// ensureCustomRand makes sure crypto honours custom random readers.
func ensureCustomRand() error {
	gen := func() []byte {
		k, err := ecdh.X25519().GenerateKey(newDetRand("check"))
		if err != nil {
			panic(err)
		}
		return k.PublicKey().Bytes()
	}
	if bytes.Equal(gen(), gen()) {
		return nil
	}
	os.Setenv("GODEBUG", os.Getenv("GODEBUG")+",cryptocustomrand=1")
	if bytes.Equal(gen(), gen()) {
		return nil
	}
	return errors.New("crypto ignores Config.Rand (GODEBUG=cryptocustomrand=1 not honoured): output would not be reproducible")
}

// fixedNow is the clock of every TLS endpoint.
var fixedNow = time.Date(2025, 3, 14, 15, 9, 26, 0, time.UTC)

func fixedClock() time.Time { return fixedNow }

// event is one Write (or the Close) of one side, as seen on the wire.
type event struct {
	dir   int // 0: client to server, 1: server to client
	data  []byte
	fin   bool
	clock int // Lamport clock: orders events causally and deterministically
	idx   int // per-direction sequence number
}

// recorder connects a client and a server. Writes never block; a Read returns
// bytes of at most one earlier Write, like net.Pipe. Every Write gets a
// Lamport timestamp so the interleaving of both directions is reproducible
// whatever the goroutine scheduling.
type recorder struct {
	mu     sync.Mutex
	cond   *sync.Cond
	queue  [2][]*event // unread writes per direction
	eof    [2]bool     // writer of that direction has closed
	log    []*event
	count  [2]int
	errs   []error
	xforms [2]func([]byte) []byte
}

func newRecorder() *recorder {
	r := &recorder{}
	r.cond = sync.NewCond(&r.mu)
	return r
}

type pipeEnd struct {
	r      *recorder
	dir    int // direction of this end's writes
	clock  int
	off    int // read offset in the head chunk
	closed bool
}

type fakeAddr string

func (a fakeAddr) Network() string { return "tcp" }
func (a fakeAddr) String() string  { return string(a) }

func (e *pipeEnd) LocalAddr() net.Addr                { return fakeAddr(strconv.Itoa(e.dir)) }
func (e *pipeEnd) RemoteAddr() net.Addr               { return fakeAddr(strconv.Itoa(1 - e.dir)) }
func (e *pipeEnd) SetDeadline(t time.Time) error      { return nil }
func (e *pipeEnd) SetReadDeadline(t time.Time) error  { return nil }
func (e *pipeEnd) SetWriteDeadline(t time.Time) error { return nil }

func (e *pipeEnd) Write(p []byte) (int, error) {
	r := e.r
	r.mu.Lock()
	defer r.mu.Unlock()
	if e.closed || r.eof[e.dir] {
		return 0, net.ErrClosed
	}
	data := bytes.Clone(p)
	if x := r.xforms[e.dir]; x != nil {
		data = x(data)
	}
	e.clock++
	ev := &event{dir: e.dir, data: data, clock: e.clock, idx: r.count[e.dir]}
	r.count[e.dir]++
	r.log = append(r.log, ev)
	r.queue[e.dir] = append(r.queue[e.dir], ev)
	r.cond.Broadcast()
	return len(p), nil
}

func (e *pipeEnd) Read(p []byte) (int, error) {
	r := e.r
	r.mu.Lock()
	defer r.mu.Unlock()
	in := 1 - e.dir
	for {
		if e.closed {
			return 0, net.ErrClosed
		}
		if q := r.queue[in]; len(q) > 0 {
			head := q[0]
			n := copy(p, head.data[e.off:])
			e.off += n
			if head.clock > e.clock {
				e.clock = head.clock
			}
			if e.off == len(head.data) {
				r.queue[in] = q[1:]
				e.off = 0
			}
			return n, nil
		}
		if r.eof[in] {
			return 0, io.EOF
		}
		r.cond.Wait()
	}
}

func (e *pipeEnd) Close() error {
	r := e.r
	r.mu.Lock()
	defer r.mu.Unlock()
	if e.closed {
		return nil
	}
	e.closed = true
	if !r.eof[e.dir] {
		r.eof[e.dir] = true
		e.clock++
		ev := &event{dir: e.dir, fin: true, clock: e.clock, idx: r.count[e.dir]}
		r.count[e.dir]++
		r.log = append(r.log, ev)
	}
	r.cond.Broadcast()
	return nil
}

// events returns the recorded writes in causal order.
func (r *recorder) events() []event {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]event, len(r.log))
	for i, e := range r.log {
		out[i] = *e
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.clock != b.clock {
			return a.clock < b.clock
		}
		if a.dir != b.dir {
			return a.dir < b.dir
		}
		return a.idx < b.idx
	})
	return out
}

const (
	httpRequest  = "GET / HTTP/1.1\r\nHost: example.com\r\nUser-Agent: padlock-gen/1\r\nAccept: */*\r\n\r\n"
	httpBody     = "Hello from padlock's sample server.\n"
	httpResponse = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 36\r\nConnection: close\r\n\r\n" + httpBody
)

// conversation is the result of one TLS connection over a recorder.
type conversation struct {
	events    []event
	clientErr error
	serverErr error
	client    tls.ConnectionState
}

// talk runs a TLS client and server against each other: handshake, one
// HTTP/1.1-like request and response, then close_notify and FIN from the
// client, answered by close_notify and FIN from the server. A failed
// handshake just closes both sides (the alert is on the wire).
func talk(clientCfg, serverCfg *tls.Config, xforms [2]func([]byte) []byte) (*conversation, error) {
	rec := newRecorder()
	rec.xforms = xforms
	cEnd := &pipeEnd{r: rec, dir: 0}
	sEnd := &pipeEnd{r: rec, dir: 1}
	cli := tls.Client(cEnd, clientCfg)
	srv := tls.Server(sEnd, serverCfg)
	conv := &conversation{}
	var wg sync.WaitGroup
	wg.Add(2)
	go func() {
		defer wg.Done()
		defer srv.Close()
		if err := srv.Handshake(); err != nil {
			conv.serverErr = err
			return
		}
		var req []byte
		buf := make([]byte, 4096)
		for !bytes.Contains(req, []byte("\r\n\r\n")) {
			n, err := srv.Read(buf)
			req = append(req, buf[:n]...)
			if err != nil {
				conv.serverErr = fmt.Errorf("server read request: %w", err)
				return
			}
		}
		if _, err := srv.Write([]byte(httpResponse)); err != nil {
			conv.serverErr = err
			return
		}
		// Wait for the client's close_notify (io.EOF), then close.
		for {
			if _, err := srv.Read(buf); err != nil {
				if err != io.EOF {
					conv.serverErr = fmt.Errorf("server wait close: %w", err)
				}
				return
			}
		}
	}()
	go func() {
		defer wg.Done()
		defer cli.Close()
		if err := cli.Handshake(); err != nil {
			conv.clientErr = err
			return
		}
		conv.client = cli.ConnectionState()
		if _, err := cli.Write([]byte(httpRequest)); err != nil {
			conv.clientErr = err
			return
		}
		var resp []byte
		buf := make([]byte, 4096)
		for len(resp) < len(httpResponse) {
			n, err := cli.Read(buf)
			resp = append(resp, buf[:n]...)
			if err != nil {
				conv.clientErr = fmt.Errorf("client read response: %w", err)
				return
			}
		}
	}()
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		return nil, errors.New("TLS conversation hung")
	}
	conv.events = rec.events()
	return conv, nil
}

// reframeTLS12ServerFlight returns a write transform for the server side that
// re-cuts the first server write (the TLS 1.2 cleartext flight ServerHello ..
// ServerHelloDone) into records chosen by plan. plan gets the handshake
// messages and returns the payloads of the new records. TLS allows any
// fragmentation of handshake messages into records, so the client accepts it.
func reframeTLS12ServerFlight(plan func(msgs [][]byte) [][]byte) func([]byte) []byte {
	done := false
	return func(b []byte) []byte {
		if done {
			return b
		}
		done = true
		var hs []byte
		var vers uint16
		for rest := b; len(rest) > 0; {
			if len(rest) < 5 || rest[0] != 22 {
				panic("reframe: first server write is not cleartext handshake records")
			}
			vers = binary.BigEndian.Uint16(rest[1:3])
			n := int(binary.BigEndian.Uint16(rest[3:5]))
			hs = append(hs, rest[5:5+n]...)
			rest = rest[5+n:]
		}
		var msgs [][]byte
		for len(hs) > 0 {
			n := 4 + (int(hs[1])<<16 | int(hs[2])<<8 | int(hs[3]))
			msgs = append(msgs, hs[:n])
			hs = hs[n:]
		}
		var out []byte
		for _, rec := range plan(msgs) {
			out = append(out, 22, byte(vers>>8), byte(vers), byte(len(rec)>>8), byte(len(rec)))
			out = append(out, rec...)
		}
		return out
	}
}
