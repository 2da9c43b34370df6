package main

import (
	"bytes"
	"compress/gzip"
	"crypto/tls"
	"encoding/binary"
	"errors"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	"github.com/gopacket/gopacket/pcapgo"
)

// committed is where the generated files live, relative to this package.
const committed = ".."

// clientPrefersAES reports whether Go's TLS client puts AES-GCM first, which
// it does only on CPUs with AES hardware. Cipher suite order and choice
// depend on it, so the committed files (made on such a CPU) can only be
// reproduced there.
func clientPrefersAES(t *testing.T) bool {
	rec := newRecorder()
	c := tls.Client(&pipeEnd{r: rec, dir: 0}, &tls.Config{ServerName: "x", Rand: newDetRand("aes"), MaxVersion: tls.VersionTLS12})
	done := make(chan struct{})
	go func() { c.Handshake(); close(done) }()
	rec.mu.Lock()
	for len(rec.log) == 0 {
		rec.cond.Wait()
	}
	hello := rec.log[0].data
	rec.mu.Unlock()
	(&pipeEnd{r: rec, dir: 1}).Close()
	<-done
	// record(5) handshake(4) version(2) random(32) session_id(1+n) suites(2+...)
	p := 5 + 4 + 2 + 32
	p += 1 + int(hello[p])
	first := binary.BigEndian.Uint16(hello[p+2:])
	switch first {
	case tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
		tls.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384, tls.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384:
		return true
	}
	t.Logf("first TLS 1.2 cipher suite offered: %#04x", first)
	return false
}

// TestCommittedFilesAreReproducible regenerates every scenario and compares
// the result with the committed files byte for byte.
func TestCommittedFilesAreReproducible(t *testing.T) {
	if !clientPrefersAES(t) {
		t.Skip("this CPU has no AES-GCM hardware support: Go's TLS then prefers ChaCha20, so cipher suites differ from the committed files")
	}
	files, err := generate(nil)
	if err != nil {
		t.Fatal(err)
	}
	tmp := t.TempDir()
	names := make([]string, 0, len(files))
	for name := range files {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		if err := os.WriteFile(filepath.Join(tmp, name), files[name], 0o644); err != nil {
			t.Fatal(err)
		}
		want, err := os.ReadFile(filepath.Join(committed, name))
		if err != nil {
			t.Errorf("%s: %v (run `go run ./pcaps/gen -out pcaps` from the repository root)", name, err)
			continue
		}
		if !bytes.Equal(files[name], want) {
			t.Errorf("%s: generated output (%d bytes) differs from the committed file (%d bytes); regenerate with `go run ./pcaps/gen -out pcaps` if the change is intended", name, len(files[name]), len(want))
		}
		if len(want) > 50<<10 {
			t.Errorf("%s: %d bytes, keep sample captures under 50 KB", name, len(want))
		}
	}
}

// TestGenerateTwice checks that two runs in one process agree (no hidden
// dependence on scheduling, maps or real randomness).
func TestGenerateTwice(t *testing.T) {
	only := map[string]bool{"tls13-reorder-retrans.pcap": true, "tls13-resumption.pcap": true, "tls13-hrr.pcap": true, "two-interfaces.pcapng": true}
	a, err := generate(only)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 3; i++ {
		b, err := generate(only)
		if err != nil {
			t.Fatal(err)
		}
		for name := range only {
			if !bytes.Equal(a[name], b[name]) {
				t.Errorf("%s differs between runs", name)
			}
		}
	}
}

// TestCapturesDecode reads every capture in pcaps/ (generated and real) with
// gopacket and checks that each packet decodes down to TCP, UDP or ARP.
func TestCapturesDecode(t *testing.T) {
	paths, err := filepath.Glob(filepath.Join(committed, "*.pcap*"))
	if err != nil {
		t.Fatal(err)
	}
	real, _ := filepath.Glob(filepath.Join(committed, "real", "*.pcap*"))
	paths = append(paths, real...)
	if len(paths) == 0 {
		t.Skip("no captures committed yet")
	}
	for _, path := range paths {
		t.Run(filepath.Base(path), func(t *testing.T) {
			n, err := decodeFile(path)
			if strings.HasPrefix(filepath.Base(path), "truncated") {
				if !errors.Is(err, io.ErrUnexpectedEOF) {
					t.Errorf("want io.ErrUnexpectedEOF at the cut, got %v after %d packets", err, n)
				}
				return
			}
			if err != nil {
				t.Fatalf("after %d packets: %v", n, err)
			}
			if n == 0 {
				t.Fatal("no packets")
			}
		})
	}
}

type packetReader interface {
	ReadPacketData() ([]byte, gopacket.CaptureInfo, error)
}

