package fingerprint

import (
	"bytes"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	"github.com/gopacket/gopacket/pcapgo"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/crypto/cryptobyte"

	"github.com/padlock-tls/padlock/capture"
	"github.com/padlock-tls/padlock/dissect"
	"github.com/padlock-tls/padlock/reassembly"
)

// The tshark cross-checks run padlock's own pipeline (capture, reassembly,
// dissect) over every bundled capture, fingerprint the decoded hellos, and
// compare with what tshark computes or decodes for the same frame.
//
// tshark 4.0 has tls.handshake.ja3{,_full} and ja3s{,_full} but no JA4
// (that came in 4.2), so JA4 and JA4S are checked against a second, naive
// implementation fed with tshark's own decoding of the hello
// (TestJA4AgainstTsharkFields), and JA4X against crypto/x509
// (TestJA4XCaptures).

// seenMsg is one hello or certificate that padlock decoded, with the frame
// that completed it (where Wireshark shows the message).
type seenMsg struct {
	frame int
	ch    *dissect.ClientHello
	sh    *dissect.ServerHello
	certs [][]byte // DER, from a TLS 1.2 (cleartext) Certificate message
}

// collector is a reassembly.Handler that dissects each connection.
type collector struct {
	sess map[*reassembly.Conn]*connState
	msgs []seenMsg
}

type connState struct {
	s *dissect.Session
	n int // records so far
}

func (c *collector) Record(conn *reassembly.Conn, r *reassembly.Record) {
	st := c.sess[conn]
	if st == nil {
		st = &connState{s: dissect.NewSession()}
		c.sess[conn] = st
	}
	st.n++
	res := st.s.Record(dissect.RecordIn{
		Side: dissect.Side(r.Dir), Type: dissect.ContentType(r.Type), Version: dissect.Version(r.Version),
		Header: r.Header, Body: r.Body, Number: st.n, SSLv2: r.SSLv2, Frames: r,
	})
	for _, m := range res.Messages {
		if m.Encrypted || len(m.Frames) == 0 {
			continue
		}
		frame := m.Frames[len(m.Frames)-1]
		switch {
		case m.ClientHello != nil:
			c.msgs = append(c.msgs, seenMsg{frame: frame, ch: m.ClientHello})
		case m.ServerHello != nil:
			c.msgs = append(c.msgs, seenMsg{frame: frame, sh: m.ServerHello})
		case m.Type == dissect.HandshakeTypeCertificate && !st.s.TLS13:
			c.msgs = append(c.msgs, seenMsg{frame: frame, certs: tls12Certificates(m.Body)})
		}
	}
}

func (c *collector) Problem(*reassembly.Conn, reassembly.Problem) {}
func (c *collector) Done(conn *reassembly.Conn)                   { delete(c.sess, conn) }

// tls12Certificates reads a TLS 1.2 Certificate body (RFC 5246, Section
// 7.4.2: ASN.1Cert certificate_list<0..2^24-1>).
func tls12Certificates(body []byte) [][]byte {
	s := cryptobyte.String(body)
	var list cryptobyte.String
	if !s.ReadUint24LengthPrefixed(&list) {
		return nil
	}
	var out [][]byte
	for !list.Empty() {
		var der cryptobyte.String
		if !list.ReadUint24LengthPrefixed(&der) {
			break
		}
		out = append(out, der)
	}
	return out
}

// dissectCapture runs padlock's pipeline over a capture file.
// carriesSecrets: the pcapng holds Decryption Secrets Blocks.
func carriesSecrets(t *testing.T, path string) bool {
	src, err := capture.Open(path, nil)
	require.NoError(t, err)
	defer src.Close()
	for {
		if _, err := src.Next(); err != nil {
			return len(src.Secrets()) > 0
		}
	}
}

func dissectCapture(t *testing.T, path string) []seenMsg {
	t.Helper()
	src, err := capture.Open(path, nil)
	require.NoError(t, err)
	defer src.Close()
	col := &collector{sess: map[*reassembly.Conn]*connState{}}
	tr := reassembly.New(reassembly.DefaultOptions, col)
	dec := capture.NewDecoder()
	for {
		p, err := src.Next()
		if err != nil {
			break // io.EOF, or a truncated file: keep what was read
		}
		seg, ok, err := dec.Decode(p)
		if err == nil && ok {
			tr.Add(&seg)
		}
	}
	tr.Close()
	sort.SliceStable(col.msgs, func(i, j int) bool { return col.msgs[i].frame < col.msgs[j].frame })
	return col.msgs
}

