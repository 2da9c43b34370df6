package capture

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gopacket/gopacket/layers"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/net/bpf"
)

func TestParseDDD(t *testing.T) {
	// `tcpdump -ddd -r ethernet.pcap tcp` (tcpdump 4.99.3, libpcap 1.10.3).
	const tcp = "8\n40 0 0 12\n21 0 2 34525\n48 0 0 20\n21 2 3 6\n21 0 2 2048\n48 0 0 23\n21 0 1 6\n6 0 0 262144\n6 0 0 0\n"
	insns, err := ParseDDD(tcp)
	require.Error(t, err, "9 instructions given, 8 announced")
	insns, err = ParseDDD(strings.Replace(tcp, "8\n", "9\n", 1))
	require.NoError(t, err)
	require.Len(t, insns, 9)
	assert.Equal(t, bpf.RawInstruction{Op: 0x28, K: 12}, insns[0])
	assert.Equal(t, bpf.RawInstruction{Op: 0x15, Jt: 0, Jf: 2, K: 34525}, insns[1])
	assert.Equal(t, bpf.RawInstruction{Op: 0x06, K: 262144}, insns[7])
	require.NoError(t, validate(insns))

	for _, tc := range []struct{ name, out string }{
		{"empty", ""},
		{"no count", "40 0 0 12\n"},
		{"zero count", "0\n"},
		{"count too big", "5000\n"},
		{"short line", "1\n6 0 0\n"},
		{"long line", "1\n6 0 0 0 0\n"},
		{"not a number", "1\n6 0 0 x\n"},
		{"jt too big", "1\n6 256 0 0\n"},
		{"k too big", "1\n6 0 0 4294967296\n"},
		{"fewer than announced", "2\n6 0 0 0\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseDDD(tc.out)
			assert.Error(t, err)
		})
	}
}

func TestValidate(t *testing.T) {
	ret := bpf.RawInstruction{Op: bpfRET | bpfK, K: 1}
	for _, tc := range []struct {
		name string
		p    []bpf.RawInstruction
	}{
		{"empty", nil},
		{"no final return", []bpf.RawInstruction{{Op: bpfLD | bpfIMM, K: 1}}},
		{"jump past the end", []bpf.RawInstruction{{Op: bpfJMP | bpfJEQ | bpfK, Jt: 1}, ret}},
		{"ja past the end", []bpf.RawInstruction{{Op: bpfJMP | bpfJA, K: 1}, ret}},
		{"scratch index", []bpf.RawInstruction{{Op: bpfST, K: 16}, ret}},
		{"division by constant zero", []bpf.RawInstruction{{Op: bpfALU | bpfDIV | bpfK, K: 0}, ret}},
		{"shift by 32", []bpf.RawInstruction{{Op: bpfALU | bpfLSH | bpfK, K: 32}, ret}},
		{"msh into A", []bpf.RawInstruction{{Op: bpfLD | bpfB | bpfMSH, K: 14}, ret}},
		{"absolute load into X", []bpf.RawInstruction{{Op: bpfLDX | bpfW | bpfABS, K: 14}, ret}},
		{"unknown ALU op", []bpf.RawInstruction{{Op: bpfALU | 0xb0}, ret}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			assert.Error(t, validate(tc.p))
		})
	}
}

func assemble(t *testing.T, insns ...bpf.Instruction) []bpf.RawInstruction {
	t.Helper()
	raw, err := bpf.Assemble(insns)
	require.NoError(t, err)
	require.NoError(t, validate(raw))
	return raw
}

