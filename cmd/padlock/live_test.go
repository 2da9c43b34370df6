package main

import (
	"bufio"
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"math/big"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/padlock-tls/padlock/capture"
)

// Flags and filters, in process: no privileges needed.

func basicCapture(t *testing.T) string {
	t.Helper()
	path := filepath.Join("..", "..", "pcaps", "tls13-basic.pcap")
	if _, err := os.Stat(path); err != nil {
		t.Skip("pcaps/tls13-basic.pcap not generated")
	}
	return path
}

func haveTcpdump(t *testing.T) {
	t.Helper()
	if capture.FilterCompilerName != "tcpdump" {
		return
	}
	if _, err := capture.TcpdumpPath(); err != nil {
		t.Skip("tcpdump is not installed: filters cannot be compiled (CI installs it)")
	}
}

func TestLiveFlagErrors(t *testing.T) {
	path := basicCapture(t)
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"file and interface", []string{"-r", path, "-i", "lo"}, "not both"},
		{"filter twice", []string{"-r", path, "-f", "tcp", "port", "443"}, "give it once"},
		{"negative snap length", []string{"-i", "lo", "-s", "-1"}, "snap length"},
		{"snap length too big", []string{"-i", "lo", "-s", "262145"}, "snap length"},
		{"zero flow timeout", []string{"-r", path, "--flow-timeout", "0s"}, "--flow-timeout"},
		{"bad flow timeout", []string{"-r", path, "--flow-timeout", "soon"}, "flow-timeout"},
		{"negative count", []string{"-r", path, "-c", "-3"}, "-c"},
		{"save to stdout", []string{"-r", path, "-w", "-"}, "-w -"},
		{"no such interface", []string{"-i", "padlock-nope0"}, "no interface named \"padlock-nope0\""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, errOut, code := runPadlock(tc.args...)
			assert.Equal(t, exitUsage, code)
			assert.Empty(t, out)
			assert.Equal(t, 1, strings.Count(errOut, "\n"), "one clear line: %q", errOut)
			assert.Contains(t, errOut, tc.want)
		})
	}
}

func TestListInterfaces(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("interface listing is tested on Linux")
	}
	out, _, code := runPadlock("-D")
	require.Equal(t, exitOK, code)
	assert.Regexp(t, `(?m)^\d+\.lo \[Up, Running, Loopback\]$`, out)
	assert.Regexp(t, `(?m)^\d+\.any \(Pseudo-device that captures on all interfaces\) \[Up, Running\]$`, out)
}

func TestFileFilter(t *testing.T) {
	path := basicCapture(t)
	all, _, code := runPadlock("-r", path, "--format", "json")
	require.Equal(t, exitOK, code)

	t.Run("no tcpdump", func(t *testing.T) {
		if capture.FilterCompilerName != "tcpdump" {
			t.Skip("this build compiles filters with " + capture.FilterCompilerName)
		}
		t.Setenv("PADLOCK_TCPDUMP", "")
		out, errOut, code := runPadlock("-r", path, "tcp")
		assert.Equal(t, exitUsage, code)
		assert.Empty(t, out)
		assert.Equal(t, 1, strings.Count(errOut, "\n"), "one clear line: %q", errOut)
		assert.Contains(t, errOut, "needs tcpdump")
	})

	haveTcpdump(t)
	t.Run("bad expression", func(t *testing.T) {
		out, errOut, code := runPadlock("-r", path, "-f", "tcp port")
		assert.Equal(t, exitUsage, code)
		assert.Empty(t, out, "a filter that does not compile never means everything")
		assert.Equal(t, 1, strings.Count(errOut, "\n"), "one clear line: %q", errOut)
		assert.Contains(t, errOut, "syntax error")
	})
	t.Run("trailing arguments", func(t *testing.T) {
		out, errOut, code := runPadlock("-r", path, "--format", "json", "tcp", "port", "443")
		require.Equal(t, exitOK, code, errOut)
		assert.Equal(t, all, out)
		out, _, code = runPadlock("-r", path, "--format=json", "-f", "tcp port 443")
		require.Equal(t, exitOK, code)
		assert.Equal(t, all, out)
	})
	t.Run("excluded", func(t *testing.T) {
		out, errOut, code := runPadlock("-r", path, "--format", "json", "port 9999")
		require.Equal(t, exitOK, code, errOut)
		assert.Empty(t, out)
	})
	t.Run("frames keep their numbers", func(t *testing.T) {
		// Without the SYN and SYN/ACK the connection is seen midstream,
		// but every frame is still the file's, as in Wireshark.
		out, errOut, code := runPadlock("-r", path, "--format", "json", "tcp[tcpflags] & tcp-syn == 0")
		require.Equal(t, exitOK, code, errOut)
		var full, cut liveReport
		require.NoError(t, json.Unmarshal([]byte(all), &full))
		require.NoError(t, json.Unmarshal([]byte(out), &cut))
		assert.Equal(t, 3, cut.FirstFrame)
		assert.Equal(t, "midstream", cut.TCP.Start)
		assert.ElementsMatch(t, full.Handshake, cut.Handshake)
	})
	t.Run("count counts matches", func(t *testing.T) {
		dir := t.TempDir()
		saved := filepath.Join(dir, "first4.pcapng")
		_, errOut, code := runPadlock("-r", path, "-c", "2", "-w", saved, "tcp[tcpflags] & tcp-syn == 0")
		require.Equal(t, exitOK, code, errOut)
		frames := readFrames(t, saved)
		require.Len(t, frames, 2)
	})
	t.Run("save", func(t *testing.T) {
		saved := filepath.Join(t.TempDir(), "tcp.pcapng")
		out, errOut, code := runPadlock("-r", path, "--format", "json", "-w", saved, "tcp")
		require.Equal(t, exitOK, code, errOut)
		assert.Equal(t, all, out)
		again, errOut, code := runPadlock("-r", saved, "--format", "json")
		require.Equal(t, exitOK, code, errOut)
		assert.Equal(t, all, again, "the saved file reads back to the same report")
	})
}

