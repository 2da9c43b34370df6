package decrypt

import (
	"encoding/hex"
	"fmt"

	"github.com/padlock-tls/padlock/dissect/iana"
)

// Dir is the sender of a record.
type Dir uint8

const (
	Client Dir = 0 // sent by the client
	Server Dir = 1 // sent by the server
)

func (d Dir) String() string {
	if d == Client {
		return "client"
	}
	return "server"
}

// Epoch is which keys protected a record.
type Epoch uint8

const (
	EpochPlaintext   Epoch = iota // not encrypted: passed through
	EpochEarly                    // TLS 1.3 0-RTT keys (CLIENT_EARLY_TRAFFIC_SECRET)
	EpochHandshake                // TLS 1.3 handshake keys
	EpochApplication              // TLS 1.3 application keys; TLS 1.2 and older: the keys after ChangeCipherSpec
)

func (e Epoch) String() string {
	switch e {
	case EpochPlaintext:
		return "plaintext"
	case EpochEarly:
		return "early"
	case EpochHandshake:
		return "handshake"
	case EpochApplication:
		return "application"
	}
	return fmt.Sprintf("epoch(%d)", uint8(e))
}

// Record content types (RFC 8446, Section 5.1).
const (
	typeChangeCipherSpec = 20
	typeAlert            = 21
	typeHandshake        = 22
	typeApplicationData  = 23
)

// Handshake message types that move the key schedule (RFC 8446, Section 4).
const (
	hsEndOfEarlyData = 5
	hsFinished       = 20
	hsKeyUpdate      = 24
)

// Params are what the handshake agreed, as the caller dissected it from
// the ClientHello and ServerHello.
type Params struct {
	// Version is the negotiated version: 0x0304 (the ServerHello's
	// supported_versions), 0x0303, 0x0302 or 0x0301.
	Version uint16
	// CipherSuite is the ServerHello's cipher suite.
	CipherSuite uint16
	// ClientRandom and ServerRandom are the hellos' 32-byte randoms. The
	// server random is needed for TLS 1.2 and older only.
	ClientRandom, ServerRandom []byte
	// EncryptThenMAC is set when both hellos carried encrypt_then_mac
	// (RFC 7366); it matters for CBC suites in TLS 1.2 and older only.
	EncryptThenMAC bool
	// EarlyData is set when the ClientHello carried early_data (TLS 1.3):
	// the client's first encrypted records may be 0-RTT data.
	EarlyData bool
}

// Plaintext is one record after decryption.
type Plaintext struct {
	// Type is the content type: the inner type of a TLS 1.3 record (the
	// last non-zero byte of TLSInnerPlaintext), the record's own type
	// otherwise.
	Type uint8
	// Data is the decrypted fragment, a new slice; for a record passed
	// through (Decrypted false) it is the body given to Record.
	Data []byte
	// Decrypted is false for records that were not encrypted (hellos,
	// ChangeCipherSpec, anything before a TLS 1.2 ChangeCipherSpec).
	Decrypted bool
	// Epoch says which keys opened the record; Generation counts TLS 1.3
	// KeyUpdates of the application keys (0 for CLIENT/SERVER_TRAFFIC_SECRET_0).
	Epoch      Epoch
	Generation int
	// Seq is the record's sequence number under its keys.
	Seq uint64
	// Lost is the number of records of this direction taken as lost
	// before this one: after Gap, the record opened at a later sequence
	// number (or under the next keys) than the one expected.
	Lost uint64
}

// Stats count what a Conn did, per direction (index Client, Server).
type Stats struct {
	Decrypted    [2]int // records decrypted
	Failed       [2]int // records that did not decrypt (errors returned)
	KeyUpdates   [2]int // TLS 1.3 KeyUpdates followed
	EarlyData    int    // client records decrypted with the 0-RTT keys
	EarlySkipped int    // client records skipped as rejected 0-RTT data
	// EarlyRejected is set when the client's records went from the 0-RTT
	// keys to the handshake keys without an EndOfEarlyData: the server
	// rejected the early data (which it then skipped unread, RFC 8446
	// Section 4.2.10), though the key log could still open it.
	EarlyRejected bool
	// Renegotiations counts the TLS 1.2 renegotiations followed, per
	// direction (Renegotiate).
	Renegotiations [2]int
}

// Conn decrypts the records of one connection. Feed each direction's
// records in stream order, every record from the first one after the
// ServerHello (earlier ones may be fed too: plaintext passes through);
// the two directions are independent, so records of one direction that
// came before the caller could call New may be fed late. A Conn is not
// safe for concurrent use.
type Conn struct {
	p     Params
	suite suite
	tls13 bool
	keys  Keys
	sec   *Secrets
	dirs  [2]direction
	stats Stats
}

// direction is one sender's key state.
type direction struct {
	dir     Dir
	records int // records fed
	seq     uint64
	epoch   Epoch
	gen     int
	prot    protector // keys of (epoch, gen); nil until first needed

	// TLS 1.3
	appSecret []byte    // traffic secret of generation gen
	hs        hsScanner // handshake message boundaries in decrypted records
	opened    bool      // a record of this direction decrypted under handshake keys or later

	// after Gap: the next records are also tried at later sequence
	// numbers; gapTries counts the records that failed since
	gap      bool
	gapTries int

	// TLS 1.2 and older
	renegotiated bool      // a renegotiation's ChangeCipherSpec came with no keys for it
	pending      protector // keys of a renegotiation, from the next ChangeCipherSpec (Renegotiate)
}

