package capture

import (
	"bytes"
	"errors"
	"fmt"
	"time"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/ip4defrag"
	"github.com/gopacket/gopacket/ip6defrag"
	"github.com/gopacket/gopacket/layers"
)

// Fragment reassembly caps. gopacket's defragmenters bound each datagram
// (64 KiB, 8192 fragments) but not how many datagrams they hold, so a
// capture full of lone fragments would grow them without end.
const (
	// maxPendingDatagrams bounds the datagrams under reassembly at once.
	// TCP sizes its segments to the path MTU, so TLS is rarely fragmented
	// and real captures have a handful of datagrams in flight; a thousand
	// is far beyond that.
	maxPendingDatagrams = 1024

	// maxPendingBytes bounds the memory held in fragments: each counts
	// its bytes plus fragOverhead. Linux bounds its own reassembly queue
	// the same way, at 4 MiB by default (net.ipv4.ipfrag_high_thresh).
	maxPendingBytes = 4 << 20

	// fragOverhead is roughly what a held fragment costs beyond its
	// bytes (the layer struct and list entry), so that a flood of tiny
	// fragments is counted for what it weighs.
	fragOverhead = 256

	// fragTimeout is how long, in capture time, an IPv4 datagram waits
	// for its missing fragments: Linux's default ipfrag_time. After that
	// its 16-bit Id may well be reused by a new datagram.
	fragTimeout = 30 * time.Second

	// sweepInterval is how often, in capture time, expired IPv4
	// datagrams are looked for.
	sweepInterval = time.Second
)

// When a cap is hit, every pending datagram is dropped (and counted in
// DecodeStats.DefragDropped): the defragmenters offer no way to drop one
// chosen datagram. IPv6 datagrams do not time out: ip6defrag stamps them
// with the wall clock, and expiring by wall clock would make the output
// depend on how fast the file was read. Their 32-bit Ids make reuse within
// a capture unlikely, and the caps still bound them.

type fragKey struct {
	net   gopacket.Flow // IPv4 and IPv6 flows differ by endpoint type
	id    uint32
	proto layers.IPProtocol // IPv4 only: RFC 791 keys on it, RFC 8200 does not
}

type pendingDatagram struct {
	bytes    int
	lastSeen time.Time  // capture time of its latest fragment
	frags    []heldFrag // the fragments held, to compare repeats with
}

// heldFrag is the payload of a held fragment and where it starts in its
// datagram. The bytes are the defragmenter's own copy.
type heldFrag struct {
	start int
	data  []byte
}

// Overlapping fragments. gopacket's defragmenter keeps the first copy
// of bytes it holds and ignores a fragment that repeats them, whatever the
// repeat carries, and drops the datagram on any other overlap (as Linux
// does). A repeat with different bytes is an evasion attempt (the receiver
// may keep the other copy), so it is refused with an error that names the
// frame, and the first copy is kept. IPv6 fragments get the same check:
// RFC 5722 forbids overlaps, and ip6defrag drops a packet on one but, like
// ip4defrag, ignores an exact repeat whatever it carries.

// conflict reports whether payload, starting at start of its datagram,
// differs from held bytes it overlaps; covered is whether held fragments
// hold all of it (gopacket then ignores it).
func (p pendingDatagram) conflict(start int, payload []byte) (differs, covered bool) {
	end := start + len(payload)
	n := 0
	for _, h := range p.frags {
		a, b := max(start, h.start), min(end, h.start+len(h.data))
		if a >= b {
			continue
		}
		n += b - a
		if !bytes.Equal(payload[a-start:b-start], h.data[a-h.start:b-h.start]) {
			differs = true
		}
	}
	return differs, n == len(payload)
}

// defrag wraps gopacket's defragmenters with the caps above. Its view of
// what is pending can only be larger than theirs (a repeated or refused
// IPv6 fragment is still counted), so the caps hold.
type defrag struct {
	v4        *ip4defrag.IPv4Defragmenter
	v6        *ip6defrag.IPv6Defragmenter
	pending   map[fragKey]pendingDatagram
	bytes     int
	nextSweep time.Time
	dropped   int
}

func (d *defrag) reset() {
	d.v4 = ip4defrag.NewIPv4Defragmenter()
	d.v6 = ip6defrag.NewIPv6Defragmenter()
	if d.pending == nil {
		d.pending = make(map[fragKey]pendingDatagram)
	}
	clear(d.pending)
	d.bytes = 0
}

// makeRoom drops everything pending if holding cost more bytes for key
// would break a cap.
func (d *defrag) makeRoom(key fragKey, cost int) {
	_, known := d.pending[key]
	if (!known && len(d.pending) >= maxPendingDatagrams) || d.bytes+cost > maxPendingBytes {
		d.dropped += len(d.pending)
		d.reset()
	}
}

func (d *defrag) hold(key fragKey, cost int, t time.Time) {
	p := d.pending[key]
	p.bytes += cost
	p.lastSeen = t
	d.pending[key] = p
	d.bytes += cost
}

func (d *defrag) forget(key fragKey) {
	if p, ok := d.pending[key]; ok {
		d.bytes -= p.bytes
		delete(d.pending, key)
	}
}

