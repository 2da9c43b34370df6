package decrypt

import (
	"bufio"
	"bytes"
	"encoding/hex"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"
)

// Secrets are the key log lines of one connection, keyed by its client
// random. A nil field was not in the log. Callers must not modify them.
type Secrets struct {
	MasterSecret           []byte // CLIENT_RANDOM: TLS 1.2 and older, 48 bytes
	ClientEarlyTraffic     []byte // CLIENT_EARLY_TRAFFIC_SECRET (0-RTT)
	ClientHandshakeTraffic []byte // CLIENT_HANDSHAKE_TRAFFIC_SECRET
	ServerHandshakeTraffic []byte // SERVER_HANDSHAKE_TRAFFIC_SECRET
	ClientTraffic0         []byte // CLIENT_TRAFFIC_SECRET_0
	ServerTraffic0         []byte // SERVER_TRAFFIC_SECRET_0
	EarlyExporter          []byte // EARLY_EXPORTER_SECRET (kept, not used for records)
	Exporter               []byte // EXPORTER_SECRET (kept, not used for records)

	// ClientTrafficN and ServerTrafficN are the secrets after each
	// KeyUpdate, in log order, from OpenSSL's CLIENT_TRAFFIC_SECRET_N and
	// SERVER_TRAFFIC_SECRET_N lines. Decryption derives them itself (RFC
	// 8446, Section 7.2); they are kept for checking.
	ClientTrafficN [][]byte
	ServerTrafficN [][]byte
}

// Labels of the NSS key log format
// (https://firefox-source-docs.mozilla.org/security/nss/legacy/key_log_format/,
// also draft-ietf-tls-keylogfile).
const (
	LabelClientRandom           = "CLIENT_RANDOM"
	LabelClientEarlyTraffic     = "CLIENT_EARLY_TRAFFIC_SECRET"
	LabelClientHandshakeTraffic = "CLIENT_HANDSHAKE_TRAFFIC_SECRET"
	LabelServerHandshakeTraffic = "SERVER_HANDSHAKE_TRAFFIC_SECRET"
	LabelClientTraffic0         = "CLIENT_TRAFFIC_SECRET_0"
	LabelServerTraffic0         = "SERVER_TRAFFIC_SECRET_0"
	LabelEarlyExporter          = "EARLY_EXPORTER_SECRET"
	LabelExporter               = "EXPORTER_SECRET"

	LabelClientTrafficN = "CLIENT_TRAFFIC_SECRET_N" // OpenSSL, one line per KeyUpdate
	LabelServerTrafficN = "SERVER_TRAFFIC_SECRET_N"

	labelRSA = "RSA" // accepted and not used, see addLine
)

// field returns the Secrets field a label fills, nil for unknown labels.
func (s *Secrets) field(label string) *[]byte {
	switch label {
	case LabelClientRandom:
		return &s.MasterSecret
	case LabelClientEarlyTraffic:
		return &s.ClientEarlyTraffic
	case LabelClientHandshakeTraffic:
		return &s.ClientHandshakeTraffic
	case LabelServerHandshakeTraffic:
		return &s.ServerHandshakeTraffic
	case LabelClientTraffic0:
		return &s.ClientTraffic0
	case LabelServerTraffic0:
		return &s.ServerTraffic0
	case LabelEarlyExporter:
		return &s.EarlyExporter
	case LabelExporter:
		return &s.Exporter
	}
	return nil
}

// Labels returns the labels present, in the order of the constants above.
func (s *Secrets) Labels() []string {
	var out []string
	for _, l := range []string{LabelClientRandom, LabelClientEarlyTraffic, LabelClientHandshakeTraffic,
		LabelServerHandshakeTraffic, LabelClientTraffic0, LabelServerTraffic0, LabelEarlyExporter, LabelExporter} {
		if *s.field(l) != nil {
			out = append(out, l)
		}
	}
	if len(s.ClientTrafficN) > 0 {
		out = append(out, LabelClientTrafficN)
	}
	if len(s.ServerTrafficN) > 0 {
		out = append(out, LabelServerTrafficN)
	}
	return out
}

// updates returns the list a _N label appends to, nil for other labels.
func (s *Secrets) updates(label string) *[][]byte {
	switch label {
	case LabelClientTrafficN:
		return &s.ClientTrafficN
	case LabelServerTrafficN:
		return &s.ServerTrafficN
	}
	return nil
}

// addUpdate appends sec to the list unless it is there already.
func addUpdate(list *[][]byte, sec []byte) {
	for _, have := range *list {
		if bytes.Equal(have, sec) {
			return
		}
	}
	*list = append(*list, sec)
}