func tsharkPath(t *testing.T) string {
	t.Helper()
	p, err := exec.LookPath("tshark")
	if err != nil {
		t.Skip("tshark not installed (apt-get install tshark); the JA3/JA3S cross-check needs it")
	}
	return p
}

func captures(t *testing.T) []string {
	t.Helper()
	var all []string
	for _, g := range []string{"../../pcaps/*.pcap*", "../../pcaps/real/*.pcap"} {
		m, err := filepath.Glob(g)
		require.NoError(t, err)
		all = append(all, m...)
	}
	require.NotEmpty(t, all)
	return all
}

// tsharkRows runs tshark with -T fields and returns one row per frame:
// field values split on the aggregator '|'. A truncated capture makes
// tshark exit non-zero after printing what it read; that output is used.
func tsharkRows(t *testing.T, tshark, path, filter string, fields ...string) [][][]string {
	t.Helper()
	args := []string{"-r", path, "-o", "tcp.reassemble_out_of_order:TRUE", "-Y", filter,
		"-T", "fields", "-E", "separator=/t", "-E", "aggregator=|", "-E", "occurrence=a"}
	for _, f := range fields {
		args = append(args, "-e", f)
	}
	var stdout, stderr bytes.Buffer
	cmd := exec.Command(tshark, args...)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		var exit *exec.ExitError
		if !errors.As(err, &exit) {
			t.Fatalf("tshark %s: %v", path, err)
		}
		var msg []string
		for _, l := range strings.Split(strings.TrimSpace(stderr.String()), "\n") {
			if !strings.HasPrefix(l, "Running as user") {
				msg = append(msg, l)
			}
		}
		t.Logf("tshark %s: %v (output kept): %s", path, err, strings.Join(msg, "; "))
	}
	var rows [][][]string
	for _, line := range strings.Split(strings.TrimRight(stdout.String(), "\n"), "\n") {
		if line == "" {
			continue
		}
		cols := strings.Split(line, "\t")
		require.Len(t, cols, len(fields), line)
		row := make([][]string, len(cols))
		for i, c := range cols {
			if c != "" {
				row[i] = strings.Split(c, "|")
			}
		}
		rows = append(rows, row)
	}
	return rows
}

// TestJA3AgainstTshark: for every capture, JA3 and JA3S (string and MD5)
// of every hello padlock decodes equal tshark's tls.handshake.ja3*, frame
// by frame, and neither side has a hello the other lacks.
func TestJA3AgainstTshark(t *testing.T) {
	tshark := tsharkPath(t)
	var matched, withHellos, hellos atomic.Int32
	all := captures(t)
	t.Run("captures", func(t *testing.T) {
		for _, path := range all {
			t.Run(strings.TrimPrefix(path, "../../pcaps/"), func(t *testing.T) {
				t.Parallel()
				kinds := []string{"ja3_full", "ja3", "ja3s_full", "ja3s"}
				want := map[string][]string{}
				for _, row := range tsharkRows(t, tshark, path, "tls.handshake.type == 1 || tls.handshake.type == 2",
					"frame.number", "tls.handshake.ja3_full", "tls.handshake.ja3", "tls.handshake.ja3s_full", "tls.handshake.ja3s") {
					for i, kind := range kinds {
						key := row[0][0] + " " + kind
						want[key] = append(want[key], row[i+1]...)
					}
				}
				got := map[string][]string{}
				n := 0
				for _, m := range dissectCapture(t, path) {
					var r JA3Result
					var key string
					switch {
					case m.ch != nil:
						r, key = JA3(m.ch), " ja3"
					case m.sh != nil:
						r, key = JA3S(m.sh), " ja3s"
					default:
						continue
					}
					n++
					frame := strconv.Itoa(m.frame)
					got[frame+key+"_full"] = append(got[frame+key+"_full"], r.Full)
					got[frame+key] = append(got[frame+key], r.Hash)
				}
				// tshark prints empty columns for the other hello's fields.
				for k, v := range want {
					if len(v) == 0 {
						delete(want, k)
					}
				}
				assert.Equal(t, want, got)
				if !t.Failed() {
					matched.Add(1)
					hellos.Add(int32(n))
					if n > 0 {
						withHellos.Add(1)
					}
				}
			})
		}
	})
	t.Logf("JA3/JA3S: %d of %d captures (%d with hellos, %d hellos) match tshark",
		matched.Load(), len(all), withHellos.Load(), hellos.Load())
}

