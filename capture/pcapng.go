package capture

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math/bits"
	"time"

	"github.com/gopacket/gopacket/layers"
)

// pcapng (https://datatracker.ietf.org/doc/draft-ietf-opsawg-pcapng/):
//
//	block:  block_type u32, block_total_length u32, body, block_total_length u32
//	SHB:    byte_order_magic u32, major u16, minor u16, section_length i64, options
//	IDB:    link_type u16, reserved u16, snaplen u32, options
//	EPB:    interface_id u32, ts_high u32, ts_low u32, captured_len u32, original_len u32, data, options
//	SPB:    original_len u32, data
//	PB:     interface_id u16, drops_count u16, ts_high u32, ts_low u32, captured_len u32, original_len u32, data, options (obsolete)
//	option: code u16, length u16, value padded to 32 bits; code 0 ends the list
//
// Decryption secrets blocks are kept for Source.Secrets (secrets.go).
// Blocks of any other type (statistics, name resolution, custom, unknown)
// are skipped by their length.
const (
	blockSHB = 0x0a0d0d0a
	blockIDB = 1
	blockPB  = 2
	blockSPB = 3
	blockNRB = 4
	blockISB = 5
	blockEPB = 6
	blockDSB = 10

	byteOrderMagic = 0x1a2b3c4d

	optEndOfOpt   = 0
	optIfTsresol  = 9
	optIfTsoffset = 14

	// Fixed parts: type and length (8), the block's own fields, the
	// trailing length (4).
	blockMinLen = 12
	shbMinLen   = 28
	idbMinLen   = 20
	epbMinLen   = 32 // also PB
	spbMinLen   = 16

	// scratchKeep is the largest metadata buffer kept between blocks; a
	// rare larger block gets a buffer of its own that the GC takes back.
	scratchKeep = 64 << 10
)

// ngIface is one interface of the current section.
type ngIface struct {
	linkType layers.LinkType
	snaplen  uint32
	tsresol  uint8 // if_tsresol: 10^-n, or 2^-n with the top bit set
	tsoffset int64 // if_tsoffset, seconds
}

func blockName(typ uint32) string {
	switch typ {
	case blockSHB:
		return "section header block"
	case blockIDB:
		return "interface description block"
	case blockPB:
		return "packet block"
	case blockSPB:
		return "simple packet block"
	case blockNRB:
		return "name resolution block"
	case blockISB:
		return "interface statistics block"
	case blockEPB:
		return "enhanced packet block"
	case blockDSB:
		return "decryption secrets block"
	}
	return fmt.Sprintf("block type 0x%08x", typ)
}

func (s *Source) nextPcapng() (Packet, error) {
	for {
		start := s.off
		block := s.block + 1
		h, err := s.r.Peek(8)
		if len(h) == 0 && err == io.EOF {
			return Packet{}, io.EOF
		}
		if len(h) < 8 {
			if e := s.readErr(err); e != errTruncated {
				return Packet{}, e
			}
			return Packet{}, s.warnf("capture: file truncated in header of block %d at offset %d: got %d of 8 bytes",
				block, start, len(h))
		}
		if binary.BigEndian.Uint32(h) == blockSHB {
			// The byte order magic says how to read the length, this
			// block's and everything else in the section.
			b, err := s.r.Peek(12)
			if len(b) < 12 {
				if e := s.readErr(err); e != errTruncated {
					return Packet{}, e
				}
				return Packet{}, s.warnf("capture: file truncated in header of block %d (section header block) at offset %d: got %d of 12 bytes",
					block, start, len(b))
			}
			switch binary.BigEndian.Uint32(b[8:12]) {
			case byteOrderMagic:
				s.be = true
			case bits.ReverseBytes32(byteOrderMagic):
				s.be = false
			default:
				return Packet{}, s.damaged("block %d (section header block) at offset %d: bad byte order magic 0x%08x",
					block, start, binary.BigEndian.Uint32(b[8:12]))
			}
			h = b
		}
		typ, total := s.u32(h[0:4]), s.u32(h[4:8])
		s.block = block
		if total < blockMinLen || total%4 != 0 || total > maxBlockLen {
			err := s.damaged("block %d (%s) at offset %d: invalid block length %d",
				block, blockName(typ), start, total)
			if s.resync(start, err) {
				continue
			}
			return Packet{}, err
		}
		// A block the buffer holds is checked against its trailing length
		// before anything is consumed, so that a wrong length does not
		// swallow the start of the next block before resync.
		if int(total) <= readBufferSize {
			if b, _ := s.r.Peek(int(total)); len(b) == int(total) {
				if got := s.u32(b[total-4:]); got != total {
					err := s.lengthsDiffer(block, start, typ, total, got)
					if s.resync(start, err) {
						continue
					}
					return Packet{}, err
				}
			}
		}

		var p Packet
		isPacket := false
		switch {
		case typ == blockSHB:
			err = s.readSHB(block, start, total)
		case s.skipping:
			err = s.skipBlock(block, start, typ, total)
		case typ == blockDSB:
			err = s.readDSB(block, start, total)
		case typ == blockIDB:
			err = s.readIDB(block, start, total)
		case typ == blockEPB || typ == blockPB || typ == blockSPB:
			isPacket = true
			p, err = s.readPacketBlock(block, start, typ, total)
		default:
			err = s.skipBlock(block, start, typ, total)
		}
		if err == errTruncated {
			what := blockName(typ)
			if isPacket {
				what = fmt.Sprintf("%s, frame %d", what, s.frame+1)
			}
			return Packet{}, s.warnf("capture: file truncated in block %d (%s) at offset %d: got %d of %d bytes",
				block, what, start, s.off-start, total)
		}
		if err != nil {
			var damage *damageError
			if errors.As(err, &damage) && s.resync(start, err) {
				continue
			}
			return Packet{}, err
		}
		if isPacket {
			return p, nil
		}
	}
}