// Gap bounds: after a gap a record is tried at up to maxGapRecords later
// sequence numbers, for up to maxGapTries records; beyond that the keys are
// taken as wrong rather than the records as lost.
const (
	maxGapRecords = 64
	maxGapTries   = 8
)

// Gap tells the Conn that the capture lost bytes of a direction's stream
// (a reassembly gap): whole records may be missing, so the sequence number
// of the next one is not known. The next records are tried at later
// sequence numbers too, for the AEAD suites and TLS 1.1+ CBC; an RC4
// stream or a TLS 1.0 CBC chain does not survive a lost record.
func (c *Conn) Gap(from Dir) {
	if from <= Server {
		d := &c.dirs[from]
		d.gap, d.gapTries = true, 0
		d.hs = hsScanner{lost: true}
	}
}

// gapFailed notes a record that failed while a gap search was on.
func (d *direction) gapFailed() {
	if d.gap {
		d.gapTries++
		if d.gapTries >= maxGapTries {
			d.gap = false
		}
	}
}

// protector opens the records of one direction under one set of keys.
type protector interface {
	// open decrypts body, returning the content type and plaintext, or
	// an error code and message.
	open(seq uint64, typ uint8, version uint16, body []byte) (uint8, []byte, Code, string)
}

// New returns the decryptor of a connection whose client random keys
// finds. It fails with an *Error: CodeNoKey when keys has no line for
// the client random, CodeUnsupportedVersion, CodeUnsupportedSuite,
// CodeBadParams, or CodeMissingSecret for a TLS 1.2 connection without
// CLIENT_RANDOM. A TLS 1.3 connection missing some of its secrets still
// gets a Conn: the records that need them fail with CodeMissingSecret.
func New(p Params, keys Keys) (*Conn, error) {
	var tls13 bool
	switch p.Version {
	case 0x0304:
		tls13 = true
	case 0x0301, 0x0302, 0x0303:
	default:
		return nil, &Error{Code: CodeUnsupportedVersion, Msg: fmt.Sprintf("version 0x%04X is not supported (TLS 1.0 to 1.3)", p.Version)}
	}
	s, ok := lookupSuite(p.CipherSuite)
	if !ok || s.tls13 != tls13 {
		name, _ := iana.CipherSuiteName(p.CipherSuite)
		if name == "" {
			name = fmt.Sprintf("0x%04X", p.CipherSuite)
		}
		return nil, &Error{Code: CodeUnsupportedSuite, Msg: fmt.Sprintf("cipher suite %s (0x%04X) is not supported with version 0x%04X", name, p.CipherSuite, p.Version)}
	}
	if len(p.ClientRandom) != 32 || (!tls13 && len(p.ServerRandom) != 32) {
		return nil, &Error{Code: CodeBadParams, Msg: fmt.Sprintf("client random (%d bytes) and server random (%d bytes) must be 32 bytes", len(p.ClientRandom), len(p.ServerRandom))}
	}
	c := &Conn{p: p, suite: s, tls13: tls13, keys: keys}
	c.dirs[Client].dir, c.dirs[Server].dir = Client, Server
	if keys != nil {
		c.sec, _ = keys.Lookup(p.ClientRandom)
	}
	if c.sec == nil {
		return nil, &Error{Code: CodeNoKey, Msg: "no key for client random " + hex.EncodeToString(p.ClientRandom)}
	}
	if tls13 {
		c.dirs[Client].epoch, c.dirs[Server].epoch = EpochHandshake, EpochHandshake
		if p.EarlyData {
			c.dirs[Client].epoch = EpochEarly
		}
		return c, nil
	}
	if err := c.initTLS12(); err != nil {
		return nil, err
	}
	return c, nil
}

// Suite returns the cipher suite's name.
func (c *Conn) Suite() string { return c.suite.name }

// Labels returns the key log labels found for the connection.
func (c *Conn) Labels() []string { return c.sec.Labels() }

// Stats returns the counters so far.
func (c *Conn) Stats() Stats { return c.stats }

// Record decrypts one record sent by from: its header's content type and
// version, and its body. It returns the plaintext, or an *Error saying
// what failed at which record; it never returns unauthenticated bytes.
// Records that are not encrypted come back with Decrypted false.
func (c *Conn) Record(from Dir, typ uint8, version uint16, body []byte) (Plaintext, error) {
	if from > Server {
		return Plaintext{}, &Error{Code: CodeBadParams, Msg: fmt.Sprintf("direction %d is neither client nor server", from)}
	}
	d := &c.dirs[from]
	d.records++
	var pt Plaintext
	var err error
	if c.tls13 {
		pt, err = c.record13(d, typ, version, body)
	} else {
		pt, err = c.record12(d, typ, version, body)
	}
	switch {
	case err != nil:
		c.stats.Failed[from]++
	case pt.Decrypted:
		c.stats.Decrypted[from]++
	}
	return pt, err
}

func (c *Conn) fail(d *direction, seq uint64, code Code, format string, args ...any) error {
	return &Error{Code: code, Dir: d.dir, Record: d.records, Seq: seq, Msg: fmt.Sprintf(format, args...)}
}

func passThrough(typ uint8, body []byte) Plaintext {
	return Plaintext{Type: typ, Data: body}
}
