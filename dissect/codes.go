package dissect

// The closed list of dissect error codes. Each is documented in one line; the
// report copies them into "errors[].code".
const (
	// CodeHandshakeTruncated: a handshake message is shorter than its header says.
	CodeHandshakeTruncated Code = "handshake_truncated"
	// CodeHandshakeTooLarge: a handshake message exceeds the message cap.
	CodeHandshakeTooLarge Code = "handshake_too_large"
	// CodeHandshakeIncomplete: the stream ended inside a handshake message.
	CodeHandshakeIncomplete Code = "handshake_incomplete"
	// CodeHandshakeInterleaved: another content type arrived while a handshake message was split across records.
	CodeHandshakeInterleaved Code = "handshake_interleaved"
	// CodeMessageMalformed: a handshake message body does not follow its structure.
	CodeMessageMalformed Code = "message_malformed"
	// CodeMessageTrailingData: bytes left over after a handshake message body.
	CodeMessageTrailingData Code = "message_trailing_data"
	// CodeExtensionsMalformed: the extensions block is cut or its length is wrong.
	CodeExtensionsMalformed Code = "extensions_malformed"
	// CodeExtensionMalformed: one extension's body does not follow its structure.
	CodeExtensionMalformed Code = "extension_malformed"
	// CodeExtensionTrailingData: bytes left over after an extension body.
	CodeExtensionTrailingData Code = "extension_trailing_data"
	// CodeExtensionDuplicate: the same extension type appears twice in one message.
	CodeExtensionDuplicate Code = "extension_duplicate"
	// CodeSNIInvalid: a server_name host name is empty, has a trailing dot or bytes not allowed in a DNS name.
	CodeSNIInvalid Code = "sni_invalid"
	// CodeAlertMalformed: an alert record body is not a whole number of 2-byte alerts.
	CodeAlertMalformed Code = "alert_malformed"
	// CodeCCSMalformed: a change_cipher_spec record is not the single byte 1.
	CodeCCSMalformed Code = "ccs_malformed"
)
