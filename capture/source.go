// Package capture reads packets from pcap and pcapng captures (plain or
// gzip-compressed, from a file or stdin) and decodes them down to TCP
// segments, defragmenting IP on the way. It is pure Go: no cgo, no libpcap.
//
// Frame numbers are assigned here, 1-based, counting every packet read,
// exactly like Wireshark's frame.number, so any frame padlock reports can be
// found in Wireshark under the same number.
package capture

import (
	"bufio"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"time"

	"github.com/gopacket/gopacket/layers"
)

// Packet is one packet as read from the capture.
type Packet struct {
	Frame     int       // 1-based, counts every packet read, like Wireshark's frame.number
	Time      time.Time // UTC; zero for a pcapng Simple Packet Block, which has no timestamp
	Data      []byte    // captured bytes; owned by the Packet (safe to keep)
	Length    int       // original length on the wire
	LinkType  layers.LinkType
	Interface int // pcapng interface index (0 for pcap), counted across sections as Wireshark's frame.interface_id is
}

const (
	// readBufferSize is the read-ahead on the file or stdin. 256 KiB keeps
	// syscalls (and gzip's output chunks) large for throughput while
	// holding any single packet up to libpcap's MAXIMUM_SNAPLEN.
	readBufferSize = 256 << 10

	// maxCaptureLen is the largest captured length accepted for one
	// packet. Wireshark and tcpdump stop at 262144 bytes
	// (WTAP_MAX_PACKET_SIZE_STANDARD, MAXIMUM_SNAPLEN); we allow four
	// times that for BIG TCP / GRO captures written by other tools. A
	// larger length is a damaged header, and the cap bounds what one lying
	// header can make us allocate.
	maxCaptureLen = 1 << 20

	// maxBlockLen is the largest pcapng block accepted, Wireshark's
	// MAX_BLOCK_SIZE (16 MiB). Larger means the block length is damaged.
	maxBlockLen = 16 << 20
)

// File magic numbers, read as big-endian from the first four bytes.
const (
	magicPcapMicroBE = 0xa1b2c3d4 // written by a big-endian host
	magicPcapMicroLE = 0xd4c3b2a1 // the usual one, little-endian host
	magicPcapNanoBE  = 0xa1b23c4d
	magicPcapNanoLE  = 0x4d3cb2a1
	magicPcapng      = 0x0a0d0d0a // section header block type, a palindrome
	magicZstd        = 0x28b52ffd
	magicLZ4         = 0x04224d18
)

type format uint8

const (
	formatPcap format = iota + 1
	formatPcapng
)

// errTruncated is returned by the read helpers when the input ends inside
// the bytes asked for; the caller turns it into a warning and io.EOF.
var errTruncated = errors.New("capture: truncated")

// errClosed is returned by Next after Close.
var errClosed = errors.New("capture: source is closed")

// Source reads packets from a pcap or pcapng stream, gzip-compressed or not,
// detected by magic bytes (not by file name). It is not safe for concurrent
// use.
type Source struct {
	r       reader
	mr      *mapReader   // non-nil when r reads a mapping of the file (mmap_linux.go)
	file    *os.File     // closed by Close when Open opened it
	gz      *gzip.Reader // nil unless the input is gzip-compressed
	name    string
	format  format
	be      bool  // the file (pcap) or current section (pcapng) is big-endian
	off     int64 // bytes of (decompressed) input consumed
	frame   int   // frames returned so far
	err     error // sticky: io.EOF or the error that stopped reading
	warns   []string
	scratch []byte // reused buffer for pcapng metadata blocks
	shared  bool   // NextShared: packet data points into the read buffer

	// pcap
	nanoFactor int64 // 1 for nanosecond files, 1000 for microsecond ones
	linkType   layers.LinkType
	lastSec    int64 // the last packet's timestamp (seconds), for resyncPcap

	// pcapng
	block    int       // blocks read, 1-based index of the current one
	ifaces   []ngIface // interfaces of the current section
	ifBase   int       // interfaces defined in earlier sections
	skipping bool      // inside a section with an unsupported version
	secrets  secrets   // TLS key logs from decryption secrets blocks (secrets.go)
}

// reader is what a Source reads its input through: a bufio.Reader (over
// stdin, gzip, a pipe, a file that cannot be mapped) or a mapReader over a
// mapping of the whole file. Peek and Discard behave as bufio's do (a short
// result comes with the error that cut it), except that a mapReader's Peek
// has no buffer size to stop at.
type reader interface {
	Peek(n int) ([]byte, error)
	Discard(n int) (int, error)
	Read(p []byte) (int, error)
}

