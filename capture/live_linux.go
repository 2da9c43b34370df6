//go:build linux && !libpcap

package capture

import (
	"encoding/binary"
	"errors"
	"fmt"
	"net"
	"sync"
	"sync/atomic"
	"time"
	"unsafe"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/afpacket"
	"github.com/gopacket/gopacket/layers"
	"github.com/gopacket/gopacket/pcapgo"
	"golang.org/x/net/bpf"
	"golang.org/x/sys/unix"
)

// Linux live capture without cgo: an AF_PACKET socket with a TPACKET_V3
// ring (gopacket/afpacket), or, where the ring cannot be set up, a plain
// packet socket (gopacket/pcapgo.EthernetHandle). The filter runs in the
// kernel; packets queued before it was attached are filtered here.
//
// As libpcap does, interfaces with an Ethernet header (Ethernet, loopback)
// are captured raw as EN10MB, and everything else, including "any", in
// cooked mode: a SOCK_DGRAM socket hands over the network-layer packet and
// the packet's metadata, from which we build the LINUX_SLL2 header tcpdump
// writes (tcpdump -i any has used SLL2 since 4.99).

const anySupported = true

// Ring geometry. A TPACKET_V3 block holds whole packets, so it must hold
// the largest one a snap length of 262144 lets through; 16 blocks of 1 MiB
// give 16 MiB of buffer (tcpdump's default is 2 MiB, which drops under
// load). Blocks are handed over when full or after ringBlockTimeout, which
// bounds how late a report can be.
const (
	ringBlockSize    = 1 << 20
	ringBlocks       = 16
	ringFrameSize    = 1 << 16
	ringBlockTimeout = 50 * time.Millisecond
	// pollTimeout is how often a blocked Next looks at Stop.
	pollTimeout = 200 * time.Millisecond
)

// LiveSource reads packets from a network interface. Next is meant for one
// goroutine; Stop and Stats may be called from another.
type LiveSource struct {
	iface    string
	linkType layers.LinkType
	snaplen  int
	cooked   bool
	method   string
	loIndex  int // index of the loopback interface, 0 if none

	tp  *afpacket.TPacket
	eth *pcapgo.EthernetHandle

	// user is the filter as compiled (for cooked mode, for the SLL2 header
	// we build), run on packets the kernel queued before attached.
	user     *Program
	attached time.Time

	frame   int
	stopped atomic.Bool

	mu       sync.Mutex // guards the counters below
	captured int64
	received int64 // socket method: counters accumulated across reads
	dropped  int64
	final    *LiveStats // taken by Stop before the socket method's close
	closed   bool
}

// OpenLive opens a live capture. The errors a user can act on are a
// *PermissionError, a *NoInterfaceError, a *FilterError and ErrNoTcpdump.
func OpenLive(o LiveOptions) (*LiveSource, error) {
	name, err := ResolveInterface(o.Interface)
	if err != nil {
		return nil, err
	}
	s := &LiveSource{iface: name, snaplen: o.Snaplen}
	if s.snaplen <= 0 || s.snaplen > DefaultSnaplen {
		s.snaplen = DefaultSnaplen
	}
	s.loIndex = loopbackIndex()
	if name == AnyInterface {
		s.cooked = true
	} else {
		hatype, err := hardwareType(name)
		if err != nil {
			return nil, err
		}
		s.cooked = hatype != unix.ARPHRD_ETHER && hatype != unix.ARPHRD_LOOPBACK
	}
	s.linkType = layers.LinkTypeEthernet
	if s.cooked {
		s.linkType = layers.LinkTypeLinuxSLL2
	}

	// Compile first: a bad filter is reported without needing privileges.
	compile := o.Compiler
	if compile == nil {
		compile = Compile
	}
	s.user, err = compile(o.Filter, s.linkType, s.snaplen)
	if err != nil {
		return nil, err
	}
	kern, inKernel := kernelProgram(s.user)
	if !inKernel {
		return nil, &FilterError{Expr: o.Filter, LinkType: s.linkType,
			Msg: "it reads a field of the cooked header that the kernel cannot filter on (only protocol, interface and packet type)"}
	}
	if name == AnyInterface || (s.loIndex != 0 && s.ifIndex() == s.loIndex) {
		kern = dropLoopbackOutgoing(kern, s.loIndex)
	}

	if err := probePermission(name); err != nil {
		return nil, err
	}
	switch o.Method {
	case "", "ring":
		err = s.openRing(name)
		if err != nil && o.Method == "" && !s.cooked {
			ringErr := err
			if err = s.openSocket(name); err != nil {
				err = fmt.Errorf("%v; and without the ring: %v", ringErr, err)
			}
		}
	case "socket":
		if s.cooked {
			return nil, fmt.Errorf("capture: %s: the packet socket method handles Ethernet interfaces only", name)
		}
		err = s.openSocket(name)
	default:
		return nil, fmt.Errorf("capture: unknown capture method %q (ring or socket)", o.Method)
	}
	if err != nil {
		return nil, fmt.Errorf("capture: %s: %v", name, err)
	}
	if !o.NoPromisc && name != AnyInterface {
		if err := s.setPromiscuous(); err != nil {
			s.Close()
			return nil, fmt.Errorf("capture: %s: promiscuous mode: %v", name, err)
		}
	}
	if err := s.setBPF(kern); err != nil {
		s.Close()
		return nil, fmt.Errorf("capture: %s: attaching the filter: %v", name, err)
	}
	// Packets stamped before now were queued before the filter was on.
	s.attached = time.Now()
	return s, nil
}

