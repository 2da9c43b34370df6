package capture

import (
	"bufio"
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"time"

	"github.com/gopacket/gopacket/layers"
	"golang.org/x/net/bpf"
)

// Capture filters are tcpdump expressions ("tcp port 443 and host
// 10.0.0.1"). Their meaning is libpcap's, which has no other
// specification than its code: so the default build does not reimplement
// the grammar but asks the system's tcpdump to compile the expression
// (`tcpdump -ddd`), which prints the classic BPF program libpcap generated.
// That needs no cgo and no privileges: tcpdump compiles for the link type
// and snap length of a capture file, and is handed a 24-byte pcap file
// header on stdin that names the ones we want.

// DefaultSnaplen is tcpdump's default and largest snap length
// (libpcap's MAXIMUM_SNAPLEN).
const DefaultSnaplen = 262144

// ErrNoTcpdump is returned by Compile when no tcpdump program is found.
var ErrNoTcpdump = errors.New("compiling a capture filter needs tcpdump, which was not found: install it (apt-get install tcpdump, dnf install tcpdump) or build padlock with -tags libpcap")

// FilterError is an expression that does not compile: a syntax error, or a
// primitive that makes no sense for the link type ("ether host" on raw IP).
type FilterError struct {
	Expr     string
	LinkType layers.LinkType
	Msg      string // libpcap's message
}

func (e *FilterError) Error() string {
	return fmt.Sprintf("filter %q does not compile for link type %s: %s", e.Expr, LinkTypeName(e.LinkType), e.Msg)
}

// Program is a filter compiled for one link type: classic BPF that returns
// 0 to drop a packet and otherwise the number of bytes to keep (the snap
// length).
type Program struct {
	Expr     string
	LinkType layers.LinkType
	Snaplen  int
	Insns    []bpf.RawInstruction
}

// Run executes the program on a packet of wire length wirelen whose
// first len(data) bytes were captured, with libpcap's semantics (see
// runBPF), and returns how many bytes to keep; 0 means drop.
func (p *Program) Run(data []byte, wirelen int) int {
	return runBPF(p.Insns, data, wirelen)
}

// Match reports whether the program accepts a packet.
func (p *Program) Match(data []byte, wirelen int) bool {
	return p.Run(data, wirelen) != 0
}

// String prints the program in tcpdump -d's style, for debugging.
func (p *Program) String() string {
	var b strings.Builder
	for i, ri := range p.Insns {
		fmt.Fprintf(&b, "(%03d) %v\n", i, ri.Disassemble())
	}
	return b.String()
}

// Compiler compiles an expression for a link type and snap length. The
// default build's is TcpdumpCompiler; a build with -tags libpcap has
// libpcap's own.
type Compiler func(expr string, lt layers.LinkType, snaplen int) (*Program, error)

// Compile compiles expr with the default compiler of this build.
func Compile(expr string, lt layers.LinkType, snaplen int) (*Program, error) {
	return defaultCompiler(expr, lt, snaplen)
}

// AcceptAll returns the program of the empty expression: every packet,
// cut to snaplen.
func AcceptAll(lt layers.LinkType, snaplen int) *Program {
	if snaplen <= 0 {
		snaplen = DefaultSnaplen
	}
	ret := bpf.RetConstant{Val: uint32(snaplen)}
	ri, _ := ret.Assemble()
	return &Program{LinkType: lt, Snaplen: snaplen, Insns: []bpf.RawInstruction{ri}}
}

// compileTimeout bounds one tcpdump run; it takes milliseconds.
const compileTimeout = 20 * time.Second

// TcpdumpPath finds the tcpdump program: $PADLOCK_TCPDUMP if set (an empty
// value means "there is none", for tests), else tcpdump on $PATH or in the
// sbin directories, which are not on an unprivileged user's $PATH on
// Debian.
func TcpdumpPath() (string, error) {
	if p, ok := os.LookupEnv("PADLOCK_TCPDUMP"); ok {
		if p == "" {
			return "", ErrNoTcpdump
		}
		return p, nil
	}
	if p, err := exec.LookPath("tcpdump"); err == nil {
		return p, nil
	}
	for _, p := range []string{"/usr/sbin/tcpdump", "/sbin/tcpdump", "/usr/local/sbin/tcpdump", "/usr/bin/tcpdump"} {
		if st, err := os.Stat(p); err == nil && st.Mode().IsRegular() && st.Mode()&0o111 != 0 {
			return p, nil
		}
	}
	return "", ErrNoTcpdump
}

