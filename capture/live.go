package capture

import (
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/gopacket/gopacket/layers"
	"golang.org/x/net/bpf"
)

// Live capture: LiveSource (live_linux.go, or live_libpcap.go with
// -tags libpcap) reads packets from a network interface the way tcpdump
// does, with tcpdump's filters, snap length and counters. What is here is
// the part every platform shares.

// AnyInterface captures on every interface, as tcpdump -i any does.
const AnyInterface = "any"

// LiveOptions say what to capture.
type LiveOptions struct {
	Interface string // a name from Interfaces, or "any"
	Snaplen   int    // bytes kept per packet; 0 means DefaultSnaplen
	NoPromisc bool   // leave the interface out of promiscuous mode (tcpdump -p)
	Filter    string // tcpdump expression; "" captures everything
	Compiler  Compiler
	// Method picks the Linux capture mechanism: "" tries the TPACKET_V3
	// ring and falls back to a plain packet socket; "ring" or "socket"
	// insist on one (for tests and troubleshooting).
	Method string
}

// LiveStats are the counters tcpdump prints when it stops.
type LiveStats struct {
	Captured int64 // packets returned by Next
	Received int64 // packets the kernel's filter accepted, dropped ones included ("received by filter")
	Dropped  int64 // packets the kernel dropped for want of buffer space ("dropped by kernel")
}

// ErrStopped is returned by Next after Stop.
var ErrStopped = errors.New("capture: stopped")

// PermissionError says the process may not open a packet socket.
type PermissionError struct {
	Interface string
	Err       error
}

func (e *PermissionError) Error() string {
	return fmt.Sprintf("capturing on %s needs root or CAP_NET_RAW (try: sudo padlock -i %s, or give the binary the capability: sudo setcap cap_net_raw+ep $(command -v padlock))",
		e.Interface, e.Interface)
}

func (e *PermissionError) Unwrap() error { return e.Err }

// NoInterfaceError is an interface name that does not exist.
type NoInterfaceError struct{ Name string }

func (e *NoInterfaceError) Error() string {
	return fmt.Sprintf("no interface named %q (padlock -D lists them)", e.Name)
}

// Interface is one entry of the list tcpdump -D prints.
type Interface struct {
	Name        string
	Description string // "" but for "any"
	Up          bool
	Running     bool
	Loopback    bool
}

// String formats the interface as tcpdump -D does, without the number:
// "eth0 [Up, Running]".
func (i Interface) String() string {
	var flags []string
	if i.Up {
		flags = append(flags, "Up")
	}
	if i.Running {
		flags = append(flags, "Running")
	}
	if i.Loopback {
		flags = append(flags, "Loopback")
	}
	s := i.Name
	if i.Description != "" {
		s += " (" + i.Description + ")"
	}
	if len(flags) > 0 {
		s += " [" + strings.Join(flags, ", ") + "]"
	}
	return s
}

// Interfaces lists the interfaces a live capture can use, in tcpdump -D's
// order: up and running ones first, loopback after the others, "any" after
// the real ones that are up.
func Interfaces() ([]Interface, error) {
	list, err := systemInterfaces()
	if err != nil {
		return nil, err
	}
	if anySupported {
		list = append(list, Interface{Name: AnyInterface, Description: "Pseudo-device that captures on all interfaces", Up: true, Running: true})
	}
	rank := func(i Interface) int {
		r := 0
		if !i.Up {
			r += 4
		}
		if !i.Running {
			r += 2
		}
		if i.Loopback {
			r++
		}
		return r
	}
	sort.SliceStable(list, func(a, b int) bool { return rank(list[a]) < rank(list[b]) })
	return list, nil
}

// ResolveInterface turns what the user gave -i into an interface name: a
// name, or (when no interface has that name) a number from the -D list,
// as tcpdump allows.
func ResolveInterface(name string) (string, error) {
	if name == AnyInterface {
		if !anySupported {
			return "", errors.New(`capture: the "any" device needs Linux`)
		}
		return name, nil
	}
	list, err := Interfaces()
	if err != nil {
		return "", err
	}
	for _, i := range list {
		if i.Name == name {
			return name, nil
		}
	}
	if n, err := strconv.Atoi(name); err == nil && n > 0 {
		if n <= len(list) {
			return list[n-1].Name, nil
		}
		return "", fmt.Errorf("interface number %d is out of range: padlock -D lists %d", n, len(list))
	}
	return "", &NoInterfaceError{Name: name}
}