// TestRunBPFSemantics pins the places where libpcap's bpf_filter, which
// runBPF follows, differs from golang.org/x/net/bpf's VM or is easy to
// get wrong.
func TestRunBPFSemantics(t *testing.T) {
	pkt := []byte{0x45, 0x00, 0x00, 0x54, 0x12, 0x34}

	// len is the length on the wire, not what the capture kept.
	lenProg := assemble(t, bpf.LoadExtension{Num: bpf.ExtLen}, bpf.RetA{})
	assert.Equal(t, 1500, runBPF(lenProg, pkt, 1500))

	// neg, 32 bits wide: what libpcap emits for ip[0] = -ip[1].
	negProg := assemble(t,
		bpf.LoadAbsolute{Off: 1, Size: 1}, bpf.NegateA{}, bpf.StoreScratch{Src: bpf.RegA, N: 0},
		bpf.LoadAbsolute{Off: 0, Size: 1}, bpf.LoadScratch{Dst: bpf.RegX, N: 0},
		bpf.JumpIfX{Cond: bpf.JumpEqual, SkipTrue: 0, SkipFalse: 1}, bpf.RetConstant{Val: 96}, bpf.RetConstant{Val: 0})
	assert.Equal(t, 0, runBPF(negProg, pkt, len(pkt)))
	assert.Equal(t, 96, runBPF(negProg, []byte{0, 0}, 2))
	assert.Equal(t, 0xffffffff, runBPF(assemble(t, bpf.LoadConstant{Dst: bpf.RegA, Val: 1}, bpf.NegateA{}, bpf.RetA{}), pkt, len(pkt)))

	// A load past the captured bytes rejects the packet, whatever follows.
	oob := assemble(t, bpf.LoadAbsolute{Off: 4, Size: 4}, bpf.RetConstant{Val: 7})
	assert.Equal(t, 0, runBPF(oob, pkt, 100))
	assert.Equal(t, 7, runBPF(oob, append(pkt, 0, 0), 100))
	ind := assemble(t, bpf.LoadConstant{Dst: bpf.RegX, Val: 0xffffffff}, bpf.LoadIndirect{Off: 2, Size: 1}, bpf.RetConstant{Val: 7})
	assert.Equal(t, 0, runBPF(ind, pkt, len(pkt)), "X+k overflowing 32 bits is out of bounds, not a wrap to 1")

	// Division by a zero X rejects; shifts by 32 or more give 0.
	div := assemble(t, bpf.LoadConstant{Dst: bpf.RegA, Val: 10}, bpf.ALUOpX{Op: bpf.ALUOpDiv}, bpf.RetA{})
	assert.Equal(t, 0, runBPF(div, pkt, len(pkt)))
	shift := assemble(t, bpf.LoadConstant{Dst: bpf.RegA, Val: 1}, bpf.LoadConstant{Dst: bpf.RegX, Val: 40},
		bpf.ALUOpX{Op: bpf.ALUOpShiftLeft}, bpf.ALUOpConstant{Op: bpf.ALUOpAdd, Val: 5}, bpf.RetA{})
	assert.Equal(t, 5, runBPF(shift, pkt, len(pkt)))

	// ldxb 4*([0]&0xf): the IPv4 header length.
	msh := assemble(t, bpf.LoadMemShift{Off: 0}, bpf.TXA{}, bpf.RetA{})
	assert.Equal(t, 20, runBPF(msh, pkt, len(pkt)))
}

// tcpdumpOrSkip returns the tcpdump program or skips: these tests compare
// with the real thing.
func tcpdumpOrSkip(t *testing.T) string {
	t.Helper()
	p, err := TcpdumpPath()
	if err != nil {
		t.Skip("tcpdump is not installed: filter compilation cannot be tested (CI installs it)")
	}
	return p
}

func TestCompileErrors(t *testing.T) {
	tcpdumpOrSkip(t)
	_, err := Compile("tcp port", layers.LinkTypeEthernet, 0)
	var fe *FilterError
	require.ErrorAs(t, err, &fe)
	assert.Equal(t, "tcp port", fe.Expr)
	assert.Contains(t, fe.Msg, "syntax error")
	assert.NotContains(t, err.Error(), "\n")

	_, err = Compile("ether host 02:00:00:00:00:01", layers.LinkTypeRaw, 0)
	require.ErrorAs(t, err, &fe, "no Ethernet addresses on raw IP")
	assert.Equal(t, layers.LinkTypeRaw, fe.LinkType)

	// An expression that starts like a flag is still an expression.
	_, err = Compile("-x", layers.LinkTypeEthernet, 0)
	require.ErrorAs(t, err, &fe)

	p, err := Compile("tcp", layers.LinkTypeEthernet, 96)
	require.NoError(t, err)
	assert.Equal(t, bpf.RawInstruction{Op: bpfRET | bpfK, K: 96}, p.Insns[len(p.Insns)-2], "the snap length is the accept value")
	assert.Contains(t, p.String(), "ret #96")
}