// Open opens a capture file; path "-" reads stdin. Errors name the file.
//
// A regular uncompressed file is read through a read-only memory mapping
// where the platform allows (64-bit Linux), which saves copying it out of
// the page cache; see Stable for what that means for NextShared. Anything
// else, and a file that cannot be mapped, is read through a buffer.
func Open(path string, stdin io.Reader) (*Source, error) {
	if path == "-" {
		if stdin == nil {
			return nil, errors.New("capture: stdin: no standard input")
		}
		return newSource(stdin, "stdin")
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("capture: %w", err)
	}
	if mr := mapFile(f); mr != nil {
		s, err := newMappedSource(mr, path)
		if err != nil {
			f.Close()
			return nil, err
		}
		s.file = f
		return s, nil
	}
	s, err := newSource(f, path)
	if err != nil {
		f.Close()
		return nil, err
	}
	s.file = f
	return s, nil
}

// NewSource reads a capture from r. It reads the file header now and
// returns an error for input that is not a pcap or pcapng capture.
func NewSource(r io.Reader) (*Source, error) {
	return newSource(r, "")
}

func newSource(r io.Reader, name string) (*Source, error) {
	s := &Source{name: name}
	br := bufio.NewReaderSize(r, readBufferSize)
	compressed := ""
	if b, _ := br.Peek(2); len(b) == 2 && b[0] == 0x1f && b[1] == 0x8b {
		gz, err := gzip.NewReader(br)
		if err != nil {
			return nil, s.failure("gzip: %v", err)
		}
		s.gz = gz
		br = bufio.NewReaderSize(gz, readBufferSize)
		compressed = "gzip-compressed, "
	}
	s.r = br
	if err := s.readFileHeader(compressed); err != nil {
		return nil, err
	}
	return s, nil
}

// newMappedSource reads the file header from a mapping; a fault on it
// (the file shrank since mapFile) is an error, as in Next.
func newMappedSource(mr *mapReader, name string) (s *Source, err error) {
	s = &Source{name: name, r: mr, mr: mr}
	old := debug.SetPanicOnFault(true)
	defer func() {
		debug.SetPanicOnFault(old)
		if r := recover(); r != nil {
			s, err = nil, s.fault(r)
		}
		if err != nil {
			mr.close()
		}
	}()
	if err := s.readFileHeader(""); err != nil {
		return nil, err
	}
	return s, nil
}

// readFileHeader recognises the format by its magic and reads the pcap
// file header. compressed says how the input was unpacked, for errors.
func (s *Source) readFileHeader(compressed string) error {
	b, err := s.r.Peek(4)
	if len(b) < 4 {
		if err != nil && !isEOF(err) {
			return s.failure("%v", err)
		}
		if len(b) == 0 {
			return s.failure("not a pcap or pcapng file (%sempty)", compressed)
		}
		return s.failure("not a pcap or pcapng file (%sonly %d bytes)", compressed, len(b))
	}
	switch magic := binary.BigEndian.Uint32(b); magic {
	case magicPcapMicroBE, magicPcapMicroLE, magicPcapNanoBE, magicPcapNanoLE:
		if err := s.readPcapHeader(); err != nil {
			return s.failure("%v", err)
		}
	case magicPcapng:
		s.format = formatPcapng
	case magicZstd:
		return s.failure("zstd-compressed input is not supported: decompress it first (zstd -d)")
	case magicLZ4:
		return s.failure("lz4-compressed input is not supported: decompress it first (lz4 -d)")
	default:
		return s.failure("not a pcap or pcapng file (%smagic 0x%08x)", compressed, magic)
	}
	return nil
}

// Next returns the next packet. It returns io.EOF at the end of the
// capture, also when the file is cut inside a packet or block: every
// complete packet comes first, and Warnings says where the cut was. Any
// other error means the file is damaged (or unreadable) at that point: the
// packets returned so far are good, no more follow, and Next keeps
// returning that error.
//
// A mapped file (see Stable) that is cut shorter while it is read makes
// reading it fault; Next turns that into the error "capture: FILE: the
// file shrank while being read". (Bytes between the new end and the end of
// its memory page read as zeros, so a few bogus packets may come first.)
func (s *Source) Next() (Packet, error) {
	if s.mr != nil {
		return s.nextMapped()
	}
	return s.next()
}