// liveReport is the part of a connection report these tests look at.
type liveReport struct {
	ID         int `json:"id"`
	FirstFrame int `json:"first_frame"`
	LastFrame  int `json:"last_frame"`
	Client     struct {
		IP   string `json:"ip"`
		Port int    `json:"port"`
	} `json:"client"`
	Server struct {
		IP   string `json:"ip"`
		Port int    `json:"port"`
	} `json:"server"`
	TCP struct {
		Start string `json:"start_seen"`
		End   string `json:"end_seen"`
	} `json:"tcp"`
	TLS struct {
		Version         string `json:"version"`
		VersionCode     int    `json:"version_code"`
		CipherSuite     string `json:"cipher_suite"`
		CipherSuiteCode int    `json:"cipher_suite_code"`
		SNI             string `json:"sni"`
		Established     bool   `json:"established"`
	} `json:"tls"`
	Handshake []struct {
		Type   string `json:"type"`
		Frames []int  `json:"frames"`
	} `json:"handshake"`
	Complete *bool `json:"complete"`
}

func readFrames(t *testing.T, path string) []capture.Packet {
	t.Helper()
	src, err := capture.Open(path, nil)
	require.NoError(t, err)
	defer src.Close()
	var ps []capture.Packet
	for {
		p, err := src.Next()
		if err == io.EOF {
			return ps
		}
		require.NoError(t, err)
		ps = append(ps, p)
	}
}

// Helper processes. The live tests run padlock, a TLS server and TLS
// clients as separate processes inside network namespaces (ip netns exec),
// each one this test binary re-run as TestHelperProcess.

const (
	helperEnv     = "PADLOCK_TEST_HELPER"
	helperArgsEnv = "PADLOCK_TEST_HELPER_ARGS"
)

func TestHelperProcess(t *testing.T) {
	mode := os.Getenv(helperEnv)
	if mode == "" {
		t.Skip("runs only as a helper process of the live tests")
	}
	var args []string
	if err := json.Unmarshal([]byte(os.Getenv(helperArgsEnv)), &args); err != nil {
		fmt.Fprintln(os.Stderr, "helper: bad arguments:", err)
		os.Exit(3)
	}
	var code int
	switch mode {
	case "padlock":
		code = run(args, os.Stdin, os.Stdout, os.Stderr)
	case "padlock-as-nobody":
		if err := capture.DropPrivileges("65534"); err != nil {
			fmt.Fprintln(os.Stderr, "helper:", err)
			os.Exit(3)
		}
		code = run(args, os.Stdin, os.Stdout, os.Stderr)
	case "tls-server":
		code = helperTLSServer(args[0])
	case "tcp-sink":
		code = helperTCPSink(args[0])
	case "tls-client":
		code = helperTLSClient(args[0], args[1])
	case "hello-and-wait":
		code = helperHelloAndWait(args[0], args[1])
	default:
		fmt.Fprintln(os.Stderr, "helper: unknown mode", mode)
		code = 3
	}
	os.Exit(code)
}