func decodeFile(path string) (int, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	var r io.Reader = f
	if strings.HasSuffix(path, ".gz") {
		z, err := gzip.NewReader(f)
		if err != nil {
			return 0, err
		}
		r = z
	}
	br := newPeekReader(r)
	magic, err := br.peek(4)
	if err != nil {
		return 0, err
	}
	var pr packetReader
	links := map[int]layers.LinkType{}
	if binary.LittleEndian.Uint32(magic) == 0x0a0d0d0a {
		ng, err := pcapgo.NewNgReader(br, pcapgo.DefaultNgReaderOptions)
		if err != nil {
			return 0, err
		}
		pr = ngLinks{ng, links}
	} else {
		pc, err := pcapgo.NewReader(br)
		if err != nil {
			return 0, err
		}
		links[0] = pc.LinkType()
		pr = pc
	}
	n := 0
	for {
		data, ci, err := pr.ReadPacketData()
		if err == io.EOF {
			return n, nil
		}
		if err != nil {
			return n, err
		}
		n++
		lt, ok := links[ci.InterfaceIndex]
		if !ok {
			return n, errors.New("packet on unknown interface")
		}
		pkt := gopacket.NewPacket(data, lt, gopacket.Default)
		if el := pkt.ErrorLayer(); el != nil {
			return n, el.Error()
		}
		if pkt.Layer(layers.LayerTypeTCP) == nil && pkt.Layer(layers.LayerTypeUDP) == nil && pkt.Layer(layers.LayerTypeARP) == nil {
			return n, errors.New("packet is neither TCP, UDP nor ARP: " + pkt.String())
		}
	}
}

type ngLinks struct {
	r     *pcapgo.NgReader
	links map[int]layers.LinkType
}

func (n ngLinks) ReadPacketData() ([]byte, gopacket.CaptureInfo, error) {
	data, ci, err := n.r.ReadPacketData()
	if err == nil {
		if _, ok := n.links[ci.InterfaceIndex]; !ok {
			if in, err := n.r.Interface(ci.InterfaceIndex); err == nil {
				n.links[ci.InterfaceIndex] = in.LinkType
			}
		}
	}
	return data, ci, err
}

type peekReader struct {
	buf []byte
	r   io.Reader
}

func newPeekReader(r io.Reader) *peekReader { return &peekReader{r: r} }

func (p *peekReader) peek(n int) ([]byte, error) {
	for len(p.buf) < n {
		b := make([]byte, n-len(p.buf))
		k, err := p.r.Read(b)
		p.buf = append(p.buf, b[:k]...)
		if err != nil {
			return p.buf, err
		}
	}
	return p.buf[:n], nil
}

func (p *peekReader) Read(b []byte) (int, error) {
	if len(p.buf) > 0 {
		n := copy(b, p.buf)
		p.buf = p.buf[n:]
		return n, nil
	}
	return p.r.Read(b)
}

// TestBuildFlowCuts checks MSS cutting, forced cut points, coalescing and
// sequence/ack bookkeeping of the TCP builder.
func TestBuildFlowCuts(t *testing.T) {
	evs := []event{
		{dir: 0, data: bytes.Repeat([]byte{1}, 10)},
		{dir: 0, data: bytes.Repeat([]byte{2}, 5)},
		{dir: 1, data: bytes.Repeat([]byte{3}, 25)},
		{dir: 0, fin: true},
		{dir: 1, fin: true},
	}
	f := buildFlow(evs, tcpOpts{mss: 10, cuts: [2][]int{nil, {4}}, coalesce: true})
	type want struct{ dir, seq, ack, flags, n int }
	exp := []want{
		{0, 0, 0, fSYN, 0},
		{1, 0, 1, fSYN | fACK, 0},
		{0, 1, 1, fACK, 0},
		{0, 1, 1, fACK, 10}, // coalesced 15 bytes, cut at MSS 10
		{0, 11, 1, fACK | fPSH, 5},
		{1, 1, 16, fACK, 4}, // forced cut at offset 4
		{1, 5, 16, fACK, 10},
		{1, 15, 16, fACK, 10},
		{1, 25, 16, fACK | fPSH, 1},
		{0, 16, 26, fFIN | fACK, 0},
		{1, 26, 17, fFIN | fACK, 0},
		{0, 17, 27, fACK, 0},
	}
	if len(f.segs) != len(exp) {
		for _, s := range f.segs {
			t.Logf("%+v", s)
		}
		t.Fatalf("%d segments, want %d", len(f.segs), len(exp))
	}
	for i, w := range exp {
		s := f.segs[i]
		got := want{s.dir, s.seq, s.ack, s.flags, len(s.data)}
		if s.flags&fACK == 0 {
			got.ack = 0
		}
		if got != w {
			t.Errorf("segment %d = %+v, want %+v", i, got, w)
		}
	}
}
