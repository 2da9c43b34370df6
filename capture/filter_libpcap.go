//go:build libpcap

package capture

import (
	"fmt"
	"os"
	"strings"

	"github.com/gopacket/gopacket/layers"
	"github.com/gopacket/gopacket/pcap"
	"golang.org/x/net/bpf"
)

// defaultCompiler of a build with -tags libpcap: libpcap itself
// (pcap_compile on a dead handle), so no tcpdump is needed.
var defaultCompiler Compiler = LibpcapCompiler

// LibpcapCompiler compiles with libpcap's pcap_compile, for the link type
// and snap length given. It compiles on a capture-file handle, as
// `tcpdump -r FILE EXPR` does (a dead handle accepts some primitives a
// file refuses, such as inbound on BSD loopback, and takes DLT values
// where files have LINKTYPE values): the file is a 24-byte pcap header.
func LibpcapCompiler(expr string, lt layers.LinkType, snaplen int) (*Program, error) {
	if snaplen <= 0 {
		snaplen = DefaultSnaplen
	}
	if strings.TrimSpace(expr) == "" {
		return AcceptAll(lt, snaplen), nil
	}
	f, err := os.CreateTemp("", "padlock-filter-*.pcap")
	if err != nil {
		return nil, fmt.Errorf("capture: compiling the filter: %v", err)
	}
	defer os.Remove(f.Name())
	_, err = f.Write(pcapHeader(lt, snaplen))
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return nil, fmt.Errorf("capture: compiling the filter: %v", err)
	}
	h, err := pcap.OpenOffline(f.Name())
	if err != nil {
		return nil, fmt.Errorf("capture: compiling the filter: %v", err)
	}
	defer h.Close()
	ins, err := h.CompileBPFFilter(expr)
	if err != nil {
		return nil, &FilterError{Expr: expr, LinkType: lt, Msg: strings.TrimPrefix(err.Error(), "can't parse filter expression: ")}
	}
	raw := make([]bpf.RawInstruction, len(ins))
	for i, in := range ins {
		raw[i] = bpf.RawInstruction{Op: in.Code, Jt: in.Jt, Jf: in.Jf, K: in.K}
	}
	if err := validate(raw); err != nil {
		return nil, fmt.Errorf("capture: libpcap produced an invalid program: %v", err)
	}
	return &Program{Expr: expr, LinkType: lt, Snaplen: snaplen, Insns: raw}, nil
}

// FilterCompilerName names what compiles filters in this build.
const FilterCompilerName = "libpcap"