// helperTLSServer serves TLS on addr: each client sends a line and gets
// "bye" back, then the server closes.
func helperTLSServer(addr string) int {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "padlock.test"},
		DNSNames: []string{"padlock.test"}, NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	ln, err := tls.Listen("tcp", addr, &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}}})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	fmt.Println("ready")
	for {
		c, err := ln.Accept()
		if err != nil {
			return 1
		}
		go func() {
			// Answer, then wait for the client's close_notify and FIN
			// before closing: both sides end with a FIN. (Closing first
			// makes the client's close_notify meet a closed socket, and
			// the kernel answers it with a RST.)
			defer c.Close()
			c.SetDeadline(time.Now().Add(30 * time.Second))
			r := bufio.NewReader(c)
			if _, err := r.ReadString('\n'); err == nil {
				io.WriteString(c, "bye\n")
				io.Copy(io.Discard, r)
			}
		}()
	}
}

// helperTCPSink accepts TCP connections and never answers.
func helperTCPSink(addr string) int {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	fmt.Println("ready")
	for {
		c, err := ln.Accept()
		if err != nil {
			return 1
		}
		go io.Copy(io.Discard, c)
	}
}

// clientResult is what a TLS client helper prints: what it negotiated,
// to compare with what padlock saw.
type clientResult struct {
	LocalPort int    `json:"local_port"`
	Version   uint16 `json:"version"`
	Cipher    uint16 `json:"cipher"`
}

// helperTLSClient says hello over TLS, reads the answer, and closes
// cleanly: close_notify and FIN, then it waits for the server's.
func helperTLSClient(addr, sni string) int {
	raw, err := net.DialTimeout("tcp", addr, 10*time.Second)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer raw.Close()
	raw.SetDeadline(time.Now().Add(10 * time.Second))
	cfg := &tls.Config{ServerName: sni, InsecureSkipVerify: true}
	if path := os.Getenv(helperKeyLogEnv); path != "" {
		// As a browser does with SSLKEYLOGFILE: secrets are appended as
		// the handshake derives them, while padlock is capturing.
		f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		defer f.Close()
		cfg.KeyLogWriter = f
	}
	c := tls.Client(raw, cfg)
	r := bufio.NewReader(c)
	if _, err := io.WriteString(c, "hello\n"); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	if _, err := r.ReadString('\n'); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	st := c.ConnectionState()
	c.CloseWrite()                  // close_notify
	raw.(*net.TCPConn).CloseWrite() // FIN
	io.Copy(io.Discard, r)          // until the server's close_notify
	json.NewEncoder(os.Stdout).Encode(clientResult{LocalPort: raw.LocalAddr().(*net.TCPAddr).Port, Version: st.Version, Cipher: st.CipherSuite})
	return 0
}

// announceWrite prints "sent" once the first bytes (the ClientHello) are
// written.
type announceWrite struct {
	net.Conn
	once sync.Once
}

func (a *announceWrite) Write(b []byte) (int, error) {
	n, err := a.Conn.Write(b)
	a.once.Do(func() { fmt.Printf("sent %d\n", a.Conn.LocalAddr().(*net.TCPAddr).Port) })
	return n, err
}

// helperHelloAndWait sends a ClientHello to a server that never answers,
// and waits.
func helperHelloAndWait(addr, sni string) int {
	c, err := net.DialTimeout("tcp", addr, 10*time.Second)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	c.SetDeadline(time.Now().Add(60 * time.Second))
	tls.Client(&announceWrite{Conn: c}, &tls.Config{ServerName: sni, InsecureSkipVerify: true}).Handshake()
	return 0
}

// helper is a running helper process.
type helper struct {
	t      *testing.T
	cmd    *exec.Cmd
	lines  chan string // stdout, line by line; closed at EOF
	mu     sync.Mutex
	stderr bytes.Buffer
	done   chan struct{}
	err    error
}

