package capture

import (
	"encoding/binary"
	"fmt"
)

// blockDSBType is the pcapng Decryption Secrets Block type.
const blockDSBType = 0x0000000A

// WriteSecrets embeds a TLS key log in the file as a Decryption Secrets
// Block (secrets type "TLSK"), as editcap --inject-secrets does, so
// Wireshark, tshark and padlock decrypt the saved file without the key log.
// Call it before the packets it decrypts; it is written right after the
// first interface block (a DSB may not precede the section header).
func (s *Saver) WriteSecrets(keylog []byte) error {
	if len(keylog) == 0 || s.err != nil {
		return s.err
	}
	if s.ng == nil {
		s.pending = append(s.pending, append([]byte(nil), keylog...))
		return nil
	}
	return s.writeDSB(keylog)
}

// flushPending writes secrets given before the first interface block.
func (s *Saver) flushPending() error {
	for _, k := range s.pending {
		if err := s.writeDSB(k); err != nil {
			return err
		}
	}
	s.pending = nil
	return nil
}

func (s *Saver) writeDSB(keylog []byte) error {
	// The NgWriter buffers: what it holds goes first.
	if err := s.ng.Flush(); err != nil {
		s.err = fmt.Errorf("capture: writing pcapng: %v", err)
		return s.err
	}
	pad := (4 - len(keylog)%4) % 4
	total := 12 + 8 + len(keylog) + pad
	b := make([]byte, 0, total)
	b = binary.LittleEndian.AppendUint32(b, blockDSBType)
	b = binary.LittleEndian.AppendUint32(b, uint32(total))
	b = binary.LittleEndian.AppendUint32(b, SecretsTLSKeyLog)
	b = binary.LittleEndian.AppendUint32(b, uint32(len(keylog)))
	b = append(b, keylog...)
	b = append(b, make([]byte, pad)...)
	b = binary.LittleEndian.AppendUint32(b, uint32(total))
	if _, err := s.w.Write(b); err != nil {
		s.err = fmt.Errorf("capture: writing pcapng: %v", err)
	}
	return s.err
}