// Keys finds the secrets of a connection by its 32-byte client random.
// *KeyLog and *FileKeyLog implement it.
type Keys interface {
	Lookup(clientRandom []byte) (*Secrets, bool)
}

// LineError is a key log line that could not be used. The other lines
// are kept.
type LineError struct {
	Source string // what Read was told the input is: a file name, "SSLKEYLOGFILE", "pcapng DSB 1"
	Line   int    // 1-based
	Msg    string
}

func (e *LineError) Error() string {
	return fmt.Sprintf("decrypt: key log %s line %d: %s", e.Source, e.Line, e.Msg)
}

// maxKeyLogLine bounds one line; the longest valid line (a label, 64 hex
// digits, a 48-byte SHA-384 secret in hex) is under 200 bytes.
const maxKeyLogLine = 4096

// KeyLog is a set of key log secrets by client random, merged from any
// number of inputs. It is safe for concurrent use: a reader may add the
// key log of a pcapng decryption secrets block while workers look keys
// up. Secrets it returned are never changed afterwards (an addition
// replaces them). The zero value is empty and ready to use.
type KeyLog struct {
	mu sync.RWMutex
	m  map[[32]byte]*Secrets
}

// Len returns the number of client randoms with at least one secret.
func (k *KeyLog) Len() int {
	k.mu.RLock()
	defer k.mu.RUnlock()
	return len(k.m)
}

// Lookup implements Keys.
func (k *KeyLog) Lookup(clientRandom []byte) (*Secrets, bool) {
	if len(clientRandom) != 32 || k == nil {
		return nil, false
	}
	k.mu.RLock()
	defer k.mu.RUnlock()
	s, ok := k.m[[32]byte(clientRandom)]
	return s, ok
}

// clone copies s, so that a copy can change while s stays as it was.
func (s *Secrets) clone() *Secrets {
	c := *s
	c.ClientTrafficN = slices.Clone(s.ClientTrafficN)
	c.ServerTrafficN = slices.Clone(s.ServerTrafficN)
	return &c
}

// fill adds the secrets of o that s lacks.
func (s *Secrets) fill(o *Secrets) {
	for _, l := range o.Labels() {
		if list := s.updates(l); list != nil {
			for _, sec := range *o.updates(l) {
				addUpdate(list, sec)
			}
		} else if dst := s.field(l); *dst == nil {
			*dst = *o.field(l)
		}
	}
}

// Join returns Keys that asks each of keys and merges what they have for
// a client random, a secret from an earlier one winning: a --keylog
// file, SSLKEYLOGFILE and the pcapng's secrets, say. Nil entries are
// skipped.
func Join(keys ...Keys) Keys { return joined(keys) }

type joined []Keys

// Refresher is a Keys whose secrets can grow while padlock runs:
// FileKeyLog re-reads its file. A Conn that finds a secret it needs
// missing (the endpoint had logged only the handshake secrets when the
// handshake was seen, say) calls Refresh instead of Lookup. Keys that
// wrap FileKeyLogs should implement it too, as Join does.
type Refresher interface {
	Keys
	Refresh(clientRandom []byte) (*Secrets, bool)
}

// again looks clientRandom up once more, refreshing keys that can.
func again(k Keys, clientRandom []byte) (*Secrets, bool) {
	if r, ok := k.(Refresher); ok {
		return r.Refresh(clientRandom)
	}
	return k.Lookup(clientRandom)
}

// Refresh implements Refresher.
func (j joined) Refresh(clientRandom []byte) (*Secrets, bool) {
	return j.lookup(clientRandom, again)
}

func (j joined) Lookup(clientRandom []byte) (*Secrets, bool) {
	return j.lookup(clientRandom, Keys.Lookup)
}

func (j joined) lookup(clientRandom []byte, get func(Keys, []byte) (*Secrets, bool)) (*Secrets, bool) {
	var out *Secrets
	for _, k := range j {
		if k == nil {
			continue
		}
		s, ok := get(k, clientRandom)
		switch {
		case !ok || s == out:
		case out == nil:
			out = s
		default:
			m := out.clone()
			m.fill(s)
			out = m
		}
	}
	return out, out != nil
}

// ParseKeyLog reads a key log; see KeyLog.Read.
func ParseKeyLog(r io.Reader, source string) (*KeyLog, []*LineError, error) {
	k := &KeyLog{}
	bad, err := k.Read(r, source)
	return k, bad, err
}