func (h *helper) Stderr() string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.stderr.String()
}

type lockedWriter struct{ h *helper }

func (w lockedWriter) Write(b []byte) (int, error) {
	w.h.mu.Lock()
	defer w.h.mu.Unlock()
	return w.h.stderr.Write(b)
}

// startHelper runs this binary as a helper in network namespace ns.
func startHelper(t *testing.T, ns string, env []string, mode string, args ...string) *helper {
	t.Helper()
	exe, err := os.Executable()
	require.NoError(t, err)
	a, _ := json.Marshal(args)
	cmd := exec.Command("ip", "netns", "exec", ns, exe, "-test.run=^TestHelperProcess$")
	cmd.Env = append(append(os.Environ(), helperEnv+"="+mode, helperArgsEnv+"="+string(a)), env...)
	h := &helper{t: t, cmd: cmd, lines: make(chan string, 100), done: make(chan struct{})}
	cmd.Stderr = lockedWriter{h}
	stdout, err := cmd.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	go func() {
		sc := bufio.NewScanner(stdout)
		sc.Buffer(make([]byte, 1<<20), 16<<20)
		for sc.Scan() {
			h.lines <- sc.Text()
		}
		close(h.lines)
		h.err = cmd.Wait()
		close(h.done)
	}()
	t.Cleanup(func() {
		select {
		case <-h.done:
		default:
			cmd.Process.Kill()
			<-h.done
		}
	})
	return h
}

// line waits for the next stdout line.
func (h *helper) line(timeout time.Duration, what string) string {
	h.t.Helper()
	select {
	case l, ok := <-h.lines:
		require.True(h.t, ok, "%s: the process ended first; stderr: %s", what, h.Stderr())
		return l
	case <-time.After(timeout):
		require.FailNow(h.t, "timed out waiting for "+what, "stderr: %s", h.Stderr())
	}
	return ""
}

// noLine requires that no stdout line comes within d.
func (h *helper) noLine(d time.Duration, what string) {
	h.t.Helper()
	select {
	case l, ok := <-h.lines:
		if ok {
			require.FailNow(h.t, what, "got %q", l)
		}
	case <-time.After(d):
	}
}

// waitStderr waits until stderr contains s.
func (h *helper) waitStderr(s string, timeout time.Duration) {
	h.t.Helper()
	deadline := time.Now().Add(timeout)
	for !strings.Contains(h.Stderr(), s) {
		select {
		case <-h.done:
			require.FailNow(h.t, "the process ended before printing "+s, "stderr: %s", h.Stderr())
		case <-time.After(20 * time.Millisecond):
		}
		require.True(h.t, time.Now().Before(deadline), "timed out waiting for %q on stderr: %s", s, h.Stderr())
	}
}

// wait waits for the process to exit and returns its exit code.
func (h *helper) wait(timeout time.Duration) int {
	h.t.Helper()
	select {
	case <-h.done:
	case <-time.After(timeout):
		h.cmd.Process.Kill()
		require.FailNow(h.t, "the process did not exit in time", "stderr: %s", h.Stderr())
	}
	if ee, ok := h.err.(*exec.ExitError); ok {
		return ee.ExitCode()
	}
	require.NoError(h.t, h.err)
	return 0
}

// netns is a pair of network namespaces joined by a veth pair:
// 10.201.0.1/30 on pl0 in srv, 10.201.0.2/30 on pl1 in cli.
type netns struct{ srv, cli string }

const (
	srvAddr = "10.201.0.1"
	srvIf   = "pl0"
)