// probePermission opens and closes a packet socket, so that missing
// privileges give one clear error whatever the method.
func probePermission(name string) error {
	fd, err := unix.Socket(unix.AF_PACKET, unix.SOCK_RAW|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		if errors.Is(err, unix.EPERM) || errors.Is(err, unix.EACCES) {
			return &PermissionError{Interface: name, Err: err}
		}
		return fmt.Errorf("capture: %s: opening a packet socket: %v", name, err)
	}
	unix.Close(fd)
	return nil
}

func (s *LiveSource) openRing(name string) error {
	opts := []any{
		afpacket.OptTPacketVersion(afpacket.TPacketVersion3),
		afpacket.OptFrameSize(ringFrameSize),
		afpacket.OptBlockSize(ringBlockSize),
		afpacket.OptNumBlocks(ringBlocks),
		afpacket.OptBlockTimeout(ringBlockTimeout),
		afpacket.OptPollTimeout(pollTimeout),
	}
	if name != AnyInterface {
		opts = append(opts, afpacket.OptInterface(name))
	}
	if s.cooked {
		opts = append(opts, afpacket.OptSocketType(afpacket.SocketDgram))
	}
	tp, err := afpacket.NewTPacket(opts...)
	if err != nil {
		return fmt.Errorf("TPACKET_V3 ring: %v", err)
	}
	s.tp, s.method = tp, "TPACKET_V3 ring"
	return nil
}

func (s *LiveSource) openSocket(name string) error {
	h, err := pcapgo.NewEthernetHandle(name)
	if err != nil {
		return fmt.Errorf("packet socket: %v", err)
	}
	if err := h.SetCaptureLength(s.snaplen); err != nil {
		h.Close()
		return fmt.Errorf("packet socket: %v", err)
	}
	s.eth, s.method = h, "packet socket"
	return nil
}

func (s *LiveSource) setPromiscuous() error {
	if s.tp != nil {
		return s.tp.SetPromiscuous(true)
	}
	return s.eth.SetPromiscuous(true)
}

func (s *LiveSource) setBPF(insns []bpf.RawInstruction) error {
	if s.tp != nil {
		return s.tp.SetBPF(insns)
	}
	return s.eth.SetBPF(insns)
}

func (s *LiveSource) ifIndex() int {
	ni, err := net.InterfaceByName(s.iface)
	if err != nil {
		return 0
	}
	return ni.Index
}

