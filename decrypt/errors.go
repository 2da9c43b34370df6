package decrypt

import "fmt"

// Code is a stable snake_case name for a decryption failure, for the
// report's decryption object and errors list.
type Code string

const (
	// CodeNoKey: the key log has no line for the connection's client random.
	CodeNoKey Code = "no_key"
	// CodeMissingSecret: the key log has the client random but not the
	// secret this record needs (e.g. SERVER_HANDSHAKE_TRAFFIC_SECRET).
	CodeMissingSecret Code = "missing_secret"
	// CodeUnsupportedVersion: SSL 3.0, a TLS 1.3 draft, or an unknown version.
	CodeUnsupportedVersion Code = "unsupported_version"
	// CodeUnsupportedSuite: a cipher suite whose record protection is not
	// implemented here (Camellia, ARIA, export, ...).
	CodeUnsupportedSuite Code = "unsupported_cipher_suite"
	// CodeBadParams: a client or server random that is not 32 bytes, a
	// secret of the wrong length for the suite.
	CodeBadParams Code = "bad_params"
	// CodeAuthFailed: the record did not authenticate (AEAD tag, MAC or
	// CBC padding): wrong keys, a lost record, or a damaged one.
	CodeAuthFailed Code = "authentication_failed"
	// CodeRecordMalformed: too short for the suite's overhead, not a
	// multiple of the block size, or a TLS 1.3 inner plaintext of zeros.
	CodeRecordMalformed Code = "record_malformed"
	// CodeEarlyDataSkipped: a client record that neither the early nor the
	// handshake keys open, taken as 0-RTT data the server rejected
	// (RFC 8446, Section 4.2.10) and skipped, as the server did.
	CodeEarlyDataSkipped Code = "early_data_skipped"
	// CodeRenegotiation: a TLS 1.2 ChangeCipherSpec under encryption starts
	// keys from a renegotiation, which this package does not follow.
	CodeRenegotiation Code = "renegotiation_unsupported"
)

// Error is a decryption failure: what and where. Record is the 1-based
// number of the record among those the direction fed to Conn.Record (0
// when the error is not about one record), Seq its TLS sequence number.
type Error struct {
	Code   Code
	Dir    Dir
	Record int
	Seq    uint64
	Msg    string
}

func (e *Error) Error() string {
	if e.Record == 0 {
		return "decrypt: " + e.Msg
	}
	return fmt.Sprintf("decrypt: %s record %d (sequence number %d): %s", e.Dir, e.Record, e.Seq, e.Msg)
}
