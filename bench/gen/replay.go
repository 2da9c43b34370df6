package main

import (
	"encoding/binary"
	"time"
)

// TCP flags as they sit in the header's flags byte.
const (
	flFIN = 0x01
	flSYN = 0x02
	flRST = 0x04
	flPSH = 0x08
	flACK = 0x10
)

// How a segment is spaced from the one before it.
const (
	gapStep = iota // same burst: a serialisation delay
	gapTurn        // the other side answers: one round trip
)

// seg is one TCP segment of a script, relative to the connection's initial
// sequence numbers.
type seg struct {
	dir   int
	seq   uint32 // relative: 0 is the SYN
	ack   uint32
	flags uint8
	data  []byte
	sum   uint32 // ones' complement partial sum of data
	gap   uint8
}

// script is a template laid out as TCP segments, with its ground truth.
type script struct {
	segs        []seg
	records     [2]int // complete TLS records per direction
	hellos      int    // ClientHellos
	established bool
	resumed     bool
	hrr         bool
	rst         bool
	version     uint16
}

const mss = 1448

// buildScript lays out t as segments: three-way handshake, data cut at the
// MSS with a delayed ACK every second segment, FIN (or, with rst, a RST from
// the client in place of its FIN, after which the server's packets are lost).
func buildScript(t *template, rst bool) *script {
	sc := &script{established: t.established, resumed: t.resumed, hrr: t.hrr, rst: rst, version: t.version}
	var next [2]uint32 // relative seq of the next byte per direction
	next[0], next[1] = 1, 1
	add := func(s seg) {
		s.sum = sum16(s.data, 0)
		sc.segs = append(sc.segs, s)
	}
	add(seg{dir: 0, seq: 0, flags: flSYN, gap: gapStep})
	add(seg{dir: 1, seq: 0, ack: 1, flags: flSYN | flACK, gap: gapTurn})
	add(seg{dir: 0, seq: 1, ack: 1, flags: flACK, gap: gapTurn})
	var streams [2][]byte
	// Coalesce consecutive data writes of one side into bursts.
	type burst struct {
		dir  int
		data []byte
		fin  bool
	}
	var bursts []burst
	for _, w := range t.writes {
		if n := len(bursts); n > 0 && !w.fin && bursts[n-1].dir == w.dir && !bursts[n-1].fin {
			bursts[n-1].data = append(bursts[n-1].data, w.data...)
			continue
		}
		bursts = append(bursts, burst{dir: w.dir, data: append([]byte(nil), w.data...), fin: w.fin})
	}
	prevDir := 0
	for i, b := range bursts {
		d, p := b.dir, 1-b.dir
		gap := uint8(gapStep)
		if d != prevDir {
			gap = gapTurn
		}
		prevDir = d
		if b.fin {
			if rst && d == 0 {
				add(seg{dir: 0, seq: next[0], ack: next[1], flags: flRST | flACK, gap: gap})
				break
			}
			add(seg{dir: d, seq: next[d], ack: next[p], flags: flFIN | flACK, gap: gap})
			next[d]++
		} else {
			streams[d] = append(streams[d], b.data...)
			k := 0
			for data := b.data; len(data) > 0; k++ {
				n := min(len(data), mss)
				fl := uint8(flACK)
				if n == len(data) {
					fl |= flPSH
				}
				add(seg{dir: d, seq: next[d], ack: next[p], flags: fl, data: data[:n], gap: gap})
				gap = gapStep
				next[d] += uint32(n)
				data = data[n:]
				if k%2 == 1 && len(data) > 0 {
					add(seg{dir: p, seq: next[p], ack: next[d], flags: flACK, gap: gapStep})
				}
			}
		}
		// The receiver acknowledges unless it answers right away.
		if i+1 == len(bursts) || bursts[i+1].dir == d {
			add(seg{dir: p, seq: next[p], ack: next[d], flags: flACK, gap: gapStep})
		}
	}
	for d := range streams {
		recs, hellos := countRecords(streams[d])
		sc.records[d] = recs
		if d == 0 {
			sc.hellos = hellos
		}
	}
	return sc
}

// countRecords counts the complete TLS records of a stream, and among them
// the ClientHellos (a handshake record holding exactly one type-1 message).
func countRecords(b []byte) (records, hellos int) {
	for len(b) >= 5 {
		n := 5 + int(binary.BigEndian.Uint16(b[3:5]))
		if len(b) < n {
			break
		}
		if b[0] == 22 && n >= 9 && b[5] == 1 && 4+(int(b[6])<<16|int(b[7])<<8|int(b[8])) == n-5 {
			hellos++
		}
		records++
		b = b[n:]
	}
	return records, hellos
}