func TestCompileWithoutTcpdump(t *testing.T) {
	t.Setenv("PADLOCK_TCPDUMP", "")
	_, err := TcpdumpCompiler("tcp port 443", layers.LinkTypeEthernet, 0)
	assert.ErrorIs(t, err, ErrNoTcpdump)
	assert.NotContains(t, ErrNoTcpdump.Error(), "\n")

	// The empty expression needs no compiler.
	p, err := TcpdumpCompiler("  ", layers.LinkTypeEthernet, 0)
	require.NoError(t, err)
	assert.True(t, p.Match([]byte{1}, 1))

	t.Setenv("PADLOCK_TCPDUMP", filepath.Join(t.TempDir(), "no-such-tcpdump"))
	_, err = TcpdumpCompiler("tcp", layers.LinkTypeEthernet, 0)
	require.Error(t, err)
	var fe *FilterError
	assert.False(t, errors.As(err, &fe), "a missing program is not a bad expression: %v", err)
}

func TestFilterCompilesOncePerLinkType(t *testing.T) {
	calls := map[layers.LinkType]int{}
	f := NewFilter("whatever", func(expr string, lt layers.LinkType, snaplen int) (*Program, error) {
		calls[lt]++
		if lt == layers.LinkTypeRaw {
			return nil, &FilterError{Expr: expr, LinkType: lt, Msg: "not here"}
		}
		return AcceptAll(lt, snaplen), nil
	})
	for i := 0; i < 3; i++ {
		ok, err := f.Match(Packet{LinkType: layers.LinkTypeEthernet, Data: []byte{1}})
		require.NoError(t, err)
		assert.True(t, ok)
		ok, err = f.Match(Packet{LinkType: layers.LinkTypeRaw, Data: []byte{1}})
		require.Error(t, err, "an expression that does not compile never accepts")
		assert.False(t, ok)
	}
	assert.Equal(t, map[layers.LinkType]int{layers.LinkTypeEthernet: 1, layers.LinkTypeRaw: 1}, calls)
}

// filterPackets are crafted packets of every link type the decoder
// knows: TCP to port 443 over IPv4 and IPv6, UDP, and a TCP packet cut by
// a snap length.
func filterPackets(t *testing.T) map[layers.LinkType][]rec {
	seq := uint32(1000)
	tcp4 := func() []byte { seq++; return ip4TCP(t, seq, []byte("hello over tls, more or less")) }
	tcp6 := func() []byte { seq++; return ip6TCP(t, seq, []byte("hello over tls, more or less")) }
	udp := ip4UDP(t)
	big := ip4TCP(t, 5000, bytes.Repeat([]byte{0x17}, 400))
	set := func(wrap func([]byte) []byte) []rec {
		var rs []rec
		for i, b := range [][]byte{wrap(tcp4()), wrap(tcp6()), wrap(udp), wrap(tcp4())} {
			rs = append(rs, rec{data: b, ts: t0.Add(time.Second * time.Duration(i))})
		}
		whole := wrap(big)
		rs = append(rs, rec{data: whole[:len(whole)-300], ts: t0.Add(10 * time.Second), orig: len(whole)})
		return rs
	}
	return map[layers.LinkType][]rec{
		layers.LinkTypeEthernet:  append(set(func(b []byte) []byte { return ether(t, b) }), set(func(b []byte) []byte { return ether(t, b, 7) })...),
		layers.LinkTypeLinuxSLL:  set(sll),
		layers.LinkTypeLinuxSLL2: set(sll2),
		layers.LinkTypeRaw:       set(func(b []byte) []byte { return b }),
		layers.LinkTypeNull:      set(func(b []byte) []byte { return null(2, binary.LittleEndian, b) }),
	}
}