// refJA4 is a deliberately naive second implementation of JA4's raw form
// (JA4.md), for the tshark field check. Lists come without GREASE.
func refJA4(version string, ciphers, exts, sigs []uint16, alpn string, original bool) string {
	sni := "i"
	for _, e := range exts {
		if e == 0 {
			sni = "d"
		}
	}
	count := func(n int) string { return fmt.Sprintf("%02d", min(n, 99)) }
	al := "00"
	if alpn != "" {
		al = alpn[:1] + alpn[len(alpn)-1:]
	}
	a := "t" + version + sni + count(len(ciphers)) + count(len(exts)) + al
	cs, es := slices.Clone(ciphers), slices.Clone(exts)
	if !original {
		slices.Sort(cs)
		es = slices.DeleteFunc(es, func(e uint16) bool { return e == 0 || e == 16 })
		slices.Sort(es)
	}
	join := func(vs []uint16) string {
		var s []string
		for _, v := range vs {
			s = append(s, fmt.Sprintf("%04x", v))
		}
		return strings.Join(s, ",")
	}
	c := join(es)
	if len(sigs) > 0 {
		c += "_" + join(sigs)
	}
	return a + "_" + join(cs) + "_" + c
}

func parseUint16s(t *testing.T, vs []string) []uint16 {
	t.Helper()
	var out []uint16
	for _, v := range vs {
		n, err := strconv.ParseUint(v, 0, 16)
		require.NoError(t, err, v)
		if !dissect.IsGREASE(uint16(n)) {
			out = append(out, uint16(n))
		}
	}
	return out
}

// tsharkVersion is JA4's version code from tshark's fields: the highest
// supported_versions value, else the hello's version.
func tsharkVersion(t *testing.T, supported, legacy []string) string {
	t.Helper()
	vs := parseUint16s(t, supported)
	if len(vs) == 0 {
		vs = parseUint16s(t, legacy)
	}
	require.NotEmpty(t, vs)
	return versionCode(dissect.Version(slices.Max(vs)))
}

// TestJA4AgainstTsharkFields: JA4 (all four forms) and JA4S of every
// hello padlock decodes equal the naive implementation run on tshark's
// decoding of the same hello. This checks the decoded values JA4 reads as
// much as the formatting.
func TestJA4AgainstTsharkFields(t *testing.T) {
	tshark := tsharkPath(t)
	var matched, withHellos, hellos atomic.Int32
	all := captures(t)
	t.Run("captures", func(t *testing.T) {
		for _, path := range all {
			t.Run(strings.TrimPrefix(path, "../../pcaps/"), func(t *testing.T) {
				t.Parallel()
				if carriesSecrets(t, path) {
					// tshark decrypts it and mixes the EncryptedExtensions'
					// fields into the ServerHello's frame; the same
					// connection in cleartext is tls13-basic.pcap.
					t.Skip("capture carries its TLS secrets")
				}
				want := tsharkJA4(t, tshark, path)
				got := map[int][]string{}
				for _, m := range dissectCapture(t, path) {
					switch {
					case m.ch != nil:
						r := JA4(m.ch)
						got[m.frame] = []string{r.JA4, r.JA4R, r.JA4O, r.JA4RO}
					case m.sh != nil:
						h, r := JA4S(m.sh)
						got[m.frame] = []string{h, r}
					}
				}
				assert.Equal(t, want, got)
				if !t.Failed() {
					matched.Add(1)
					hellos.Add(int32(len(got)))
					if len(got) > 0 {
						withHellos.Add(1)
					}
				}
			})
		}
	})
	t.Logf("JA4/JA4S: %d of %d captures (%d with hellos, %d hellos) match tshark's decoding",
		matched.Load(), len(all), withHellos.Load(), hellos.Load())
}