// maxResync bounds the bytes searched for a valid block after a damaged
// one.
const maxResync = 64 << 20

// resync looks, after the damaged block at start, for the next block that
// is whole and consistent (a known type, a valid length repeated in its
// trailer, a defined interface), and goes on reading there with a warning
// saying how much was skipped. Wireshark stops at the damage; padlock
// recovers what follows, numbering its frames on from the last good one.
// It reports false, and reading stops, when no such block follows.
func (s *Source) resync(start int64, cause error) bool {
	// Blocks are 32-bit aligned: search from the first aligned offset
	// after the damaged block's start not yet consumed.
	if skip := (4 - (s.off-start)%4) % 4; skip > 0 {
		if s.discard(int(skip)) != nil {
			return false
		}
	}
	if s.off == start && s.discard(4) != nil {
		return false
	}
	return s.scanTo(start, cause, 4, "block", s.plausibleBlock)
}

// scanTo discards step bytes at a time, up to maxResync, until plausible
// holds at the read position, and then warns what was skipped since start
// to reach the next valid what. It reports false at the end of the input
// or of the search.
func (s *Source) scanTo(start int64, cause error, step int, what string, plausible func() bool) bool {
	for scanned := 0; scanned < maxResync; scanned += step {
		if plausible() {
			s.warns = append(s.warns, fmt.Sprintf("%v: skipped %d bytes to the next valid %s, at offset %d",
				cause, s.off-start, what, s.off))
			return true
		}
		if s.discard(step) != nil {
			return false
		}
	}
	return false
}

// plausibleBlock reports whether a whole, consistent block starts at the
// read position.
func (s *Source) plausibleBlock() bool {
	h, _ := s.r.Peek(12)
	if len(h) < 12 {
		return false
	}
	u32 := s.u32
	if binary.BigEndian.Uint32(h) == blockSHB {
		switch binary.BigEndian.Uint32(h[8:12]) {
		case byteOrderMagic:
			u32 = binary.BigEndian.Uint32
		case bits.ReverseBytes32(byteOrderMagic):
			u32 = binary.LittleEndian.Uint32
		default:
			return false
		}
	}
	typ, total := u32(h[0:4]), u32(h[4:8])
	switch typ {
	case blockSHB, blockIDB, blockPB, blockSPB, blockNRB, blockISB, blockEPB, blockDSB:
	default:
		return false
	}
	if total < blockMinLen || total%4 != 0 || int(total) > readBufferSize {
		return false
	}
	b, _ := s.r.Peek(int(total))
	if len(b) < int(total) || u32(b[total-4:]) != total {
		return false
	}
	switch typ {
	case blockEPB:
		return total >= epbMinLen && int(u32(b[8:12])) < len(s.ifaces) && u32(b[20:24]) <= total-epbMinLen
	case blockSPB:
		return total >= spbMinLen && len(s.ifaces) > 0
	case blockPB:
		return total >= epbMinLen && int(s.u16(b[8:10])) < len(s.ifaces) && u32(b[20:24]) <= total-epbMinLen
	case blockSHB:
		return total >= shbMinLen
	case blockIDB:
		return total >= idbMinLen
	}
	return true
}

