package dissect

// Codes for hello messages and their extensions, in addition to codes.go.
const (
	// CodeSNIMultiple: a server_name list holds more than one host_name; the first is used (Zeek's SSL_many_server_names).
	CodeSNIMultiple Code = "sni_multiple"
	// CodeExtensionMisplaced: an extension sits where its RFC forbids it (pre_shared_key not last in a ClientHello, RFC 8446 Section 4.2.11).
	CodeExtensionMisplaced Code = "extension_misplaced"
	// CodeErrorsTruncated: one message had more problems than are reported; the first 64 are kept.
	CodeErrorsTruncated Code = "errors_truncated"
	// CodeSSLv2Malformed: an SSLv2-compatible CLIENT-HELLO record does not follow its structure (RFC 5246 Appendix E.2).
	CodeSSLv2Malformed Code = "sslv2_malformed"
)
