package dissect

// Codes for the handshake messages other than the hellos (messages.go) and
// for heartbeat records (heartbeat.go), in addition to codes.go.
const (
	// CodeMessageValueInvalid: a message field holds a value its RFC does not allow (the value is kept and shown).
	CodeMessageValueInvalid Code = "message_value_invalid"
	// CodeCertificateChainCapped: a Certificate message lists more entries than padlock parses (maxChainCertificates); the rest are counted, not parsed.
	CodeCertificateChainCapped Code = "certificate_chain_capped"
	// CodeOCSPResponseUnparsable: an OCSP response (CertificateStatus, or status_request in a TLS 1.3 CertificateEntry) does not parse; its length is kept.
	CodeOCSPResponseUnparsable Code = "ocsp_response_unparsable"
	// CodeKeyExchangeGuessed: the cipher suite does not say how a key exchange message is laid out (unknown suite, or one without that message); the layout shown was guessed.
	CodeKeyExchangeGuessed Code = "key_exchange_guessed"
	// CodeCompressionAlgorithmUnknown: a CompressedCertificate names an algorithm padlock cannot decompress.
	CodeCompressionAlgorithmUnknown Code = "compression_algorithm_unknown"
	// CodeDecompressionRefused: a CompressedCertificate declares, or decompresses to, more than its uncompressed_length or the 1 MiB cap.
	CodeDecompressionRefused Code = "decompression_refused"
	// CodeDecompressionFailed: a CompressedCertificate's data does not decompress, or decompresses to fewer bytes than declared.
	CodeDecompressionFailed Code = "decompression_failed"
	// CodeHeartbeatMalformed: a heartbeat record is too short, has an unknown type or less than 16 bytes of padding (RFC 6520, Section 4).
	CodeHeartbeatMalformed Code = "heartbeat_malformed"
	// CodeHeartbeatOverread: a heartbeat's payload_length claims more than the record holds (payload_length + 3 + 16 > record length), as in Heartbleed (CVE-2014-0160).
	CodeHeartbeatOverread Code = "heartbeat_overread"
)