// nextMapped is next with a fault on the mapping turned into an error.
func (s *Source) nextMapped() (p Packet, err error) {
	old := debug.SetPanicOnFault(true)
	defer func() {
		debug.SetPanicOnFault(old)
		if r := recover(); r != nil {
			p, err = Packet{}, s.fault(r)
		}
	}()
	return s.next()
}

// fault is the error for a panic r that a fault on the mapping raised
// (the file shrank under it, so its end is gone); it panics again with
// any other r. The error sticks, as any that stops reading.
func (s *Source) fault(r any) error {
	if f, ok := r.(interface{ Addr() uintptr }); !ok || !s.mr.holds(f.Addr()) {
		panic(r)
	}
	s.err = s.failure("the file shrank while being read")
	return s.err
}

func (s *Source) next() (Packet, error) {
	if s.err != nil {
		return Packet{}, s.err
	}
	var p Packet
	var err error
	if s.format == formatPcap {
		p, err = s.nextPcap()
	} else {
		p, err = s.nextPcapng()
	}
	if err != nil {
		s.err = err
		return Packet{}, err
	}
	return p, nil
}

// NextShared is Next without a copy: the packet's Data points into the
// reader's buffer and is valid only until the next call to Next or
// NextShared, unless Stable. Callers that keep a packet (or its bytes) past
// that must copy it. It is what a pipeline that is done with each packet
// before reading the next one uses, and costs no allocation per packet.
func (s *Source) NextShared() (Packet, error) {
	s.shared = true
	p, err := s.Next()
	s.shared = false
	return p, err
}

// Stable reports whether the Data of packets returned by NextShared stays
// valid and unchanged until Close, so that a caller may keep it without a
// copy. It is true for a file Open has mapped into memory: Data is then a
// slice of the mapping (capacity limited to its length, never to be
// written to). Close unmaps the file, and Data from NextShared is invalid
// after it: reading it faults.
//
// "Unchanged" assumes that the file is only ever appended to (as tcpdump
// writes it), not rewritten in place. If the file is cut shorter while it
// is mapped, reading Data past the new end faults (SIGBUS). Next and
// NextShared turn that into an error; a caller that reads Data in other
// goroutines must expect the same there and can do the same with
// runtime/debug.SetPanicOnFault and recover.
func (s *Source) Stable() bool {
	return s.mr != nil
}

// Warnings describes damage found at file level so far, such as a file cut
// inside a packet, in the order found.
func (s *Source) Warnings() []string {
	return append([]string(nil), s.warns...)
}

// Format is "pcap" or "pcapng".
func (s *Source) Format() string {
	if s.format == formatPcap {
		return "pcap"
	}
	return "pcapng"
}

// Close releases the file opened by Open (stdin is left open) and unmaps
// it, which ends the validity of Stable Data. Next returns an error after
// Close.
func (s *Source) Close() error {
	if s.err == nil || s.err == io.EOF {
		s.err = errClosed
	}
	var err error
	if s.mr != nil {
		err = s.mr.close()
		s.mr = nil
		s.r = nil
	}
	if s.gz != nil {
		err = s.gz.Close()
		s.gz = nil
	}
	if s.file != nil {
		if cerr := s.file.Close(); cerr != nil {
			err = cerr
		}
		s.file = nil
	}
	return err
}

func isEOF(err error) bool {
	return err == io.EOF || err == io.ErrUnexpectedEOF
}

// warnf records a warning and returns io.EOF: a cut file ends the capture
// cleanly after its last complete packet.
func (s *Source) warnf(format string, args ...any) error {
	s.warns = append(s.warns, fmt.Sprintf(format, args...))
	return io.EOF
}

// damaged is the error for a file whose structure is broken at this
// point (pcapng reading looks for the next valid block past it).
func (s *Source) damaged(format string, args ...any) error {
	return &damageError{s.failure(format, args...)}
}

// failure is an error that names the file.
func (s *Source) failure(format string, args ...any) error {
	msg := fmt.Sprintf(format, args...)
	if s.name != "" {
		return fmt.Errorf("capture: %s: %s", s.name, msg)
	}
	return fmt.Errorf("capture: %s", msg)
}

// damageError is broken file structure, as opposed to a failed read.
type damageError struct{ err error }

func (e *damageError) Error() string { return e.err.Error() }
func (e *damageError) Unwrap() error { return e.err }