// lengthsDiffer is the damage of a block whose trailing length is not its
// leading one.
func (s *Source) lengthsDiffer(block int, start int64, typ, total, got uint32) error {
	return s.damaged("block %d (%s) at offset %d: block lengths %d and %d differ",
		block, blockName(typ), start, total, got)
}

// trailer reads and checks the trailing copy of the block length.
func (s *Source) trailer(block int, start int64, typ, total uint32) error {
	b, err := s.peek(4)
	if err != nil {
		return err
	}
	if got := s.u32(b); got != total {
		return s.lengthsDiffer(block, start, typ, total, got)
	}
	return s.discard(4)
}

func (s *Source) skipBlock(block int, start int64, typ, total uint32) error {
	if err := s.discard(int(total) - 4); err != nil {
		return err
	}
	return s.trailer(block, start, typ, total)
}

// readWhole reads a whole metadata block into s.scratch, growing the
// buffer as bytes arrive so that a lying length cannot make it allocate
// more than the input holds.
func (s *Source) readWhole(block int, start int64, typ, total uint32) ([]byte, error) {
	n := int(total)
	buf := s.scratch[:0]
	for len(buf) < n {
		chunk := min(n-len(buf), scratchKeep)
		if cap(buf)-len(buf) < chunk {
			nb := make([]byte, len(buf), len(buf)+max(chunk, len(buf)))
			copy(nb, buf)
			buf = nb
		}
		err := s.readFull(buf[len(buf) : len(buf)+chunk])
		if err != nil {
			return nil, err
		}
		buf = buf[:len(buf)+chunk]
	}
	if cap(buf) <= scratchKeep {
		s.scratch = buf[:0]
	}
	if got := s.u32(buf[n-4:]); got != total {
		return nil, s.lengthsDiffer(block, start, typ, total, got)
	}
	return buf[:n-4], nil
}

// options calls fn for each option in b, stopping at opt_endofopt or at
// a damaged option (whose value would run past the block): options only
// refine the picture, so a bad one is not worth losing the packets for.
func (s *Source) options(b []byte, fn func(code uint16, val []byte)) {
	for len(b) >= 4 {
		code, n := s.u16(b[0:2]), int(s.u16(b[2:4]))
		if code == optEndOfOpt || 4+n > len(b) {
			return
		}
		fn(code, b[4:4+n])
		b = b[min(len(b), 4+(n+3)&^3):]
	}
}

func (s *Source) readSHB(block int, start int64, total uint32) error {
	if total < shbMinLen {
		return s.damaged("block %d (section header block) at offset %d: invalid block length %d", block, start, total)
	}
	b, err := s.readWhole(block, start, blockSHB, total)
	if err != nil {
		return err
	}
	// A new section starts with no interfaces; interface numbers go on
	// counting across sections, as Wireshark's frame.interface_id does.
	s.ifBase += len(s.ifaces)
	s.ifaces = s.ifaces[:0]
	major, minor := s.u16(b[12:14]), s.u16(b[14:16])
	s.skipping = major != 1
	if s.skipping {
		// The spec says a reader skips a section it does not understand.
		s.warns = append(s.warns, fmt.Sprintf("capture: skipped section with unsupported pcapng version %d.%d (block %d at offset %d)",
			major, minor, block, start))
	}
	return nil
}

func (s *Source) readIDB(block int, start int64, total uint32) error {
	if total < idbMinLen {
		return s.damaged("block %d (interface description block) at offset %d: invalid block length %d", block, start, total)
	}
	b, err := s.readWhole(block, start, blockIDB, total)
	if err != nil {
		return err
	}
	iface := ngIface{
		linkType: layers.LinkType(s.u16(b[8:10])),
		snaplen:  s.u32(b[12:16]),
		tsresol:  6, // microseconds unless if_tsresol says otherwise
	}
	s.options(b[16:], func(code uint16, val []byte) {
		switch {
		case code == optIfTsresol && len(val) >= 1:
			iface.tsresol = val[0]
		case code == optIfTsoffset && len(val) >= 8:
			iface.tsoffset = int64(s.u64(val))
		}
	})
	s.ifaces = append(s.ifaces, iface)
	return nil
}