// tsharkJA4 computes, per frame, JA4 (ja4, ja4_r, ja4_o, ja4_ro) of each
// ClientHello and JA4S (ja4s, ja4s_r) of each ServerHello from tshark's
// fields, with refJA4.
func tsharkJA4(t *testing.T, tshark, path string) map[int][]string {
	t.Helper()
	want := map[int][]string{}
	for _, row := range tsharkRows(t, tshark, path, "tls.handshake.type == 1 || tls.handshake.type == 2",
		"frame.number", "tls.handshake.type", "tls.handshake.ciphersuite", "tls.handshake.extension.type",
		"tls.handshake.sig_hash_alg", "tls.handshake.sig_hash_alg_len", "tls.handshake.extensions_alpn_str",
		"tls.handshake.extensions.supported_version", "tls.handshake.version") {
		frame, _ := strconv.Atoi(row[0][0])
		types, ciphers, exts := row[1], parseUint16s(t, row[2]), parseUint16s(t, row[3])
		require.Len(t, row[8], 1, "frame %d: one hello per frame", frame)
		ver := tsharkVersion(t, row[7], row[8])
		if slices.Contains(types, "1") {
			// tls.handshake.sig_hash_alg also collects
			// signature_algorithms_cert (50) and delegated_credentials
			// (34); the first sig_hash_alg_len belongs to the first of them
			// on the wire, which must be signature_algorithms.
			var sigs []uint16
			if i := slices.IndexFunc(exts, func(e uint16) bool { return e == 13 || e == 34 || e == 50 }); i >= 0 {
				require.Equal(t, uint16(13), exts[i], "frame %d: signature_algorithms is not the first list", frame)
				n, err := strconv.Atoi(row[5][0])
				require.NoError(t, err)
				sigs = parseUint16s(t, row[4][:n/2])
			}
			alpn := ""
			if len(row[6]) > 0 {
				alpn = row[6][0]
			}
			r := refJA4(ver, ciphers, exts, sigs, alpn, false)
			ro := refJA4(ver, ciphers, exts, sigs, alpn, true)
			want[frame] = []string{rehash(t, r), r, rehash(t, ro), ro}
			continue
		}
		alpn := "00"
		if len(row[6]) > 0 {
			p := row[6][0]
			alpn = p[:1] + p[len(p)-1:]
		}
		var list []string
		for _, e := range exts {
			list = append(list, fmt.Sprintf("%04x", e))
		}
		head := fmt.Sprintf("t%s%02d%s_%04x_", ver, len(exts), alpn, ciphers[0])
		want[frame] = []string{head + hash12(t, strings.Join(list, ",")), head + strings.Join(list, ",")}
	}
	return want
}

// TestJA4XCaptures: JA4X of every cleartext certificate in the captures
// equals the crypto/x509 oracle, and, with tshark, the certificates are
// the ones tshark sees.
func TestJA4XCaptures(t *testing.T) {
	tshark, _ := exec.LookPath("tshark")
	var total atomic.Int32
	t.Run("captures", func(t *testing.T) {
		for _, path := range captures(t) {
			t.Run(strings.TrimPrefix(path, "../../pcaps/"), func(t *testing.T) {
				t.Parallel()
				var ours []string
				for _, m := range dissectCapture(t, path) {
					for _, der := range m.certs {
						_, raw, err := JA4X(der)
						require.NoError(t, err)
						assert.Equal(t, ja4xOracle(t, der), raw)
						ours = append(ours, hex.EncodeToString(der))
						total.Add(1)
					}
				}
				if tshark == "" {
					return
				}
				var theirs []string
				// Cleartext only: tshark decrypts a pcapng that carries its
				// secrets, and dissect alone does not (tls.record.opaque_type
				// marks a decrypted TLS 1.3 record).
				for _, row := range tsharkRows(t, tshark, path, "tls.handshake.type == 11 && !tls.record.opaque_type", "tls.handshake.certificate") {
					theirs = append(theirs, row[0]...)
				}
				assert.Equal(t, theirs, ours)
			})
		}
	})
	require.NotZero(t, total.Load(), "no cleartext certificates in the captures")
	t.Logf("JA4X: %d certificates match crypto/x509", total.Load())
}