// readErr classifies a read error: errTruncated when the input ended, the
// error itself (prefixed) otherwise, such as a gzip checksum mismatch.
func (s *Source) readErr(err error) error {
	if isEOF(err) {
		return errTruncated
	}
	return s.failure("read: %v", err)
}

// peek returns the next n bytes without consuming them. When the input
// ends first, it counts the bytes that were there in s.off (reading stops
// there anyway) and returns errTruncated.
func (s *Source) peek(n int) ([]byte, error) {
	b, err := s.r.Peek(n)
	if len(b) < n {
		s.off += int64(len(b))
		return nil, s.readErr(err)
	}
	return b, nil
}

// discard consumes n bytes.
func (s *Source) discard(n int) error {
	m, err := s.r.Discard(n)
	s.off += int64(m)
	if m < n {
		return s.readErr(err)
	}
	return nil
}

// readFull fills b.
func (s *Source) readFull(b []byte) error {
	m, err := io.ReadFull(s.r, b)
	s.off += int64(m)
	if m < len(b) {
		return s.readErr(err)
	}
	return nil
}

func (s *Source) u16(b []byte) uint16 {
	if s.be {
		return binary.BigEndian.Uint16(b)
	}
	return binary.LittleEndian.Uint16(b)
}

func (s *Source) u32(b []byte) uint32 {
	if s.be {
		return binary.BigEndian.Uint32(b)
	}
	return binary.LittleEndian.Uint32(b)
}

func (s *Source) u64(b []byte) uint64 {
	if s.be {
		return binary.BigEndian.Uint64(b)
	}
	return binary.LittleEndian.Uint64(b)
}

// pcap (https://datatracker.ietf.org/doc/draft-ietf-opsawg-pcap/):
//
//	file header:   magic u32, version_major u16 (2), version_minor u16 (4),
//	               thiszone i32, sigfigs u32, snaplen u32, linktype u32
//	record header: ts_sec u32, ts_frac u32 (µs or ns by magic),
//	               incl_len u32, orig_len u32, then incl_len bytes
const (
	pcapFileHeaderLen   = 24
	pcapRecordHeaderLen = 16
)

func (s *Source) readPcapHeader() error {
	s.format = formatPcap
	h, err := s.r.Peek(pcapFileHeaderLen)
	if len(h) < pcapFileHeaderLen {
		if !isEOF(err) {
			return fmt.Errorf("read: %v", err)
		}
		return fmt.Errorf("pcap file header truncated: got %d of %d bytes", len(h), pcapFileHeaderLen)
	}
	switch binary.BigEndian.Uint32(h) {
	case magicPcapMicroBE:
		s.be, s.nanoFactor = true, 1000
	case magicPcapMicroLE:
		s.be, s.nanoFactor = false, 1000
	case magicPcapNanoBE:
		s.be, s.nanoFactor = true, 1
	case magicPcapNanoLE:
		s.be, s.nanoFactor = false, 1
	}
	major, minor := s.u16(h[4:6]), s.u16(h[6:8])
	if major != 2 {
		return fmt.Errorf("unsupported pcap version %d.%d", major, minor)
	}
	// The upper 16 bits of the link type field hold FCS information
	// (libpcap's LT_LINKTYPE masks them off the same way).
	s.linkType = layers.LinkType(s.u32(h[20:24]) & 0xffff)
	return s.discard(pcapFileHeaderLen)
}

func (s *Source) nextPcap() (Packet, error) {
	for {
		start := s.off
		p, err := s.readPcapRecord()
		if err == nil || !s.recoverPcap(start, err) {
			return p, err
		}
	}
}

// recoverPcap resyncs after damage (see resyncPcap); apart from nextPcap
// so that the good path does not allocate.
func (s *Source) recoverPcap(start int64, err error) bool {
	var damage *damageError
	return errors.As(err, &damage) && s.resyncPcap(start, err)
}