// hardwareType is the interface's ARPHRD_* type (SIOCGIFHWADDR), which
// says what link-layer header its packets carry. It asks the kernel rather
// than /sys, which shows the network namespace /sys was mounted in.
func hardwareType(name string) (uint16, error) {
	fd, err := unix.Socket(unix.AF_INET, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return 0, fmt.Errorf("capture: %s: %v", name, err)
	}
	defer unix.Close(fd)
	ifr, err := unix.NewIfreq(name)
	if err != nil {
		return 0, fmt.Errorf("capture: %s: %v", name, err)
	}
	if err := unix.IoctlIfreq(fd, unix.SIOCGIFHWADDR, ifr); err != nil {
		if errors.Is(err, unix.ENODEV) {
			return 0, &NoInterfaceError{Name: name}
		}
		return 0, fmt.Errorf("capture: %s: reading the hardware type: %v", name, err)
	}
	// The union holds a struct sockaddr whose family is the ARPHRD type.
	return ifr.Uint16(), nil
}

func loopbackIndex() int {
	ifs, err := net.Interfaces()
	if err != nil {
		return 0
	}
	for _, ni := range ifs {
		if ni.Flags&net.FlagLoopback != 0 {
			return ni.Index
		}
	}
	return 0
}

// Interface is the captured interface's name.
func (s *LiveSource) Interface() string { return s.iface }

// LinkType is the link type of the packets Next returns.
func (s *LiveSource) LinkType() layers.LinkType { return s.linkType }

// Snaplen is the snap length in force.
func (s *LiveSource) Snaplen() int { return s.snaplen }

// Method says how packets are read: "TPACKET_V3 ring" or "packet socket".
func (s *LiveSource) Method() string { return s.method }

// Next returns the next captured packet that passes the filter, waiting
// for one as long as it takes. Frames count the packets returned. After
// Stop it returns ErrStopped (within pollTimeout).
func (s *LiveSource) Next() (Packet, error) {
	for {
		if s.stopped.Load() {
			return Packet{}, ErrStopped
		}
		data, ci, err := s.read()
		if err != nil {
			if errors.Is(err, afpacket.ErrTimeout) {
				continue
			}
			if s.stopped.Load() {
				return Packet{}, ErrStopped
			}
			return Packet{}, fmt.Errorf("capture: %s: %v", s.iface, err)
		}
		var sll sockaddrLL
		wirelen := ci.Length
		if s.cooked {
			sll = s.sockaddr(data, ci)
			if ci.Timestamp.Before(s.attached) && sll.pktType == packetOutgoing && sll.ifIndex == int32(s.loIndex) {
				continue
			}
			data = sll2Packet(sll, data)
			wirelen += sll2HeaderLen
		}
		keep := len(data)
		if ci.Timestamp.Before(s.attached) {
			keep = s.user.Run(data, wirelen)
			if keep == 0 {
				continue
			}
		}
		keep = min(keep, s.snaplen, len(data))
		pkt := make([]byte, keep)
		copy(pkt, data)
		s.frame++
		s.mu.Lock()
		s.captured++
		s.mu.Unlock()
		return Packet{
			Frame:    s.frame,
			Time:     ci.Timestamp.UTC(),
			Data:     pkt,
			Length:   max(wirelen, keep),
			LinkType: s.linkType,
		}, nil
	}
}

// read returns the next packet's bytes (valid until the next read).
func (s *LiveSource) read() ([]byte, gopacket.CaptureInfo, error) {
	if s.tp != nil {
		return s.tp.ZeroCopyReadPacketData()
	}
	return s.eth.ZeroCopyReadPacketData()
}

// sockaddrLL is the kernel's struct sockaddr_ll for a packet: where it
// came from and what it carries.
type sockaddrLL struct {
	family   uint16
	protocol [2]byte // network byte order, as in the SLL2 header
	ifIndex  int32
	hatype   uint16
	pktType  uint8
	halen    uint8
	addr     [8]byte
}

// TPACKET_V3 frame layout for a SOCK_DGRAM socket (net/packet/af_packet.c,
// tpacket_rcv): struct tpacket3_hdr (48 bytes), the struct sockaddr_ll at
// TPACKET_ALIGN(48) = 48, and the packet at tp_mac = TPACKET_ALIGN(
// TPACKET3_HDRLEN) + 16 = 96. gopacket's afpacket hands over the packet
// but not the sockaddr_ll, which lies 48 bytes before it in the ring.
const sllBeforeData = 96 - 48