// Linux socket filter "ancillary" loads (linux/filter.h): offsets past
// SKF_AD_OFF read packet metadata instead of packet bytes.
const (
	skfAdOff      = 0xfffff000 // SKF_AD_OFF, -0x1000 as unsigned
	skfAdProtocol = 0          // SKF_AD_PROTOCOL: skb->protocol (the EtherType)
	skfAdPktType  = 4          // SKF_AD_PKTTYPE: PACKET_HOST, PACKET_OUTGOING, ...
	skfAdIfIndex  = 8          // SKF_AD_IFINDEX: the interface index

	packetOutgoing = 4 // PACKET_OUTGOING (linux/if_packet.h)

	sllHeaderLen  = 16 // struct sll_header (LINKTYPE_LINUX_SLL)
	sll2HeaderLen = 20 // struct sll2_header (LINKTYPE_LINUX_SLL2)
)

// kernelProgram adapts a program compiled for a capture file of link type
// LINUX_SLL or LINUX_SLL2 to a cooked (SOCK_DGRAM) packet socket, whose
// packets start at the network header: the kernel never sees the cooked
// header. It is libpcap's fix_program/fix_offset (pcap-linux.c): loads
// past the header move back by its length, loads of the protocol,
// interface index and packet type fields become ancillary loads, and any
// other load from the header makes the program unusable in the kernel
// (ok=false; the caller filters in userspace). Programs for other link
// types are returned unchanged.
func kernelProgram(p *Program) (insns []bpf.RawInstruction, ok bool) {
	insns = append([]bpf.RawInstruction(nil), p.Insns...)
	var hdr uint32
	switch p.LinkType {
	case layers.LinkTypeLinuxSLL:
		hdr = sllHeaderLen
	case layers.LinkTypeLinuxSLL2:
		hdr = sll2HeaderLen
	default:
		return insns, true
	}
	for i := range insns {
		ins := &insns[i]
		if c := ins.Op & bpfClass; c != bpfLD && c != bpfLDX {
			continue
		}
		switch ins.Op & bpfMode {
		case bpfABS, bpfIND, bpfMSH:
		default:
			continue
		}
		switch k := ins.K; {
		case k >= skfAdOff:
			// Already ancillary.
		case k >= hdr:
			ins.K -= hdr
		case hdr == sll2HeaderLen && k == 0:
			ins.K = skfAdOff + skfAdProtocol
		case hdr == sll2HeaderLen && k == 4:
			ins.K = skfAdOff + skfAdIfIndex
		case hdr == sll2HeaderLen && k == 10:
			ins.K = skfAdOff + skfAdPktType
		case hdr == sllHeaderLen && k == 0:
			ins.K = skfAdOff + skfAdPktType
		case hdr == sllHeaderLen && k == 14:
			ins.K = skfAdOff + skfAdProtocol
		default:
			return nil, false
		}
	}
	return insns, true
}

// dropLoopbackOutgoing prefixes a kernel program with a test that rejects
// packets leaving through the loopback interface: each of them comes back
// in as an incoming packet, and libpcap (linux_check_direction) keeps only
// that copy, so a capture on "lo" or "any" sees every packet once.
func dropLoopbackOutgoing(insns []bpf.RawInstruction, loIndex int) []bpf.RawInstruction {
	prefix := []bpf.RawInstruction{
		{Op: bpfLD | bpfW | bpfABS, K: skfAdOff + skfAdPktType},
		{Op: bpfJMP | bpfJEQ | bpfK, Jt: 0, Jf: 3, K: packetOutgoing},
		{Op: bpfLD | bpfW | bpfABS, K: skfAdOff + skfAdIfIndex},
		{Op: bpfJMP | bpfJEQ | bpfK, Jt: 0, Jf: 1, K: uint32(loIndex)},
		{Op: bpfRET | bpfK, K: 0},
	}
	return append(prefix, insns...)
}
