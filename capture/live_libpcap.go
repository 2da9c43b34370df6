//go:build libpcap

package capture

import (
	"errors"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gopacket/gopacket/layers"
	"github.com/gopacket/gopacket/pcap"
)

// Live capture through libpcap (gopacket/pcap, cgo), on every platform
// libpcap supports, with libpcap's own filter handling. Built with
// -tags libpcap; the default build captures without it on Linux.

const anySupported = runtime.GOOS == "linux"

// pollTimeout is libpcap's read timeout: how often a blocked Next looks
// at Stop.
const pollTimeout = 200 * time.Millisecond

// LiveSource reads packets from a network interface. Next is meant for one
// goroutine; Stop and Stats may be called from another.
type LiveSource struct {
	iface    string
	linkType layers.LinkType
	snaplen  int
	h        *pcap.Handle
	frame    int
	stopped  atomic.Bool

	mu       sync.Mutex
	captured int64
	final    *LiveStats
}

// systemInterfaces lists libpcap's devices (on Windows their names are
// \Device\NPF_{...}, which is what -i takes).
func systemInterfaces() ([]Interface, error) {
	devs, err := pcap.FindAllDevs()
	if err != nil {
		return nil, fmt.Errorf("capture: listing interfaces: %v", err)
	}
	// PCAP_IF_LOOPBACK, PCAP_IF_UP, PCAP_IF_RUNNING (pcap/pcap.h).
	const loopback, up, running = 0x1, 0x2, 0x4
	var list []Interface
	for _, d := range devs {
		if d.Name == AnyInterface {
			continue // listed by Interfaces
		}
		list = append(list, Interface{Name: d.Name, Description: d.Description,
			Up: d.Flags&up != 0, Running: d.Flags&running != 0, Loopback: d.Flags&loopback != 0})
	}
	return list, nil
}

// OpenLive opens a live capture with libpcap.
func OpenLive(o LiveOptions) (*LiveSource, error) {
	name, err := ResolveInterface(o.Interface)
	if err != nil {
		return nil, err
	}
	s := &LiveSource{iface: name, snaplen: o.Snaplen}
	if s.snaplen <= 0 || s.snaplen > DefaultSnaplen {
		s.snaplen = DefaultSnaplen
	}
	in, err := pcap.NewInactiveHandle(name)
	if err != nil {
		return nil, fmt.Errorf("capture: %s: %v", name, err)
	}
	defer in.CleanUp()
	if err := in.SetSnapLen(s.snaplen); err != nil {
		return nil, fmt.Errorf("capture: %s: %v", name, err)
	}
	if err := in.SetPromisc(!o.NoPromisc); err != nil {
		return nil, fmt.Errorf("capture: %s: %v", name, err)
	}
	if err := in.SetTimeout(pollTimeout); err != nil {
		return nil, fmt.Errorf("capture: %s: %v", name, err)
	}
	h, err := in.Activate()
	if err != nil {
		if strings.Contains(err.Error(), "Permission Denied") || strings.Contains(err.Error(), "permission") {
			return nil, &PermissionError{Interface: name, Err: err}
		}
		if strings.Contains(err.Error(), "No Such Device") {
			return nil, &NoInterfaceError{Name: name}
		}
		return nil, fmt.Errorf("capture: %s: %v", name, err)
	}
	if name == AnyInterface {
		h.SetLinkType(layers.LinkTypeLinuxSLL2) // as tcpdump does; libpcap's default is SLL
	}
	s.h, s.linkType = h, h.LinkType()
	if o.Filter != "" {
		compile := o.Compiler
		if compile == nil {
			compile = Compile
		}
		// Compile first for the error message padlock gives everywhere,
		// then let libpcap attach its own (it adapts programs to the
		// socket in ways only it knows).
		if _, err := compile(o.Filter, s.linkType, s.snaplen); err != nil {
			h.Close()
			return nil, err
		}
		if err := h.SetBPFFilter(o.Filter); err != nil {
			h.Close()
			return nil, &FilterError{Expr: o.Filter, LinkType: s.linkType, Msg: err.Error()}
		}
	}
	return s, nil
}

func (s *LiveSource) Interface() string         { return s.iface }
func (s *LiveSource) LinkType() layers.LinkType { return s.linkType }
func (s *LiveSource) Snaplen() int              { return s.snaplen }
func (s *LiveSource) Method() string            { return "libpcap " + pcap.Version() }

// Next returns the next captured packet that passes the filter.
func (s *LiveSource) Next() (Packet, error) {
	for {
		if s.stopped.Load() {
			return Packet{}, ErrStopped
		}
		data, ci, err := s.h.ReadPacketData()
		if err != nil {
			if errors.Is(err, pcap.NextErrorTimeoutExpired) {
				continue
			}
			if s.stopped.Load() {
				return Packet{}, ErrStopped
			}
			return Packet{}, fmt.Errorf("capture: %s: %v", s.iface, err)
		}
		s.frame++
		s.mu.Lock()
		s.captured++
		s.mu.Unlock()
		return Packet{Frame: s.frame, Time: ci.Timestamp.UTC(), Data: data, Length: max(ci.Length, len(data)), LinkType: s.linkType}, nil
	}
}

// Stop makes Next return ErrStopped within pollTimeout.
func (s *LiveSource) Stop() { s.stopped.Store(true) }

// Stats returns libpcap's counters.
func (s *LiveSource) Stats() LiveStats {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.final != nil {
		st := *s.final
		st.Captured = s.captured
		return st
	}
	st := LiveStats{Captured: s.captured}
	if ps, err := s.h.Stats(); err == nil {
		st.Received, st.Dropped = int64(ps.PacketsReceived), int64(ps.PacketsDropped)
	}
	return st
}

// Close releases the handle, keeping the final counters. Call it once Next
// has returned.
func (s *LiveSource) Close() error {
	s.stopped.Store(true)
	st := s.Stats()
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.final == nil {
		s.final = &st
		s.h.Close()
	}
	return nil
}