func setupNetns(t *testing.T) netns {
	t.Helper()
	if runtime.GOOS != "linux" {
		t.Skip("network namespaces are Linux's")
	}
	if os.Geteuid() != 0 {
		t.Skip("live capture test skipped: creating network namespaces needs root")
	}
	if _, err := exec.LookPath("ip"); err != nil {
		t.Skip("live capture test skipped: the ip command (iproute2) is not installed")
	}
	b := make([]byte, 4)
	rand.Read(b)
	n := netns{srv: "padlock-s-" + hex.EncodeToString(b), cli: "padlock-c-" + hex.EncodeToString(b)}
	if out, err := exec.Command("ip", "netns", "add", n.srv).CombinedOutput(); err != nil {
		t.Skipf("live capture test skipped: cannot create a network namespace: %v: %s", err, out)
	}
	t.Cleanup(func() { exec.Command("ip", "netns", "del", n.srv).Run() })
	ip := func(args ...string) {
		t.Helper()
		out, err := exec.Command("ip", args...).CombinedOutput()
		require.NoError(t, err, "ip %s: %s", strings.Join(args, " "), out)
	}
	ip("netns", "add", n.cli)
	t.Cleanup(func() { exec.Command("ip", "netns", "del", n.cli).Run() })
	ip("-n", n.srv, "link", "add", srvIf, "type", "veth", "peer", "name", "pl1", "netns", n.cli)
	ip("-n", n.srv, "addr", "add", srvAddr+"/30", "dev", srvIf)
	ip("-n", n.cli, "addr", "add", "10.201.0.2/30", "dev", "pl1")
	for _, l := range [][2]string{{n.srv, srvIf}, {n.srv, "lo"}, {n.cli, "pl1"}, {n.cli, "lo"}} {
		ip("-n", l[0], "link", "set", l[1], "up")
	}
	return n
}

// startPadlock runs padlock in the server's namespace and waits until it
// listens.
func startPadlock(t *testing.T, n netns, env []string, args ...string) *helper {
	t.Helper()
	p := startHelper(t, n.srv, env, "padlock", args...)
	p.waitStderr("padlock: listening on ", 15*time.Second)
	return p
}

// helperKeyLogEnv names the key log the TLS client helper appends to.
const helperKeyLogEnv = "PADLOCK_TEST_KEYLOG"

func runClient(t *testing.T, n netns, port int, sni string, env ...string) clientResult {
	t.Helper()
	c := startHelper(t, n.cli, env, "tls-client", fmt.Sprintf("%s:%d", srvAddr, port), sni)
	var res clientResult
	require.NoError(t, json.Unmarshal([]byte(c.line(15*time.Second, "the TLS client")), &res))
	require.Equal(t, 0, c.wait(10*time.Second))
	return res
}

func parseReport(t *testing.T, line string) liveReport {
	t.Helper()
	var r liveReport
	require.NoError(t, json.Unmarshal([]byte(line), &r), line)
	return r
}

func interrupt(t *testing.T, p *helper) int {
	t.Helper()
	require.NoError(t, p.cmd.Process.Signal(os.Interrupt))
	return p.wait(15 * time.Second)
}