func (s *Source) readPcapRecord() (Packet, error) {
	frame := s.frame + 1
	start := s.off
	h, err := s.r.Peek(pcapRecordHeaderLen)
	if len(h) == 0 && err == io.EOF {
		return Packet{}, io.EOF
	}
	if len(h) < pcapRecordHeaderLen {
		if e := s.readErr(err); e != errTruncated {
			return Packet{}, e
		}
		return Packet{}, s.warnf("capture: file truncated in header of packet %d (frame %d) at offset %d: got %d of %d bytes",
			frame, frame, start, len(h), pcapRecordHeaderLen)
	}
	sec := int64(s.u32(h[0:4]))
	frac := int64(s.u32(h[4:8]))
	caplen := s.u32(h[8:12])
	origlen := s.u32(h[12:16])
	if caplen > maxCaptureLen {
		return Packet{}, s.damaged("packet %d (frame %d) at offset %d: captured length %d is over the maximum %d; the file is damaged",
			frame, frame, start, caplen, maxCaptureLen)
	}
	var data []byte
	if s.shared {
		// The header and data are buffered together, so discarding them
		// moves nothing and data stays valid until the next read.
		if b, _ := s.r.Peek(pcapRecordHeaderLen + int(caplen)); len(b) == pcapRecordHeaderLen+int(caplen) {
			data = b[pcapRecordHeaderLen:len(b):len(b)]
		}
	}
	if err := s.discard(pcapRecordHeaderLen); err != nil {
		return Packet{}, err
	}
	if data != nil {
		err = s.discard(int(caplen))
	} else {
		data = make([]byte, caplen)
		err = s.readFull(data)
	}
	if err != nil {
		if err != errTruncated {
			return Packet{}, err
		}
		return Packet{}, s.warnf("capture: file truncated in packet %d (frame %d): got %d of %d bytes",
			frame, frame, s.off-start-pcapRecordHeaderLen, caplen)
	}
	s.frame = frame
	s.lastSec = sec
	return Packet{
		Frame:    frame,
		Time:     time.Unix(sec, frac*s.nanoFactor).UTC(),
		Data:     data,
		Length:   int(origlen),
		LinkType: s.linkType,
	}, nil
}

// resyncPcap looks, after the damaged packet record at start, for the next
// offset where two plausible records follow each other (or one ends the
// file), and goes on reading there with a warning saying how much was
// skipped. A classic pcap has no block markers or trailers, so a record is
// known only by its header looking like its neighbours': a timestamp
// within a day of the last good packet's, a fraction under a second, and
// 0 < captured <= original <= maxCaptureLen. Wireshark stops at the
// damage; padlock recovers what follows, numbering its frames on from the
// last good one. It reports false, and reading stops, when nothing
// plausible follows within maxResync bytes.
func (s *Source) resyncPcap(start int64, cause error) bool {
	if s.off == start && s.discard(1) != nil {
		return false
	}
	return s.scanTo(start, cause, 1, "packet record", s.plausibleRecords)
}

// plausibleRecords reports whether a plausible packet record starts at
// the read position and is followed by another one or by the end of the
// file.
func (s *Source) plausibleRecords() bool {
	h, _ := s.r.Peek(pcapRecordHeaderLen)
	caplen, ok := s.plausibleRecord(h, s.lastSec, s.frame > 0)
	if !ok {
		return false
	}
	end := pcapRecordHeaderLen + caplen
	if s.mr == nil && end+pcapRecordHeaderLen > readBufferSize/2 {
		// Through a buffer, a peek this long after each byte skipped
		// would move the buffer's contents every time: a hostile run of
		// such headers would make the search quadratic. Up to half the
		// buffer, a move happens at most once per half buffer skipped.
		return false
	}
	b, err := s.r.Peek(end + pcapRecordHeaderLen)
	if len(b) == end && isEOF(err) {
		return true // the last record of the file
	}
	if len(b) < end+pcapRecordHeaderLen {
		return false
	}
	_, ok = s.plausibleRecord(b[end:], int64(s.u32(h[0:4])), true)
	return ok
}

// plausibleRecord checks the packet record header h (see resyncPcap),
// with a timestamp near sec when near is set, and returns its captured
// length.
func (s *Source) plausibleRecord(h []byte, sec int64, near bool) (int, bool) {
	if len(h) < pcapRecordHeaderLen {
		return 0, false
	}
	ts, frac := int64(s.u32(h[0:4])), int64(s.u32(h[4:8]))
	caplen, origlen := s.u32(h[8:12]), s.u32(h[12:16])
	const day = 24 * 60 * 60
	switch {
	case frac*s.nanoFactor >= 1e9:
		return 0, false
	case caplen == 0 || caplen > origlen || origlen > maxCaptureLen:
		return 0, false
	case near && (ts < sec-day || ts > sec+day):
		return 0, false
	}
	return int(caplen), true
}
