package capture

import (
	"fmt"
	"io"
	"runtime"
	"time"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	"github.com/gopacket/gopacket/pcapgo"
)

// Saver writes packets to a pcapng file, as tcpdump -w does (in pcapng,
// as dumpcap does, so one file can hold packets of several link types).
// Frames in the file are the packets written, in order, so frame N of the
// saved file is the packet padlock reported as frame N in live capture.
// It is not safe for concurrent use.
type Saver struct {
	w       io.Writer
	ng      *pcapgo.NgWriter
	name    string // interface name written in each interface block
	filter  string
	snaplen int
	ifaces  map[saverKey]int
	start   time.Time
	err     error
	pending [][]byte // secrets given before the first interface block
}

type saverKey struct {
	iface int
	lt    layers.LinkType
}

// NewSaver writes to w. Interface blocks name the interface (for live
// capture; "" otherwise) and the filter, and give the snap length.
func NewSaver(w io.Writer, iface, filter string, snaplen int) *Saver {
	return &Saver{w: w, name: iface, filter: filter, snaplen: snaplen, ifaces: map[saverKey]int{}}
}

// Write appends one packet; the first packet of each (interface, link
// type) adds an interface block.
func (s *Saver) Write(p Packet) error {
	if s.err != nil {
		return s.err
	}
	k := saverKey{p.Interface, p.LinkType}
	id, ok := s.ifaces[k]
	if !ok {
		id, s.err = s.addInterface(p.LinkType)
		if s.err != nil {
			return s.err
		}
		s.ifaces[k] = id
		if s.start.IsZero() {
			s.start = p.Time
		}
	}
	ci := gopacket.CaptureInfo{Timestamp: p.Time, CaptureLength: len(p.Data), Length: max(p.Length, len(p.Data)), InterfaceIndex: id}
	s.err = s.ng.WritePacket(ci, p.Data)
	return s.err
}

func (s *Saver) addInterface(lt layers.LinkType) (int, error) {
	intf := pcapgo.NgInterface{
		Name:                s.name,
		Filter:              s.filter,
		OS:                  runtime.GOOS,
		LinkType:            lt,
		SnapLength:          uint32(s.snaplen),
		TimestampResolution: 9,
	}
	if s.ng == nil {
		ng, err := pcapgo.NewNgWriterInterface(s.w, intf, pcapgo.NgWriterOptions{
			SectionInfo: pcapgo.NgSectionInfo{OS: runtime.GOOS, Hardware: runtime.GOARCH, Application: "padlock"},
		})
		if err != nil {
			return 0, fmt.Errorf("capture: writing pcapng: %v", err)
		}
		s.ng = ng
		return 0, s.flushPending()
	}
	id, err := s.ng.AddInterface(intf)
	if err != nil {
		return 0, fmt.Errorf("capture: writing pcapng: %v", err)
	}
	return id, nil
}

// Flush writes out what is buffered, so the file is readable while the
// capture goes on.
func (s *Saver) Flush() error {
	if s.err != nil || s.ng == nil {
		return s.err
	}
	s.err = s.ng.Flush()
	return s.err
}

// Close flushes the file. With stats (live capture), an interface
// statistics block records what the kernel received and dropped, as
// dumpcap writes. An empty capture still gets a valid file: its interface
// block has the link type given. Close does not close the io.Writer.
func (s *Saver) Close(lt layers.LinkType, stats *LiveStats) error {
	if s.err != nil {
		return s.err
	}
	if s.ng == nil {
		if _, err := s.addInterface(lt); err != nil {
			return err
		}
		s.ifaces[saverKey{0, lt}] = 0
	}
	if stats != nil && len(s.ifaces) == 1 {
		now := time.Now()
		start := s.start
		if start.IsZero() {
			start = now
		}
		if err := s.ng.WriteInterfaceStats(0, pcapgo.NgInterfaceStatistics{
			LastUpdate:      now,
			StartTime:       start,
			EndTime:         now,
			PacketsReceived: uint64(stats.Received),
			PacketsDropped:  uint64(stats.Dropped),
		}); err != nil {
			return fmt.Errorf("capture: writing pcapng: %v", err)
		}
	}
	return s.Flush()
}