// TestLive captures real TLS connections between two network namespaces
// and checks what padlock streams while they happen.
func TestLive(t *testing.T) {
	n := setupNetns(t)
	haveTcpdump(t)
	srv := startHelper(t, n.srv, nil, "tls-server", srvAddr+":8443")
	require.Equal(t, "ready", srv.line(15*time.Second, "the TLS server"))
	sink := startHelper(t, n.srv, nil, "tcp-sink", srvAddr+":8444")
	require.Equal(t, "ready", sink.line(15*time.Second, "the TCP sink"))

	// stream runs one connection past padlock, which reports it as soon
	// as it ends, and checks the report against what the client
	// negotiated and against the saved packets.
	stream := func(t *testing.T, env []string, iface, sni string, extra ...string) {
		dir, err := os.MkdirTemp("", "padlock-live-")
		require.NoError(t, err)
		t.Cleanup(func() { os.RemoveAll(dir) })
		require.NoError(t, os.Chmod(dir, 0o777)) // -Z: the file is created as nobody
		saved := filepath.Join(dir, "live.pcapng")
		args := append([]string{"-i", iface, "--format", "json", "-w", saved}, extra...)
		p := startPadlock(t, n, env, append(args, "tcp", "port", "8443")...)
		res := runClient(t, n, 8443, sni)

		line := p.line(15*time.Second, "the report, while padlock still runs")
		select {
		case <-p.done:
			t.Fatal("padlock exited before it was stopped")
		default:
		}
		r := parseReport(t, line)
		assert.Equal(t, sni, r.TLS.SNI)
		assert.Equal(t, int(res.Version), r.TLS.VersionCode)
		assert.Equal(t, int(res.Cipher), r.TLS.CipherSuiteCode)
		assert.Equal(t, tls.CipherSuiteName(res.Cipher), r.TLS.CipherSuite)
		assert.True(t, r.TLS.Established)
		assert.Equal(t, res.LocalPort, r.Client.Port)
		assert.Equal(t, srvAddr, r.Server.IP)
		assert.Equal(t, 8443, r.Server.Port)
		assert.Equal(t, "syn", r.TCP.Start)
		assert.Equal(t, "fin", r.TCP.End)
		assert.Equal(t, 1, r.FirstFrame, "the SYN is the first packet captured")
		require.NotEmpty(t, r.Handshake)
		assert.Equal(t, "client_hello", r.Handshake[0].Type)
		assert.Equal(t, []int{4}, r.Handshake[0].Frames, "SYN, SYN/ACK, ACK, ClientHello")
		if r.Complete != nil {
			assert.True(t, *r.Complete)
		}

		require.Equal(t, exitOK, interrupt(t, p), "stderr: %s", p.Stderr())
		frames := readFrames(t, saved)
		errOut := p.Stderr()
		assert.Contains(t, errOut, fmt.Sprintf("\n%d packets captured\n", len(frames)))
		assert.Regexp(t, `\n\d+ packets received by filter\n0 packets dropped by kernel\n$`, errOut)
		assert.GreaterOrEqual(t, len(frames), r.LastFrame)

		// The saved file reads back to the same report, frame for frame.
		again, errFile, code := runPadlock("-r", saved, "--format", "json")
		require.Equal(t, exitOK, code, errFile)
		assert.Equal(t, line+"\n", again)
	}

	t.Run("stream", func(t *testing.T) {
		p := stream
		p(t, nil, srvIf, "stream.padlock.test", "-Z", "65534")
	})
	t.Run("any", func(t *testing.T) {
		stream(t, nil, "any", "any.padlock.test")
	})
	// Live, --workers shares the connections out as for a file (the
	// default is one per core); each report is still written as its
	// connection ends, the same line the saved file gives.
	t.Run("one worker", func(t *testing.T) {
		stream(t, nil, srvIf, "one.padlock.test", "--workers", "1")
	})
	t.Run("three workers", func(t *testing.T) {
		stream(t, nil, srvIf, "three.padlock.test", "--workers", "3")
	})
	t.Run("packet socket", func(t *testing.T) {
		stream(t, []string{liveCaptureMethodEnv + "=socket"}, srvIf, "socket.padlock.test", "-p")
	})

	// A key log that grows during the capture, as a browser's
	// SSLKEYLOGFILE does: padlock re-reads it on a miss and decrypts the
	// connection it is watching.
	t.Run("growing key log", func(t *testing.T) {
		keylog := filepath.Join(t.TempDir(), "live.keylog")
		require.NoError(t, os.WriteFile(keylog, nil, 0o666))
		p := startPadlock(t, n, nil, "-i", srvIf, "--format", "json", "--keylog", keylog, "tcp", "port", "8443")
		runClient(t, n, 8443, "keylog.padlock.test", helperKeyLogEnv+"="+keylog)
		line := p.line(15*time.Second, "the report")
		require.Equal(t, exitOK, interrupt(t, p), "stderr: %s", p.Stderr())
		var r struct {
			Handshake []struct {
				Type      string `json:"type"`
				Decrypted bool   `json:"decrypted"`
			} `json:"handshake"`
			Decryption struct {
				Status string `json:"status"`
				Reason string `json:"reason"`
			} `json:"decryption"`
			Certificates []struct {
				Subject string `json:"subject"`
			} `json:"certificates"`
		}
		require.NoError(t, json.Unmarshal([]byte(line), &r), line)
		assert.Equal(t, "decrypted", r.Decryption.Status, r.Decryption.Reason)
		var types []string
		for _, h := range r.Handshake {
			if h.Decrypted {
				types = append(types, h.Type)
			}
		}
		assert.Contains(t, types, "certificate")
		assert.Contains(t, types, "finished")
		assert.NotEmpty(t, r.Certificates, "the TLS 1.3 certificate, decrypted")
	})

	t.Run("privileges dropped", func(t *testing.T) {
		p := startPadlock(t, n, nil, "-i", srvIf, "-Z", "65534", "port", "9999")
		status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", p.cmd.Process.Pid))
		require.NoError(t, err)
		assert.Regexp(t, `(?m)^Uid:\s+65534\s+65534\s+65534\s+65534$`, string(status))
		assert.Regexp(t, `(?m)^Groups:\s*65534\s*$`, string(status))
		assert.Equal(t, exitOK, interrupt(t, p))
	})

	t.Run("filter excludes", func(t *testing.T) {
		p := startPadlock(t, n, nil, "-i", srvIf, "--format", "json", "-f", "port 9999")
		runClient(t, n, 8443, "excluded.padlock.test")
		p.noLine(1500*time.Millisecond, "a report of traffic the filter excludes")
		require.Equal(t, exitOK, interrupt(t, p), "stderr: %s", p.Stderr())
		_, ok := <-p.lines
		assert.False(t, ok, "no report at all")
		assert.Contains(t, p.Stderr(), "\n0 packets captured\n")
	})

	t.Run("interrupt flushes open connections", func(t *testing.T) {
		p := startPadlock(t, n, nil, "-i", srvIf, "--format", "json", "tcp port 8444")
		c := startHelper(t, n.cli, nil, "hello-and-wait", srvAddr+":8444", "open.padlock.test")
		var port int
		_, err := fmt.Sscanf(c.line(15*time.Second, "the ClientHello"), "sent %d", &port)
		require.NoError(t, err)
		p.noLine(time.Second, "a report of a connection still open")
		require.Equal(t, exitOK, interrupt(t, p), "stderr: %s", p.Stderr())
		r := parseReport(t, p.line(time.Second, "the open connection's report"))
		assert.Equal(t, "open.padlock.test", r.TLS.SNI)
		assert.Equal(t, port, r.Client.Port)
		assert.Equal(t, "capture_end", r.TCP.End)
		assert.False(t, r.TLS.Established)
		require.NotEmpty(t, r.Handshake)
		assert.Equal(t, "client_hello", r.Handshake[0].Type)
		if r.Complete != nil {
			assert.False(t, *r.Complete)
		}
		assert.Regexp(t, `\n\d+ packets captured\n\d+ packets received by filter\n\d+ packets dropped by kernel\n$`, p.Stderr())
	})

	// A cap far below what padlock needs: every look at the heap (each
	// second, and every 4096 packets) ends the oldest quarter of the open
	// connections, which are reported at once. With --workers given, the
	// cap no longer picks one worker: the workers end their oldest
	// connections and count them.
	for _, tc := range []struct{ name, sni, workers string }{
		{"max memory ends the oldest connections", "capped.padlock.test", ""},
		{"max memory with workers", "capped2.padlock.test", "2"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			args := []string{"-i", srvIf, "--format", "json", "--max-memory", "1"}
			if tc.workers != "" {
				args = append(args, "--workers", tc.workers)
			}
			p := startPadlock(t, n, nil, append(args, "tcp port 8444")...)
			c := startHelper(t, n.cli, nil, "hello-and-wait", srvAddr+":8444", tc.sni)
			c.line(15*time.Second, "the ClientHello")
			r := parseReport(t, p.line(5*time.Second, "the report of the connection ended early"))
			assert.Equal(t, tc.sni, r.TLS.SNI)
			assert.Equal(t, "idle", r.TCP.End)
			require.Equal(t, exitOK, interrupt(t, p), "stderr: %s", p.Stderr())
			assert.Contains(t, p.Stderr(), "padlock: warning: --max-memory: 1 connections were ended early to stay under 1 MiB")
		})
	}

	// --stats live: the counters of what was captured, for one tracker
	// and for workers; application data is walked, not copied.
	for _, w := range []string{"1", "2"} {
		t.Run("stats with "+w+" workers", func(t *testing.T) {
			p := startPadlock(t, n, nil, "-i", srvIf, "--format", "json", "--stats", "--workers", w, "tcp", "port", "8443")
			runClient(t, n, 8443, "stats.padlock.test")
			r := parseReport(t, p.line(15*time.Second, "the report"))
			assert.Equal(t, "stats.padlock.test", r.TLS.SNI)
			require.Equal(t, exitOK, interrupt(t, p), "stderr: %s", p.Stderr())
			st := p.Stderr()
			assert.Contains(t, st, "padlock: stats:\n")
			assert.Regexp(t, `\n  tcp connections  1\n  tls connections  1\n`, st)
			assert.Regexp(t, `\n  records          \d+ \([1-9]\d* application data walked without copying\)\n`, st)
			assert.Regexp(t, `\n\d+ packets captured\n`, st, "tcpdump's counters too")
		})
	}

	t.Run("idle connections end by the flow timeout", func(t *testing.T) {
		p := startPadlock(t, n, nil, "-i", srvIf, "--format", "json", "--flow-timeout", "1s", "tcp portrange 8443-8444")
		c := startHelper(t, n.cli, nil, "hello-and-wait", srvAddr+":8444", "idle.padlock.test")
		c.line(15*time.Second, "the ClientHello")
		time.Sleep(2500 * time.Millisecond)
		// Later traffic moves capture time on past the timeout.
		runClient(t, n, 8443, "later.padlock.test")
		var snis []string
		for len(snis) < 2 {
			r := parseReport(t, p.line(15*time.Second, "two reports"))
			snis = append(snis, r.TLS.SNI)
			if r.TLS.SNI == "idle.padlock.test" {
				assert.Equal(t, "idle", r.TCP.End)
			}
		}
		assert.ElementsMatch(t, []string{"idle.padlock.test", "later.padlock.test"}, snis)
		require.Equal(t, exitOK, interrupt(t, p), "stderr: %s", p.Stderr())
	})
}