// Read adds the lines of an NSS key log to k: "LABEL <client random hex>
// <secret hex>", '#' comments, blank lines, CRLF line ends. Lines that
// cannot be used (unknown label, bad hex, wrong lengths, a second
// different value for a label and random already known, an over-long or
// unterminated-and-truncated line) come back as LineErrors and the rest
// is kept. The error is the reader's, if any. The first value for a
// (label, client random) wins.
func (k *KeyLog) Read(r io.Reader, source string) ([]*LineError, error) {
	var bad []*LineError
	br := bufio.NewReaderSize(r, 4096)
	for n := 1; ; n++ {
		line, tooLong, err := readLine(br)
		if tooLong {
			bad = append(bad, &LineError{source, n, fmt.Sprintf("line longer than %d bytes", maxKeyLogLine)})
		} else if msg := k.addLine(line); msg != "" {
			bad = append(bad, &LineError{source, n, msg})
		}
		if err == io.EOF {
			return bad, nil
		}
		if err != nil {
			return bad, fmt.Errorf("decrypt: key log %s: %w", source, err)
		}
	}
}

// readLine returns the next line without its end; tooLong lines are
// consumed and dropped.
func readLine(br *bufio.Reader) (line []byte, tooLong bool, err error) {
	for {
		chunk, isPrefix, e := br.ReadLine()
		if !tooLong {
			if len(line)+len(chunk) > maxKeyLogLine {
				tooLong, line = true, nil
			} else {
				line = append(line, chunk...)
			}
		}
		if e != nil {
			return line, tooLong, e
		}
		if !isPrefix {
			return line, tooLong, nil
		}
	}
}

// addLine adds one line and returns why it is bad, or "".
func (k *KeyLog) addLine(line []byte) string {
	line = bytes.TrimSpace(line)
	if len(line) == 0 || line[0] == '#' {
		return ""
	}
	f := strings.Fields(string(line))
	if len(f) != 3 {
		return fmt.Sprintf("want 3 fields (label, client random, secret), got %d", len(f))
	}
	label, crHex, secHex := f[0], f[1], f[2]
	if label == labelRSA {
		// RSA <first 8 bytes of the encrypted pre-master secret> <pre-master
		// secret>: keyed by the ClientKeyExchange, not the client random,
		// and OpenSSL writes CLIENT_RANDOM beside it; checked, not used.
		if pre, err := hex.DecodeString(crHex); err != nil || len(pre) != 8 {
			return fmt.Sprintf("RSA line: encrypted pre-master prefix must be 16 hex digits, got %q", abbrev(crHex))
		}
		if pms, err := hex.DecodeString(secHex); err != nil || len(pms) != 48 {
			return fmt.Sprintf("RSA line: pre-master secret must be 96 hex digits, got %q", abbrev(secHex))
		}
		return ""
	}
	var probe Secrets
	if probe.field(label) == nil && probe.updates(label) == nil {
		return fmt.Sprintf("unknown label %q", label)
	}
	cr, err := hex.DecodeString(crHex)
	if err != nil || len(cr) != 32 {
		return fmt.Sprintf("client random must be 64 hex digits, got %q", abbrev(crHex))
	}
	sec, err := hex.DecodeString(secHex)
	if err != nil || len(sec) == 0 {
		return fmt.Sprintf("secret is not hex: %q", abbrev(secHex))
	}
	switch {
	case label == LabelClientRandom && len(sec) != 48:
		return fmt.Sprintf("%s master secret must be 48 bytes, got %d", label, len(sec))
	case label != LabelClientRandom && len(sec) != 32 && len(sec) != 48:
		return fmt.Sprintf("%s secret must be 32 or 48 bytes (SHA-256 or SHA-384), got %d", label, len(sec))
	}
	key := [32]byte(cr)
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.m == nil {
		k.m = map[[32]byte]*Secrets{}
	}
	s := &Secrets{}
	if old := k.m[key]; old != nil {
		if dst := old.field(label); dst != nil && *dst != nil {
			if !bytes.Equal(*dst, sec) {
				return fmt.Sprintf("%s for client random %s differs from the one read before; the first is kept", label, abbrev(crHex))
			}
			return ""
		}
		s = old.clone()
	}
	if list := s.updates(label); list != nil {
		addUpdate(list, sec)
	} else {
		*s.field(label) = sec
	}
	k.m[key] = s
	return ""
}

// Merge adds o's secrets to k; values k already has win.
func (k *KeyLog) Merge(o *KeyLog) {
	if o == nil || o == k {
		return
	}
	o.mu.RLock()
	add := make(map[[32]byte]*Secrets, len(o.m))
	for cr, s := range o.m {
		add[cr] = s
	}
	o.mu.RUnlock()
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.m == nil {
		k.m = map[[32]byte]*Secrets{}
	}
	for cr, os := range add {
		s := &Secrets{}
		if old := k.m[cr]; old != nil {
			s = old.clone()
		}
		s.fill(os)
		k.m[cr] = s
	}
}

func abbrev(s string) string {
	if len(s) > 20 {
		return s[:16] + "..."
	}
	return s
}