var filterExprs = []string{
	"tcp port 443",
	"tcp and dst port 443 and src host 10.0.0.2",
	"ip6",
	"udp",
	"not tcp",
	"len > 200",
	"greater 100",
	"vlan 7",
	"tcp[tcpflags] & tcp-push != 0",
	"ip[0] = -ip[1] or tcp",
	"ether src 02:00:00:00:00:02",
	"inbound",
}

// TestFilterMatchesTcpdump runs each expression over the crafted packets
// of each link type, both with Filter.Match and with tcpdump -r IN -w OUT
// EXPR, and requires the same packets to pass. Where tcpdump refuses an
// expression for a link type, Compile must refuse it too.
func TestFilterMatchesTcpdump(t *testing.T) {
	tcpdump := tcpdumpOrSkip(t)
	dir := t.TempDir()
	for lt, recs := range filterPackets(t) {
		in := filepath.Join(dir, fmt.Sprintf("in-%d.pcap", lt))
		require.NoError(t, os.WriteFile(in, writePcap(t, lt, true, recs...), 0o644))
		for i, expr := range filterExprs {
			t.Run(fmt.Sprintf("%s/%s", LinkTypeName(lt), expr), func(t *testing.T) {
				out := filepath.Join(dir, fmt.Sprintf("out-%d-%d.pcap", lt, i))
				cmd := exec.Command(tcpdump, "-r", in, "-w", out, "--", expr)
				cmdOut, cmdErr := cmd.CombinedOutput()

				f := NewFilter(expr, nil)
				var got [][]byte
				var matchErr error
				for _, r := range recs {
					ok, err := f.Match(Packet{Data: r.data, Length: r.ci().Length, LinkType: lt})
					if err != nil {
						matchErr = err
						break
					}
					if ok {
						got = append(got, r.data)
					}
				}
				if cmdErr != nil {
					var fe *FilterError
					require.ErrorAs(t, matchErr, &fe, "tcpdump refused it (%s)", cmdOut)
					return
				}
				require.NoError(t, matchErr)
				src, err := Open(out, nil)
				require.NoError(t, err)
				defer src.Close()
				var want [][]byte
				for {
					p, err := src.Next()
					if err == io.EOF {
						break
					}
					require.NoError(t, err)
					want = append(want, p.Data)
				}
				assert.Equal(t, want, got)
			})
		}
	}
}

// TestRunBPFAgreesWithXNetBPF runs libpcap's programs for the crafted
// packets and for random bytes on both machines. They must agree wherever
// x/net/bpf's VM can run the program: no neg, and no len (which it takes
// as the captured length).
func TestRunBPFAgreesWithXNetBPF(t *testing.T) {
	tcpdumpOrSkip(t)
	rng := rand.New(rand.NewSource(1))
	compared := 0
	for lt, recs := range filterPackets(t) {
		for _, expr := range filterExprs {
			p, err := Compile(expr, lt, 0)
			if err != nil {
				continue
			}
			var insns []bpf.Instruction
			usable := true
			for _, ri := range p.Insns {
				ins := ri.Disassemble()
				switch ins.(type) {
				case bpf.NegateA, bpf.LoadExtension:
					usable = false
				}
				insns = append(insns, ins)
			}
			if !usable {
				continue
			}
			vm, err := bpf.NewVM(insns)
			require.NoError(t, err, expr)
			inputs := [][]byte{}
			for _, r := range recs {
				inputs = append(inputs, r.data)
				for k := 0; k < 20; k++ {
					b := append([]byte(nil), r.data...)
					b[rng.Intn(len(b))] = byte(rng.Intn(256))
					inputs = append(inputs, b[:rng.Intn(len(b)+1)])
				}
			}
			for _, in := range inputs {
				want, err := vm.Run(in)
				require.NoError(t, err)
				assert.Equal(t, want, runBPF(p.Insns, in, len(in)), "%s on %s: % x", expr, LinkTypeName(lt), in)
				compared++
			}
		}
	}
	assert.Greater(t, compared, 1000)
}