// TestLiveNeedsPrivileges runs padlock as an unprivileged user: one clear
// line saying what is needed.
func TestLiveNeedsPrivileges(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("Linux capture")
	}
	if os.Geteuid() != 0 {
		out, errOut, code := runPadlock("-i", "lo")
		if code == exitUsage && strings.Contains(errOut, "CAP_NET_RAW") {
			assert.Empty(t, out)
			assert.Equal(t, 1, strings.Count(errOut, "\n"), "one clear line: %q", errOut)
			return
		}
		t.Skip("this user may capture; the test runs as root, switching to nobody")
	}
	// The helper starts as root and becomes nobody before running padlock.
	exe, err := os.Executable()
	require.NoError(t, err)
	cmd := exec.Command(exe, "-test.run=^TestHelperProcess$")
	cmd.Env = append(os.Environ(), helperEnv+"=padlock-as-nobody", helperArgsEnv+`=["-i","lo"]`)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err = cmd.Run()
	var ee *exec.ExitError
	require.ErrorAs(t, err, &ee, "stderr: %s", stderr.String())
	assert.Equal(t, exitUsage, ee.ExitCode())
	assert.Empty(t, stdout.String())
	assert.Equal(t, "padlock: capturing on lo needs root or CAP_NET_RAW (try: sudo padlock -i lo, or give the binary the capability: sudo setcap cap_net_raw+ep $(command -v padlock))\n", stderr.String())
}

