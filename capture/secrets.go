package capture

import "fmt"

// pcapng Decryption Secrets Block (draft-ietf-opsawg-pcapng, Section 4.7):
//
//	DSB: secrets_type u32, secrets_length u32, secrets data (padded to 32 bits), options
//
// Wireshark's editcap --inject-secrets writes them; for secrets type
// "TLSK" the data is an NSS key log, the text SSLKEYLOGFILE holds.
const (
	dsbMinLen = 20

	// SecretsTLSKeyLog is the DSB secrets type of a TLS key log ("TLSK").
	SecretsTLSKeyLog = 0x544c534b

	// maxSecrets caps the key log bytes kept from a file's DSBs; a key
	// log line is under 200 bytes, so this is some 80,000 connections.
	maxSecrets = 16 << 20
)

// secrets are the TLS key logs met so far.
type secrets struct {
	logs [][]byte
	size int
}

// Secrets returns the TLS key logs (secrets type "TLSK") of the
// decryption secrets blocks read so far, in file order, one slice per
// block. A pcapng writer puts them before the packets they decrypt, so
// a caller that looks keys up when a connection's handshake is complete
// has them by then. Other secrets types (WireGuard, ZigBee, ...) are not
// kept. Each slice is owned by the caller.
func (s *Source) Secrets() [][]byte { return s.secrets.logs }

func (s *Source) readDSB(block int, start int64, total uint32) error {
	if total < dsbMinLen {
		return s.damaged("block %d (decryption secrets block) at offset %d: invalid block length %d", block, start, total)
	}
	b, err := s.readWhole(block, start, blockDSB, total)
	if err != nil {
		return err
	}
	typ, n := s.u32(b[8:12]), s.u32(b[12:16])
	if typ != SecretsTLSKeyLog {
		return nil
	}
	if uint64(n) > uint64(len(b)-16) {
		// The block's own length held, so the file goes on; only these
		// secrets are lost, as a bad option is (pcapng.go).
		s.warns = append(s.warns, fmt.Sprintf("capture: block %d (decryption secrets block) at offset %d: secrets length %d does not fit in block length %d; secrets skipped",
			block, start, n, total))
		return nil
	}
	if s.secrets.size+int(n) > maxSecrets {
		s.warns = append(s.warns, fmt.Sprintf("capture: block %d (decryption secrets block) at offset %d: TLS key log dropped: over %d bytes of secrets in the file",
			block, start, maxSecrets))
		return nil
	}
	// readWhole's buffer is reused for the next block: copy.
	s.secrets.logs = append(s.secrets.logs, append(make([]byte, 0, n), b[16:16+n]...))
	s.secrets.size += int(n)
	return nil
}