// TcpdumpCompiler compiles with `tcpdump -ddd`, fed a pcap file header for
// the link type and snap length, so the program is exactly the one
// `tcpdump -r FILE EXPR` would run on such a file.
func TcpdumpCompiler(expr string, lt layers.LinkType, snaplen int) (*Program, error) {
	if snaplen <= 0 {
		snaplen = DefaultSnaplen
	}
	if strings.TrimSpace(expr) == "" {
		return AcceptAll(lt, snaplen), nil
	}
	path, err := TcpdumpPath()
	if err != nil {
		return nil, err
	}
	hdr := pcapHeader(lt, snaplen)

	ctx, cancel := context.WithTimeout(context.Background(), compileTimeout)
	defer cancel()
	// "--" keeps an expression that starts with "-" from being read as a
	// flag; -n avoids name lookups.
	cmd := exec.CommandContext(ctx, path, "-n", "-ddd", "-r", "-", "--", expr)
	cmd.Stdin = bytes.NewReader(hdr)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		if ctx.Err() != nil {
			return nil, fmt.Errorf("capture: %s took longer than %v to compile the filter", path, compileTimeout)
		}
		var ee *exec.ExitError
		if !errors.As(err, &ee) {
			return nil, fmt.Errorf("capture: running %s: %v", path, err)
		}
		return nil, &FilterError{Expr: expr, LinkType: lt, Msg: tcpdumpMessage(stderr.String(), err)}
	}
	insns, err := ParseDDD(stdout.String())
	if err != nil {
		return nil, fmt.Errorf("capture: reading %s -ddd output: %v", path, err)
	}
	if err := validate(insns); err != nil {
		return nil, fmt.Errorf("capture: %s produced an invalid program: %v", path, err)
	}
	return &Program{Expr: expr, LinkType: lt, Snaplen: snaplen, Insns: insns}, nil
}

// pcapHeader is the file header of an empty little-endian pcap file.
func pcapHeader(lt layers.LinkType, snaplen int) []byte {
	hdr := make([]byte, pcapFileHeaderLen)
	binary.LittleEndian.PutUint32(hdr[0:], magicPcapMicroBE) // written little-endian: reads as d4 c3 b2 a1
	binary.LittleEndian.PutUint16(hdr[4:], 2)
	binary.LittleEndian.PutUint16(hdr[6:], 4)
	binary.LittleEndian.PutUint32(hdr[16:], uint32(snaplen))
	binary.LittleEndian.PutUint32(hdr[20:], uint32(lt))
	return hdr
}

// tcpdumpMessage picks libpcap's complaint out of tcpdump's stderr, which
// also says what it is "reading from".
func tcpdumpMessage(stderr string, err error) string {
	var msg string
	for _, line := range strings.Split(stderr, "\n") {
		line = strings.TrimSpace(line)
		if rest, ok := strings.CutPrefix(line, "tcpdump: "); ok {
			msg = rest
		}
	}
	if msg == "" {
		return fmt.Sprintf("tcpdump failed (%v) and said: %q", err, strings.TrimSpace(stderr))
	}
	msg = strings.TrimPrefix(msg, "can't parse filter expression: ")
	return msg
}