func (s *Source) readPacketBlock(block int, start int64, typ, total uint32) (Packet, error) {
	frame := s.frame + 1
	minLen, hdrLen := uint32(epbMinLen), 28
	if typ == blockSPB {
		minLen, hdrLen = spbMinLen, 12
	}
	if total < minLen {
		return Packet{}, s.damaged("block %d (%s, frame %d) at offset %d: invalid block length %d",
			block, blockName(typ), frame, start, total)
	}
	h, err := s.peek(hdrLen)
	if err != nil {
		return Packet{}, err
	}
	var idx int
	var ts uint64
	var caplen, origlen uint32
	switch typ {
	case blockEPB:
		idx = int(s.u32(h[8:12]))
	case blockPB:
		idx = int(s.u16(h[8:10]))
	}
	if idx >= len(s.ifaces) {
		return Packet{}, s.damaged("block %d (%s, frame %d) at offset %d: interface %d is not defined (the section has %d)",
			block, blockName(typ), frame, start, idx, len(s.ifaces))
	}
	iface := &s.ifaces[idx]
	if typ == blockSPB {
		// No timestamp, interface 0; the data is what the block holds, up
		// to the original length and the interface's snap length.
		origlen = s.u32(h[8:12])
		caplen = min(origlen, total-spbMinLen)
		if iface.snaplen != 0 {
			caplen = min(caplen, iface.snaplen)
		}
	} else {
		ts = uint64(s.u32(h[12:16]))<<32 | uint64(s.u32(h[16:20]))
		caplen, origlen = s.u32(h[20:24]), s.u32(h[24:28])
		if caplen > total-epbMinLen {
			return Packet{}, s.damaged("block %d (%s, frame %d) at offset %d: captured length %d does not fit in block length %d",
				block, blockName(typ), frame, start, caplen, total)
		}
	}
	if caplen > maxCaptureLen {
		return Packet{}, s.damaged("block %d (%s, frame %d) at offset %d: captured length %d is over the maximum %d; the file is damaged",
			block, blockName(typ), frame, start, caplen, maxCaptureLen)
	}
	if err := s.discard(hdrLen); err != nil {
		return Packet{}, err
	}
	var data []byte
	if rest := int(total) - hdrLen; s.shared && rest >= int(caplen)+4 {
		// The whole rest of the block (data, options, trailer) is
		// buffered, so the discards below move nothing and data stays
		// valid until the next read.
		if b, _ := s.r.Peek(rest); len(b) == rest {
			data = b[:caplen:caplen]
			if err := s.discard(int(caplen)); err != nil {
				return Packet{}, err
			}
		}
	}
	if data == nil {
		data = make([]byte, caplen)
		if err := s.readFull(data); err != nil {
			return Packet{}, err
		}
	}
	// Padding and options (EPB flags, hashes, comments) are not needed.
	if err := s.discard(int(total) - hdrLen - int(caplen) - 4); err != nil {
		return Packet{}, err
	}
	if err := s.trailer(block, start, typ, total); err != nil {
		return Packet{}, err
	}
	p := Packet{
		Frame:     frame,
		Data:      data,
		Length:    int(origlen),
		LinkType:  iface.linkType,
		Interface: s.ifBase + idx,
	}
	if typ != blockSPB {
		p.Time = ngTime(ts, iface.tsresol, iface.tsoffset)
	}
	s.frame = frame
	return p, nil
}

var pow10 = [20]uint64{
	1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9,
	1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19,
}

// ngTime converts a pcapng timestamp in units of if_tsresol (10^-n
// seconds, or 2^-n with the top bit set) plus if_tsoffset seconds to UTC.
// Every resolution the 8-bit option can express converts without
// overflow or division by zero.
func ngTime(ts uint64, tsresol uint8, offset int64) time.Time {
	exp := uint(tsresol & 0x7f)
	var sec, nsec uint64
	if tsresol&0x80 == 0 {
		switch {
		case exp < uint(len(pow10)):
			div := pow10[exp]
			sec = ts / div
			frac := ts % div
			if exp <= 9 {
				nsec = frac * pow10[9-exp]
			} else {
				nsec = frac / pow10[exp-9]
			}
		case exp-9 < uint(len(pow10)):
			// 10^exp is above any uint64, so ts is under a second.
			nsec = ts / pow10[exp-9]
		}
	} else {
		if exp < 64 {
			sec = ts >> exp
			frac := ts & (1<<exp - 1)
			hi, lo := bits.Mul64(frac, 1e9)
			nsec = lo >> exp
			if exp > 0 {
				nsec |= hi << (64 - exp)
			}
		} else {
			hi, _ := bits.Mul64(ts, 1e9)
			nsec = hi >> (exp - 64)
		}
	}
	return time.Unix(int64(sec)+offset, int64(nsec)).UTC()
}