// sweep drops IPv4 datagrams that waited longer than fragTimeout.
func (d *defrag) sweep(t time.Time) {
	if len(d.pending) == 0 || t.Before(d.nextSweep) {
		return
	}
	d.nextSweep = t.Add(sweepInterval)
	cutoff := t.Add(-fragTimeout)
	d.dropped += d.v4.DiscardOlderThan(cutoff)
	for k, p := range d.pending {
		if k.net.EndpointType() == layers.EndpointIPv4 && p.lastSeen.Before(cutoff) {
			d.bytes -= p.bytes
			delete(d.pending, k)
		}
	}
}

// ipv4 files fragment ip, whose datagram bytes (header included) are
// data. It returns the whole datagram when this fragment completes it,
// with a payload nobody else holds, or errHeld.
func (d *defrag) ipv4(ip *layers.IPv4, data []byte, t time.Time) (*layers.IPv4, error) {
	d.sweep(t)
	// The defragmenter keeps the layer and its payload until the datagram
	// is complete, so it gets its own copy, not the Decoder's layer.
	own := clone(data[:min(len(data), int(ip.Length))])
	f := new(layers.IPv4)
	if err := f.DecodeFromBytes(own, gopacket.NilDecodeFeedback); err != nil {
		return nil, layerErr("ipv4", err)
	}
	key := fragKey{net: f.NetworkFlow(), id: uint32(f.Id), proto: f.Protocol}
	start, payload := int(f.FragOffset)*8, f.Payload
	if f.Flags&layers.IPv4MoreFragments != 0 {
		payload = payload[:len(payload)&^7] // only whole 8-byte units count
	}
	if p, ok := d.pending[key]; ok && len(payload) > 0 {
		if differs, covered := p.conflict(start, payload); differs && covered {
			return nil, fmt.Errorf("ipv4: fragment at offset %d of datagram %d overlaps held bytes with different content; the first copy was kept", start, f.Id)
		}
	}
	cost := len(own) + fragOverhead
	d.makeRoom(key, cost)
	whole, err := d.v4.DefragIPv4WithTimestamp(f, t)
	if err != nil {
		// The defragmenter has dropped the datagram's fragments.
		d.forget(key)
		return nil, fmt.Errorf("ipv4: %v", err)
	}
	if whole != nil {
		d.forget(key)
		return whole, nil
	}
	d.hold(key, cost, t)
	if p := d.pending[key]; len(payload) > 0 {
		p.frags = append(p.frags, heldFrag{start: start, data: payload})
		d.pending[key] = p
	}
	return nil, errHeld
}

// ipv6Max is the largest payload a fragmented IPv6 packet reassembles to
// (RFC 8200 section 4.5).
const ipv6Max = 65535

// ipv6 files the fragment frag of packet ip. It returns the whole packet
// when this fragment completes it, with a payload nobody else holds, or
// errHeld.
func (d *defrag) ipv6(ip *layers.IPv6, frag *layers.IPv6Fragment, t time.Time) (*layers.IPv6, error) {
	// ip6defrag drops these silently; say why instead (RFC 8200 section 4.5).
	end := int(frag.FragmentOffset)*8 + len(frag.Payload)
	switch {
	case end > ipv6Max:
		return nil, fmt.Errorf("ipv6: fragment ends at %d, over %d", end, ipv6Max)
	case frag.MoreFragments && len(frag.Payload)%8 != 0:
		return nil, fmt.Errorf("ipv6: non-final fragment of %d bytes, not a multiple of 8", len(frag.Payload))
	case len(frag.Payload) == 0:
		return nil, errors.New("ipv6: empty fragment")
	}
	// The defragmenter keeps the fragment's payload, and the first
	// fragment's header: copies, not the Decoder's layer.
	hdr := &layers.IPv6{
		Version:      6,
		TrafficClass: ip.TrafficClass,
		FlowLabel:    ip.FlowLabel,
		NextHeader:   ip.NextHeader,
		HopLimit:     ip.HopLimit,
		SrcIP:        clone(ip.SrcIP),
		DstIP:        clone(ip.DstIP),
	}
	f := *frag
	f.Contents = nil
	f.Payload = clone(frag.Payload)
	key := fragKey{net: hdr.NetworkFlow(), id: f.Identification}
	start := int(f.FragmentOffset) * 8
	if p, ok := d.pending[key]; ok {
		if differs, covered := p.conflict(start, f.Payload); differs && covered {
			return nil, fmt.Errorf("ipv6: fragment at offset %d of packet %d overlaps held bytes with different content; the first copy was kept", start, f.Identification)
		}
	}
	cost := len(f.Payload) + fragOverhead
	d.makeRoom(key, cost)
	if whole := d.v6.DefragIPv6(hdr, &f); whole != nil {
		d.forget(key)
		return whole, nil
	}
	d.hold(key, cost, t)
	p := d.pending[key]
	p.frags = append(p.frags, heldFrag{start: start, data: f.Payload})
	d.pending[key] = p
	return nil, errHeld
}