// TestJA3GREASEAgainstTshark writes a capture with a Chrome-style
// ClientHello (GREASE in ciphers, extensions, supported_groups,
// supported_versions and signature_algorithms) and a ServerHello with a
// GREASE extension, and checks that tshark 4.0 and padlock agree on JA3
// and JA3S: Wireshark drops GREASE from the cipher, extension and group
// lists of both hellos.
func TestJA3GREASEAgainstTshark(t *testing.T) {
	tshark := tsharkPath(t)
	ch := clientHelloBytes(0x0303, []uint16{0x0a0a, 0x1301, 0xc02f, 0x00ff}, []ext{
		{0x1a1a, nil}, sniExt("example.com"), groupsExt(0x2a2a, 29, 23), pointFormatsExt(0),
		versionsExt(0x3a3a, 0x0304, 0x0303), sigAlgsExt(0x4a4a, 0x0403, 0x0804), alpnExt("h2"),
		plainExt(0x0033), {0x5a5a, []byte{0}},
	})
	sh := serverHelloBytes(0x0303, 0xc02f, []ext{{0x6a6a, nil}, plainExt(0xff01), pointFormatsExt(0)})
	path := filepath.Join(t.TempDir(), "grease.pcap")
	writeHelloCapture(t, path, ch, sh)

	rows := tsharkRows(t, tshark, path, "tls.handshake.type == 1 || tls.handshake.type == 2",
		"tls.handshake.ja3_full", "tls.handshake.ja3", "tls.handshake.ja3s_full", "tls.handshake.ja3s")
	require.Len(t, rows, 2)
	msgs := dissectCapture(t, path)
	require.Len(t, msgs, 2)
	require.NotNil(t, msgs[0].ch)
	require.NotNil(t, msgs[1].sh)

	ja3, ja3s := JA3(msgs[0].ch), JA3S(msgs[1].sh)
	assert.Equal(t, "771,4865-49199-255,0-10-11-43-13-16-51,29-23,0", ja3.Full)
	assert.Equal(t, "771,49199,65281-11", ja3s.Full)
	assert.Equal(t, [][]string{{ja3.Full}, {ja3.Hash}, nil, nil}, rows[0])
	assert.Equal(t, [][]string{nil, nil, {ja3s.Full}, {ja3s.Hash}}, rows[1])
	assert.Equal(t, "t13d0307h2_"+hash12(t, "00ff,1301,c02f")+"_"+hash12(t, "000a,000b,000d,002b,0033_0403,0804"), JA4(msgs[0].ch).JA4)
}

// writeHelloCapture writes an Ethernet pcap of one TCP connection to port
// 443: the three-way handshake, then the ClientHello and the ServerHello,
// each in its own record and segment.
func writeHelloCapture(t *testing.T, path string, ch, sh []byte) {
	t.Helper()
	f, err := os.Create(path)
	require.NoError(t, err)
	defer f.Close()
	w := pcapgo.NewWriter(f)
	require.NoError(t, w.WriteFileHeader(65535, layers.LinkTypeEthernet))
	client, server := net.IPv4(10, 0, 0, 2).To4(), net.IPv4(10, 0, 0, 1).To4()
	cmac, smac := net.HardwareAddr{2, 0, 0, 0, 0, 2}, net.HardwareAddr{2, 0, 0, 0, 0, 1}
	record := func(typ byte, body []byte) []byte {
		msg := append([]byte{typ, byte(len(body) >> 16), byte(len(body) >> 8), byte(len(body))}, body...)
		return append([]byte{22, 3, 1, byte(len(msg) >> 8), byte(len(msg))}, msg...)
	}
	cseq, sseq := uint32(1000), uint32(5000)
	ts := time.Date(2025, 3, 14, 15, 9, 26, 0, time.UTC)
	send := func(fromClient bool, syn, ack bool, payload []byte) {
		eth := &layers.Ethernet{SrcMAC: cmac, DstMAC: smac, EthernetType: layers.EthernetTypeIPv4}
		ip := &layers.IPv4{Version: 4, TTL: 64, Protocol: layers.IPProtocolTCP, SrcIP: client, DstIP: server}
		tcp := &layers.TCP{SrcPort: 51514, DstPort: 443, Seq: cseq, Ack: sseq, SYN: syn, ACK: ack, PSH: len(payload) > 0, Window: 65535}
		if !fromClient {
			eth.SrcMAC, eth.DstMAC = smac, cmac
			ip.SrcIP, ip.DstIP = server, client
			tcp.SrcPort, tcp.DstPort, tcp.Seq, tcp.Ack = 443, 51514, sseq, cseq
		}
		require.NoError(t, tcp.SetNetworkLayerForChecksum(ip))
		buf := gopacket.NewSerializeBuffer()
		require.NoError(t, gopacket.SerializeLayers(buf, gopacket.SerializeOptions{FixLengths: true, ComputeChecksums: true},
			eth, ip, tcp, gopacket.Payload(payload)))
		data := buf.Bytes()
		require.NoError(t, w.WritePacket(gopacket.CaptureInfo{Timestamp: ts, CaptureLength: len(data), Length: len(data)}, data))
		ts = ts.Add(time.Millisecond)
		n := uint32(len(payload))
		if syn {
			n = 1
		}
		if fromClient {
			cseq += n
		} else {
			sseq += n
		}
	}
	send(true, true, false, nil)
	send(false, true, true, nil)
	send(true, false, true, nil)
	send(true, false, true, record(1, ch))
	send(false, false, true, record(2, sh))
}