// TestLiveSecondSignal stops a capture with a signal and sends another at
// once: the second one exits without waiting.
func TestLiveSecondSignal(t *testing.T) {
	if runtime.GOOS != "linux" || os.Geteuid() != 0 {
		t.Skip("live capture on lo needs Linux and root")
	}
	sigs := make(chan chan<- os.Signal, 1)
	exits := make(chan int, 1)
	oldNotify, oldExit := notifySignals, exitNow
	t.Cleanup(func() { notifySignals, exitNow = oldNotify, oldExit })
	notifySignals = func(c chan<- os.Signal) func() { sigs <- c; return func() {} }
	exitNow = func(code int) { exits <- code }

	var out bytes.Buffer
	var errOut lockedBuffer // the signal goroutine writes to it too
	done := make(chan int, 1)
	go func() {
		// No filter: nothing to compile, so no tcpdump needed.
		done <- run([]string{"-i", "lo", "--format", "json"}, nil, &out, &errOut)
	}()
	var c chan<- os.Signal
	select {
	case c = <-sigs:
	case <-time.After(15 * time.Second):
		t.Fatal("the capture did not start")
	}
	c <- os.Interrupt
	c <- os.Interrupt
	select {
	case code := <-exits:
		assert.Equal(t, exitInterrupted, code)
	case <-time.After(5 * time.Second):
		t.Fatal("the second signal did not exit")
	}
	select {
	case code := <-done:
		assert.Equal(t, exitOK, code)
	case <-time.After(15 * time.Second):
		t.Fatal("run did not return after the first signal")
	}
	assert.Contains(t, errOut.String(), "interrupted again")
}

// lockedBuffer is a bytes.Buffer that goroutines may write at once, as
// they may to a process's stderr.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}
