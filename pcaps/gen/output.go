package main

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"sort"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	"github.com/gopacket/gopacket/pcapgo"
)

// File formats.
const (
	fmtPcap   = "pcap"   // classic pcap, microsecond timestamps
	fmtPcapNs = "pcapns" // classic pcap, nanosecond timestamps
	fmtPcapng = "pcapng" // pcapng, nanosecond timestamps
)

type ifaceSpec struct {
	link        layers.LinkType
	name        string
	description string
}

// capture is the content of one output file.
type capture struct {
	format string
	ifaces []ifaceSpec // pcap: exactly one
	frames []frame
	// gzip compresses the file (fixed header: no name, no mtime).
	gzip bool
	// truncate cuts this many bytes off the end of the file, as when the
	// capturing process is killed while writing the last packet.
	truncate int
	comment  string // pcapng section comment
	// side files written next to the capture (name -> content), e.g. keylogs.
	side map[string][]byte
}

const snaplen = 262144

func (c *capture) encode() ([]byte, error) {
	frames := c.frames
	sort.SliceStable(frames, func(i, j int) bool { return frames[i].t.Before(frames[j].t) })
	var out bytes.Buffer
	switch c.format {
	case fmtPcap, fmtPcapNs:
		if len(c.ifaces) != 1 {
			return nil, fmt.Errorf("pcap needs exactly one interface, have %d", len(c.ifaces))
		}
		w := pcapgo.NewWriter(&out)
		if c.format == fmtPcapNs {
			w = pcapgo.NewWriterNanos(&out)
		}
		if err := w.WriteFileHeader(snaplen, c.ifaces[0].link); err != nil {
			return nil, err
		}
		for _, f := range frames {
			if err := w.WritePacket(captureInfo(f), f.data); err != nil {
				return nil, err
			}
		}
	case fmtPcapng:
		opts := pcapgo.NgWriterOptions{SectionInfo: pcapgo.NgSectionInfo{
			Application: "padlock pcaps/gen",
			Comment:     c.comment,
		}}
		var w *pcapgo.NgWriter
		for i, in := range c.ifaces {
			ni := pcapgo.NgInterface{Name: in.name, Description: in.description, LinkType: in.link, SnapLength: snaplen}
			if i == 0 {
				var err error
				if w, err = pcapgo.NewNgWriterInterface(&out, ni, opts); err != nil {
					return nil, err
				}
				continue
			}
			if _, err := w.AddInterface(ni); err != nil {
				return nil, err
			}
		}
		for _, f := range frames {
			if err := w.WritePacket(captureInfo(f), f.data); err != nil {
				return nil, err
			}
		}
		if err := w.Flush(); err != nil {
			return nil, err
		}
	default:
		return nil, fmt.Errorf("unknown format %q", c.format)
	}
	b := out.Bytes()
	if c.truncate > 0 {
		b = b[:len(b)-c.truncate]
	}
	if c.gzip {
		var z bytes.Buffer
		zw, err := gzip.NewWriterLevel(&z, gzip.BestCompression)
		if err != nil {
			return nil, err
		}
		if _, err := zw.Write(b); err != nil {
			return nil, err
		}
		if err := zw.Close(); err != nil {
			return nil, err
		}
		b = z.Bytes()
	}
	return b, nil
}

func captureInfo(f frame) gopacket.CaptureInfo {
	l := f.origLen
	if l == 0 {
		l = len(f.data)
	}
	return gopacket.CaptureInfo{Timestamp: f.t, CaptureLength: len(f.data), Length: l, InterfaceIndex: f.iface}
}