// sockaddr reads the packet's sockaddr_ll from the ring. It checks what it
// read (the family is AF_PACKET and the interface index is the one the
// ring header gave) and, should the layout ever differ, falls back to what
// the packet itself says: its IP version gives the protocol.
func (s *LiveSource) sockaddr(data []byte, ci gopacket.CaptureInfo) sockaddrLL {
	if s.tp != nil && len(data) > 0 {
		raw := unsafe.Slice((*byte)(unsafe.Add(unsafe.Pointer(&data[0]), -sllBeforeData)), 20)
		sll := sockaddrLL{
			family:   binary.NativeEndian.Uint16(raw[0:2]),
			protocol: [2]byte{raw[2], raw[3]},
			ifIndex:  int32(binary.NativeEndian.Uint32(raw[4:8])),
			hatype:   binary.NativeEndian.Uint16(raw[8:10]),
			pktType:  raw[10],
			halen:    raw[11],
		}
		copy(sll.addr[:], raw[12:20])
		if sll.family == unix.AF_PACKET && int(sll.ifIndex) == ci.InterfaceIndex && sll.halen <= 8 {
			return sll
		}
	}
	sll := sockaddrLL{family: unix.AF_PACKET, ifIndex: int32(ci.InterfaceIndex), hatype: 0xffff}
	if len(data) > 0 {
		switch data[0] >> 4 {
		case 4:
			binary.BigEndian.PutUint16(sll.protocol[:], uint16(layers.EthernetTypeIPv4))
		case 6:
			binary.BigEndian.PutUint16(sll.protocol[:], uint16(layers.EthernetTypeIPv6))
		}
	}
	return sll
}

// sll2Packet prepends the LINUX_SLL2 header libpcap builds from the
// sockaddr_ll (pcap-linux.c): protocol, reserved, interface index, ARPHRD
// type, packet type, address length, address.
func sll2Packet(sll sockaddrLL, data []byte) []byte {
	b := make([]byte, sll2HeaderLen+len(data))
	copy(b[0:2], sll.protocol[:])
	binary.BigEndian.PutUint32(b[4:8], uint32(sll.ifIndex))
	binary.BigEndian.PutUint16(b[8:10], sll.hatype)
	b[10] = sll.pktType
	b[11] = sll.halen
	copy(b[12:20], sll.addr[:])
	copy(b[20:], data)
	return b
}

// Stop makes Next return ErrStopped. It may be called from any goroutine,
// more than once.
func (s *LiveSource) Stop() {
	if s.stopped.Swap(true) {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.eth != nil && !s.closed {
		// A plain socket read blocks with no timeout: take the final
		// counters, then close the socket to wake it.
		st := s.statsLocked()
		s.final = &st
		s.closed = true
		s.eth.Close()
	}
}

// Stats returns the counters so far.
func (s *LiveSource) Stats() LiveStats {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.statsLocked()
}

// statsLocked reads the kernel's counters, which each read resets, so
// they are accumulated here. s.mu is held.
func (s *LiveSource) statsLocked() LiveStats {
	if s.final != nil {
		st := *s.final
		st.Captured = s.captured
		return st
	}
	switch {
	case s.closed:
	case s.tp != nil:
		// gopacket accumulates TPACKET_V3's counters itself.
		if _, v3, err := s.tp.SocketStats(); err == nil {
			s.received, s.dropped = int64(v3.Packets()), int64(v3.Drops())
		}
	case s.eth != nil:
		if st, err := s.eth.Stats(); err == nil {
			// The kernel counts dropped packets in tp_packets too.
			s.received += int64(st.Packets)
			s.dropped += int64(st.Drops)
		}
	}
	return LiveStats{Captured: s.captured, Received: s.received, Dropped: s.dropped}
}

// Close releases the socket, keeping the final counters for Stats. Call
// it once Next has returned, not while it runs: the ring is unmapped.
func (s *LiveSource) Close() error {
	s.stopped.Store(true)
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.final == nil {
		st := s.statsLocked()
		s.final = &st
	}
	s.closed = true
	if s.tp != nil {
		s.tp.Close()
		s.tp = nil
	}
	if s.eth != nil {
		s.eth.Close() // a second close only returns an error
		s.eth = nil
	}
	return nil
}