// sum16 adds b as big-endian 16-bit words (a trailing odd byte padded with
// zero) to s, without folding.
func sum16(b []byte, s uint32) uint32 {
	for len(b) >= 8 {
		s += uint32(binary.BigEndian.Uint16(b)) + uint32(binary.BigEndian.Uint16(b[2:])) +
			uint32(binary.BigEndian.Uint16(b[4:])) + uint32(binary.BigEndian.Uint16(b[6:]))
		b = b[8:]
	}
	for len(b) >= 2 {
		s += uint32(binary.BigEndian.Uint16(b))
		b = b[2:]
	}
	if len(b) == 1 {
		s += uint32(b[0]) << 8
	}
	return s
}

func fold(s uint32) uint16 {
	for s > 0xffff {
		s = s&0xffff + s>>16
	}
	return ^uint16(s)
}

// conn is one replay of a script on the wire.
type conn struct {
	sc           *script
	v6           bool
	cip, sip     [16]byte // IPv4 in the first 4 bytes
	cport, sport uint16
	isn          [2]uint32
	ipid         [2]uint16
	start        time.Time
	rtt, step    time.Duration
	times        []time.Duration // per segment, from start
	next         int             // next segment to emit
	reused       bool
}

func (c *conn) layout() {
	c.times = make([]time.Duration, len(c.sc.segs))
	var t time.Duration
	for i, s := range c.sc.segs {
		if i > 0 {
			if s.gap == gapTurn {
				t += c.rtt / 2
			} else {
				t += c.step
			}
		}
		c.times[i] = t
	}
}

func (c *conn) end() time.Time { return c.start.Add(c.times[len(c.times)-1]) }

// encode writes segment i as an Ethernet frame into buf and returns it.
func (c *conn) encode(buf []byte, i int) []byte {
	s := &c.sc.segs[i]
	d := s.dir
	srcIP, dstIP := c.cip, c.sip
	sp, dp := c.cport, c.sport
	if d == 1 {
		srcIP, dstIP, sp, dp = dstIP, srcIP, dp, sp
	}
	thl := 20
	if s.flags&flSYN != 0 {
		thl = 32
	}
	iphl := 20
	etype := uint16(0x0800)
	if c.v6 {
		iphl, etype = 40, 0x86dd
	}
	n := 14 + iphl + thl + len(s.data)
	buf = buf[:n]
	// Ethernet: locally administered MACs derived from the last IP bytes.
	mac := func(b []byte, ip [16]byte) {
		b[0], b[1] = 0x02, 0x42
		if c.v6 {
			copy(b[2:6], ip[12:16])
		} else {
			copy(b[2:6], ip[0:4])
		}
	}
	mac(buf[0:6], dstIP)
	mac(buf[6:12], srcIP)
	binary.BigEndian.PutUint16(buf[12:14], etype)
	ip := buf[14 : 14+iphl]
	tcpLen := thl + len(s.data)
	var pseudo uint32
	if c.v6 {
		binary.BigEndian.PutUint32(ip[0:4], 0x60000000)
		binary.BigEndian.PutUint16(ip[4:6], uint16(tcpLen))
		ip[6], ip[7] = 6, 64
		copy(ip[8:24], srcIP[:])
		copy(ip[24:40], dstIP[:])
		pseudo = sum16(ip[8:40], 0)
	} else {
		ip[0], ip[1] = 0x45, 0
		binary.BigEndian.PutUint16(ip[2:4], uint16(iphl+tcpLen))
		binary.BigEndian.PutUint16(ip[4:6], c.ipid[d])
		c.ipid[d]++
		binary.BigEndian.PutUint16(ip[6:8], 0x4000)
		ip[8], ip[9] = 64, 6
		ip[10], ip[11] = 0, 0
		copy(ip[12:16], srcIP[:4])
		copy(ip[16:20], dstIP[:4])
		binary.BigEndian.PutUint16(ip[10:12], fold(sum16(ip, 0)))
		pseudo = sum16(ip[12:20], 0)
	}
	pseudo += 6 + uint32(tcpLen)
	tcp := buf[14+iphl : 14+iphl+thl]
	binary.BigEndian.PutUint16(tcp[0:2], sp)
	binary.BigEndian.PutUint16(tcp[2:4], dp)
	binary.BigEndian.PutUint32(tcp[4:8], c.isn[d]+s.seq)
	ack := uint32(0)
	if s.flags&flACK != 0 {
		ack = c.isn[1-d] + s.ack
	}
	binary.BigEndian.PutUint32(tcp[8:12], ack)
	tcp[12] = byte(thl/4) << 4
	tcp[13] = s.flags
	win := uint16(502)
	if s.flags&flSYN != 0 {
		win = 64240
	}
	binary.BigEndian.PutUint16(tcp[14:16], win)
	tcp[16], tcp[17], tcp[18], tcp[19] = 0, 0, 0, 0
	if thl == 32 {
		// MSS 1460, SACK permitted, NOP, window scale 7, NOP, NOP, NOP
		copy(tcp[20:32], []byte{2, 4, 0x05, 0xb4, 4, 2, 1, 3, 3, 7, 1, 1})
	}
	copy(buf[14+iphl+thl:], s.data)
	binary.BigEndian.PutUint16(tcp[16:18], fold(sum16(tcp, pseudo)+s.sum))
	return buf
}