// ParseDDD reads `tcpdump -ddd` output: the instruction count on the first
// line, then one "code jt jf k" line (decimal) per instruction.
func ParseDDD(out string) ([]bpf.RawInstruction, error) {
	sc := bufio.NewScanner(strings.NewReader(out))
	var n = -1
	var insns []bpf.RawInstruction
	line := 0
	for sc.Scan() {
		line++
		f := strings.Fields(sc.Text())
		if len(f) == 0 {
			continue
		}
		if n < 0 {
			if len(f) != 1 {
				return nil, fmt.Errorf("line %d: want the instruction count, got %q", line, sc.Text())
			}
			v, err := strconv.Atoi(f[0])
			if err != nil || v < 1 || v > maxInsns {
				return nil, fmt.Errorf("line %d: bad instruction count %q", line, f[0])
			}
			n = v
			insns = make([]bpf.RawInstruction, 0, n)
			continue
		}
		if len(f) != 4 {
			return nil, fmt.Errorf("line %d: want \"code jt jf k\", got %q", line, sc.Text())
		}
		var v [4]uint64
		bits := [4]int{16, 8, 8, 32}
		for i := range f {
			x, err := strconv.ParseUint(f[i], 10, bits[i])
			if err != nil {
				return nil, fmt.Errorf("line %d: field %d: %v", line, i+1, err)
			}
			v[i] = x
		}
		if len(insns) == n {
			return nil, fmt.Errorf("line %d: more than the %d instructions announced", line, n)
		}
		insns = append(insns, bpf.RawInstruction{Op: uint16(v[0]), Jt: uint8(v[1]), Jf: uint8(v[2]), K: uint32(v[3])})
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if n < 0 {
		return nil, errors.New("empty output")
	}
	if len(insns) != n {
		return nil, fmt.Errorf("%d instructions announced, %d given", n, len(insns))
	}
	return insns, nil
}

// Filter applies one expression to packets of any link type, compiling it
// once per link type seen, as a capture file may mix link types (pcapng
// interfaces). It is not safe for concurrent use.
type Filter struct {
	Expr    string
	compile Compiler
	progs   map[layers.LinkType]*Program
	errs    map[layers.LinkType]error
}

// NewFilter returns a filter for expr, compiled with c (nil: Compile).
func NewFilter(expr string, c Compiler) *Filter {
	if c == nil {
		c = Compile
	}
	return &Filter{Expr: expr, compile: c, progs: map[layers.LinkType]*Program{}, errs: map[layers.LinkType]error{}}
}

// Program returns the program for link type lt, compiling it the first
// time.
func (f *Filter) Program(lt layers.LinkType) (*Program, error) {
	if p, ok := f.progs[lt]; ok {
		return p, nil
	}
	if err, ok := f.errs[lt]; ok {
		return nil, err
	}
	p, err := f.compile(f.Expr, lt, DefaultSnaplen)
	if err != nil {
		f.errs[lt] = err
		return nil, err
	}
	f.progs[lt] = p
	return p, nil
}

// Match reports whether the filter accepts p, as `tcpdump -r FILE EXPR`
// would. The error is the compiler's, for an expression that does not
// compile for p's link type: never read as "accept".
func (f *Filter) Match(p Packet) (bool, error) {
	prog, err := f.Program(p.LinkType)
	if err != nil {
		return false, err
	}
	wirelen := p.Length
	if wirelen < len(p.Data) {
		wirelen = len(p.Data)
	}
	return prog.Match(p.Data, wirelen), nil
}

// LinkTypeName names a link type as tcpdump does: the DLT name, then
// gopacket's description.
func LinkTypeName(lt layers.LinkType) string {
	if n, ok := dltNames[lt]; ok {
		return n
	}
	return fmt.Sprintf("%d (%s)", int(lt), lt)
}

var dltNames = map[layers.LinkType]string{
	layers.LinkTypeNull:      "NULL (BSD loopback)",
	layers.LinkTypeEthernet:  "EN10MB (Ethernet)",
	layers.LinkTypeRaw:       "RAW (Raw IP)",
	layers.LinkTypeLoop:      "LOOP (OpenBSD loopback)",
	layers.LinkTypeLinuxSLL:  "LINUX_SLL (Linux cooked v1)",
	layers.LinkTypeLinuxSLL2: "LINUX_SLL2 (Linux cooked v2)",
	layers.LinkTypeIPv4:      "IPV4 (Raw IPv4)",
	layers.LinkTypeIPv6:      "IPV6 (Raw IPv6)",
}
