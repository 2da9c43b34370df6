package dissect

import (
	"fmt"

	"github.com/padlock-tls/padlock/dissect/iana"
)

// Wire enums are open integer types, one per IANA registry: unknown values
// are kept and printed as 0xNNNN, never rejected.

// ContentType is a TLS record content type (RFC 8446, Section 5.1).
type ContentType uint8

// HandshakeType is a handshake message type (RFC 8446, Section 4).
type HandshakeType uint8

// Version is a protocol version as it appears on the wire (0x0303 = TLS 1.2).
type Version uint16

// CipherSuite is a cipher suite code point (IANA TLS Cipher Suites).
type CipherSuite uint16

// ExtensionType is a hello extension code point (IANA ExtensionType Values).
type ExtensionType uint16

// NamedGroup is a supported_groups / key_share code point (IANA Supported Groups).
type NamedGroup uint16

// SignatureScheme is a signature_algorithms code point (RFC 8446, Section 4.2.3).
type SignatureScheme uint16

// AlertLevel is an alert's level (RFC 8446, Section 6).
type AlertLevel uint8

// AlertDescription is an alert's description (IANA TLS Alerts).
type AlertDescription uint8

const (
	ContentTypeChangeCipherSpec ContentType = 20
	ContentTypeAlert            ContentType = 21
	ContentTypeHandshake        ContentType = 22
	ContentTypeApplicationData  ContentType = 23
	ContentTypeHeartbeat        ContentType = 24
)

const (
	HandshakeTypeHelloRequest        HandshakeType = 0
	HandshakeTypeClientHello         HandshakeType = 1
	HandshakeTypeServerHello         HandshakeType = 2
	HandshakeTypeHelloVerifyRequest  HandshakeType = 3
	HandshakeTypeNewSessionTicket    HandshakeType = 4
	HandshakeTypeEndOfEarlyData      HandshakeType = 5
	HandshakeTypeEncryptedExtensions HandshakeType = 8
	HandshakeTypeCertificate         HandshakeType = 11
	HandshakeTypeServerKeyExchange   HandshakeType = 12
	HandshakeTypeCertificateRequest  HandshakeType = 13
	HandshakeTypeServerHelloDone     HandshakeType = 14
	HandshakeTypeCertificateVerify   HandshakeType = 15
	HandshakeTypeClientKeyExchange   HandshakeType = 16
	HandshakeTypeFinished            HandshakeType = 20
	HandshakeTypeCertificateURL      HandshakeType = 21
	HandshakeTypeCertificateStatus   HandshakeType = 22
	HandshakeTypeKeyUpdate           HandshakeType = 24
	HandshakeTypeCompressedCert      HandshakeType = 25
	HandshakeTypeMessageHash         HandshakeType = 254
)

// Well-known versions keep crypto/tls's names.
const (
	VersionSSL20 Version = 0x0002
	VersionSSL30 Version = 0x0300
	VersionTLS10 Version = 0x0301
	VersionTLS11 Version = 0x0302
	VersionTLS12 Version = 0x0303
	VersionTLS13 Version = 0x0304
)

const (
	AlertLevelWarning AlertLevel = 1
	AlertLevelFatal   AlertLevel = 2
)

// hex4 is the one fallback format for unknown 16-bit values (crypto/tls's VersionName).
func hex4(v uint16) string { return fmt.Sprintf("0x%04X", v) }

// hex2 is the fallback for unknown 8-bit values.
func hex2(v uint8) string { return fmt.Sprintf("0x%02X", v) }

func (t ContentType) String() string {
	if n, ok := iana.ContentTypeName(uint8(t)); ok {
		return n
	}
	return hex2(uint8(t))
}

func (t HandshakeType) String() string {
	if n, ok := iana.HandshakeTypeName(uint8(t)); ok {
		return n
	}
	return hex2(uint8(t))
}

func (v Version) String() string {
	if n, ok := iana.VersionName(uint16(v)); ok {
		return n
	}
	return hex4(uint16(v))
}

func (c CipherSuite) String() string {
	if n, ok := iana.CipherSuiteName(uint16(c)); ok {
		return n
	}
	return hex4(uint16(c))
}

func (e ExtensionType) String() string {
	if n, ok := iana.ExtensionName(uint16(e)); ok {
		return n
	}
	return hex4(uint16(e))
}

func (g NamedGroup) String() string {
	if n, ok := iana.GroupName(uint16(g)); ok {
		return n
	}
	return hex4(uint16(g))
}

func (s SignatureScheme) String() string {
	if n, ok := iana.SignatureSchemeName(uint16(s)); ok {
		return n
	}
	return hex4(uint16(s))
}

func (l AlertLevel) String() string {
	switch l {
	case AlertLevelWarning:
		return "warning"
	case AlertLevelFatal:
		return "fatal"
	}
	return hex2(uint8(l))
}

func (d AlertDescription) String() string {
	if n, ok := iana.AlertDescriptionName(uint8(d)); ok {
		return n
	}
	return hex2(uint8(d))
}

// IsGREASE reports whether v is one of the RFC 8701 GREASE values
// (0x0A0A, 0x1A1A, ..., 0xFAFA).
func IsGREASE(v uint16) bool { return v&0x0F0F == 0x0A0A && v>>8 == v&0xFF }
