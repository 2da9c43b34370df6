package dissect

import (
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// testDN is the DER of "CN=Padlock Test CA,O=Padlock" for certificate_authorities.
var testDN = func() string {
	der, err := asn1.Marshal(pkix.Name{CommonName: "Padlock Test CA", Organization: []string{"Padlock"}}.ToRDNSequence())
	if err != nil {
		panic(err)
	}
	return hex.EncodeToString(der)
}()

// echConfig is one draft-ietf-tls-esni-25 ECHConfig: version 0xfe0d, config
// 0x2a, DHKEM(X25519, HKDF-SHA256), a 32-byte key, HKDF-SHA256/AES-128-GCM,
// public name example.com, no extensions. 58 bytes of contents.
var echConfig = "fe0d 003a 2a 0020 0020" + repeat("9c", 32) + "0004 0001 0001 00 0b 6578616d706c652e636f6d 0000"

// TestDecodeExtension decodes one extension body per case through
// ParseExtensionsIn. Bodies are hand-written from each RFC's struct.
func TestDecodeExtension(t *testing.T) {
	C := func(code int, name string) CodeName { return CodeName{code, name} }
	tests := []struct {
		name      string
		ctx       ExtContext
		typ       ExtensionType
		body      string
		want      any
		wantCodes []string
	}{
		// server_name (RFC 6066, Section 3)
		{"server_name", ExtContextClientHello, ExtensionServerName, "000e 00 000b 6578616d706c652e636f6d",
			&ServerNameExt{ListLength: 14, Names: []ServerName{{C(0, "host_name"), 11, "example.com"}}}, nil},
		{"server_name empty from server", ExtContextServerHello, ExtensionServerName, "", &ServerNameExt{}, nil},
		{"server_name empty in ClientHello", ExtContextClientHello, ExtensionServerName, "",
			&ServerNameExt{}, []string{"extension_malformed"}},
		{"server_name two host_names", ExtContextClientHello, ExtensionServerName, "000e 00 0004 612e6263 00 0004 782e797a",
			&ServerNameExt{ListLength: 14, Names: []ServerName{{C(0, "host_name"), 4, "a.bc"}, {C(0, "host_name"), 4, "x.yz"}}}, []string{"sni_multiple"}},
		{"server_name IP literal", ExtContextClientHello, ExtensionServerName, "000b 00 0008 31302e302e302e31",
			&ServerNameExt{ListLength: 11, Names: []ServerName{{C(0, "host_name"), 8, "10.0.0.1"}}}, []string{"sni_invalid"}},
		{"server_name unknown name_type kept as hex", ExtContextClientHello, ExtensionServerName, "0005 07 0002 abcd",
			&ServerNameExt{ListLength: 5, Names: []ServerName{{C(7, "0x07"), 2, "abcd"}}}, nil},
		{"server_name list overruns", ExtContextClientHello, ExtensionServerName, "0020 00 0001 61",
			&ServerNameExt{}, []string{"extension_malformed"}},
		// max_fragment_length (RFC 6066, Section 4)
		{"max_fragment_length", ExtContextClientHello, ExtensionMaxFragmentLength, "04", &MaxFragmentLengthExt{C(4, "2^12")}, nil},
		{"max_fragment_length empty", ExtContextClientHello, ExtensionMaxFragmentLength, "", &MaxFragmentLengthExt{}, []string{"extension_malformed"}},
		// empty-bodied extensions
		{"client_certificate_url", ExtContextClientHello, ExtensionClientCertificateURL, "", &EmptyExt{}, nil},
		{"truncated_hmac with a stray byte", ExtContextClientHello, ExtensionTruncatedHMAC, "00", &EmptyExt{}, []string{"extension_trailing_data"}},
		{"encrypt_then_mac", ExtContextServerHello, ExtensionEncryptThenMAC, "", &EmptyExt{}, nil},
		{"post_handshake_auth", ExtContextClientHello, ExtensionPostHandshakeAuth, "", &EmptyExt{}, nil},
		{"tls_cert_with_extern_psk", ExtContextClientHello, ExtensionTLSCertWithExternPSK, "", &EmptyExt{}, nil},
		// trusted_ca_keys (RFC 6066, Section 6)
		{"trusted_ca_keys", ExtContextClientHello, ExtensionTrustedCAKeys, "001c 00 01" + repeat("5a", 20) + "02 0003 aabbcc",
			&TrustedCAKeysExt{Authorities: []TrustedAuthority{
				{Type: C(0, "pre_agreed")},
				{Type: C(1, "key_sha1_hash"), Length: 20, Identifier: repeat("5a", 20)},
				{Type: C(2, "x509_name"), Length: 3, Identifier: "aabbcc"},
			}}, nil},
		{"trusted_ca_keys unknown type", ExtContextClientHello, ExtensionTrustedCAKeys, "0002 09 00",
			&TrustedCAKeysExt{}, []string{"extension_malformed"}},
		// status_request (RFC 6066, Section 8; RFC 8446, Section 4.4.2.1)
		{"status_request with a responder id", ExtContextClientHello, ExtensionStatusRequest, "01 0005 0003 aabbcc 0002 3003",
			&StatusRequestExt{StatusType: &CodeName{1, "ocsp"}, OCSPRequestInfo: &OCSPRequestInfo{ResponderIDCount: 1, ResponderIDListLength: 5, RequestExtensionsLength: 2}}, nil},
		{"status_request in a CertificateEntry", ExtContextCertificate, ExtensionStatusRequest, "01 000003 308201",
			&StatusRequestExt{StatusType: &CodeName{1, "ocsp"}, OCSPResponseLength: ptr(3)}, nil},
		{"status_request empty from a TLS 1.2 server", ExtContextServerHello, ExtensionStatusRequest, "", &StatusRequestExt{}, nil},
		// user_mapping (RFC 4681), client_authz / server_authz (RFC 5878)
		{"user_mapping", ExtContextClientHello, ExtensionUserMapping, "01 40", &UserMappingExt{Types: []CodeName{C(64, "upn_domain_hint")}}, nil},
		{"client_authz", ExtContextClientHello, ExtensionClientAuthz, "02 00 01",
			&AuthzExt{Formats: []CodeName{C(0, "x509_attr_cert"), C(1, "saml_assertion")}}, nil},
		{"server_authz", ExtContextServerHello, ExtensionServerAuthz, "01 03", &AuthzExt{Formats: []CodeName{C(3, "saml_assertion_url")}}, nil},
		// cert_type (RFC 6091), client/server_certificate_type (RFC 7250)
		{"cert_type", ExtContextClientHello, ExtensionCertType, "02 00 01",
			&CertificateTypeExt{Types: []CodeName{C(0, "X.509"), C(1, "OpenPGP")}}, nil},
		{"server_certificate_type selected", ExtContextEncryptedExtensions, ExtensionServerCertificateType, "02",
			&CertificateTypeExt{Selected: &CodeName{2, "Raw Public Key"}}, nil},
		{"client_certificate_type offered", ExtContextClientHello, ExtensionClientCertificateType, "02 02 00",
			&CertificateTypeExt{Types: []CodeName{C(2, "Raw Public Key"), C(0, "X.509")}}, nil},
		// supported_groups (RFC 8446, Section 4.2.7) with the ML-KEM hybrids
		{"supported_groups with ML-KEM hybrids", ExtContextClientHello, ExtensionSupportedGroups, "0008 11ec 11eb 11ed 001d",
			&SupportedGroupsExt{Groups: []CodeName{C(4588, "X25519MLKEM768"), C(4587, "SecP256r1MLKEM768"), C(4589, "SecP384r1MLKEM1024"), C(29, "x25519")}}, nil},
		{"supported_groups odd length", ExtContextClientHello, ExtensionSupportedGroups, "0003 001d 00",
			&SupportedGroupsExt{Groups: []CodeName{C(29, "x25519")}}, []string{"extension_malformed"}},
		// ec_point_formats (RFC 8422), srp (RFC 5054)
		{"ec_point_formats", ExtContextServerHello, ExtensionECPointFormats, "01 00", &ECPointFormatsExt{Formats: []CodeName{C(0, "uncompressed")}}, nil},
		{"ec_point_formats empty list", ExtContextClientHello, ExtensionECPointFormats, "00", &ECPointFormatsExt{}, []string{"extension_malformed"}},
		{"srp", ExtContextClientHello, ExtensionSRP, "05 616c696365", &SRPExt{IdentityLength: 5, Identity: "alice"}, nil},
		// signature_algorithms / _cert (RFC 8446, Section 4.2.3)
		{"signature_algorithms", ExtContextClientHello, ExtensionSignatureAlgorithms, "0004 0403 0804",
			&SignatureAlgorithmsExt{Algorithms: []CodeName{C(0x0403, "ecdsa_secp256r1_sha256"), C(0x0804, "rsa_pss_rsae_sha256")}}, nil},
		{"signature_algorithms_cert in a CertificateRequest", ExtContextCertificateRequest, ExtensionSignatureAlgorithmsCert, "0002 0807",
			&SignatureAlgorithmsExt{Algorithms: []CodeName{C(0x0807, "ed25519")}}, nil},
		// use_srtp (RFC 5764), heartbeat (RFC 6520)
		{"use_srtp", ExtContextClientHello, ExtensionUseSRTP, "0004 0001 0007 02 abcd",
			&UseSRTPExt{Profiles: []CodeName{C(1, "SRTP_AES128_CM_HMAC_SHA1_80"), C(7, "SRTP_AEAD_AES_128_GCM")}, MKILength: 2, MKI: "abcd"}, nil},
		{"heartbeat", ExtContextClientHello, ExtensionHeartbeat, "01", &HeartbeatExt{C(1, "peer_allowed_to_send")}, nil},
		// application_layer_protocol_negotiation (RFC 7301)
		{"alpn", ExtContextClientHello, ExtensionALPN, "000c 02 6832 08 687474702f312e31", &ALPNExt{Protocols: []string{"h2", "http/1.1"}}, nil},
		{"alpn in EncryptedExtensions", ExtContextEncryptedExtensions, ExtensionALPN, "0003 02 6832", &ALPNExt{Protocols: []string{"h2"}}, nil},
		{"alpn with an empty name", ExtContextClientHello, ExtensionALPN, "0004 00 02 6832",
			&ALPNExt{Protocols: []string{"", "h2"}}, []string{"extension_malformed"}},
		// status_request_v2 (RFC 6961)
		{"status_request_v2", ExtContextClientHello, ExtensionStatusRequestV2, "000a 02 0004 0000 0000 01 0000",
			&StatusRequestV2Ext{Requests: []StatusRequestItem{
				{StatusType: C(2, "ocsp_multi"), RequestLength: 4, OCSPRequestInfo: &OCSPRequestInfo{}},
				{StatusType: C(1, "ocsp"), RequestLength: 0},
			}}, []string{"extension_malformed"}}, // the second request is too short for an OCSPStatusRequest
		// signed_certificate_timestamp (RFC 6962)
		{"signed_certificate_timestamp in a CertificateEntry", ExtContextCertificate, ExtensionSignedCertificateTimestamp, "0006 0004 01020304",
			&SCTListExt{ListLength: 6, SCTs: []SCTInfo{{Length: 4}}}, nil},
		// A v1 SCT with extensions, as tshark shows tls.sct.sct_extensions_length,
		// the signature's sig_hash_alg and tls.sct.sct_signature_length.
		{"signed_certificate_timestamp v1 whole", ExtContextServerHello, ExtensionSignedCertificateTimestamp,
			"0036 0034 00" + repeat("11", 32) + "0000018f00000000 0002abcd 0401 0003010203",
			&SCTListExt{ListLength: 0x36, SCTs: []SCTInfo{{Length: 0x34, Version: ptr(0), LogID: repeat("11", 32), Timestamp: ptr[uint64](0x18f00000000),
				ExtensionsLength: ptr(2), SignatureAlgorithm: &CodeName{0x0401, "rsa_pkcs1_sha256"}, SignatureLength: ptr(3)}}}, nil},
		// Cut after the extensions: what was read stays.
		{"signed_certificate_timestamp v1 no signature", ExtContextServerHello, ExtensionSignedCertificateTimestamp,
			"002f 002d 00" + repeat("11", 32) + "0000018f00000000 0002abcd",
			&SCTListExt{ListLength: 0x2f, SCTs: []SCTInfo{{Length: 0x2d, Version: ptr(0), LogID: repeat("11", 32), Timestamp: ptr[uint64](0x18f00000000),
				ExtensionsLength: ptr(2)}}}, nil},
		// padding (RFC 7685)
		{"padding not zero", ExtContextClientHello, ExtensionPadding, "0000 01 00", &PaddingExt{Length: 4, AllZero: false}, nil},
		// token_binding (RFC 8472)
		{"token_binding", ExtContextClientHello, ExtensionTokenBinding, "00 0d 02 02 00",
			&TokenBindingExt{MajorVersion: 0, MinorVersion: 13, KeyParameters: []CodeName{C(2, "ecdsap256"), C(0, "rsa2048_pkcs1.5")}}, nil},
		// cached_info (RFC 7924)
		{"cached_info client", ExtContextClientHello, ExtensionCachedInfo, "0005 01 03 aabbcc",
			&CachedInfoExt{Objects: []CachedObject{{Type: C(1, "cert"), HashValueLength: 3}}}, nil},
		{"cached_info server", ExtContextServerHello, ExtensionCachedInfo, "0002 01 02",
			&CachedInfoExt{Objects: []CachedObject{{Type: C(1, "cert")}, {Type: C(2, "cert_req")}}}, nil},
		// compress_certificate (RFC 8879), record_size_limit (RFC 8449)
		{"compress_certificate", ExtContextClientHello, ExtensionCompressCertificate, "06 0001 0002 0003",
			&CompressCertificateExt{Algorithms: []CodeName{C(1, "zlib"), C(2, "brotli"), C(3, "zstd")}}, nil},
		{"record_size_limit", ExtContextClientHello, ExtensionRecordSizeLimit, "4001", &RecordSizeLimitExt{16385}, nil},
		{"record_size_limit below 64", ExtContextEncryptedExtensions, ExtensionRecordSizeLimit, "0020", &RecordSizeLimitExt{32}, []string{"extension_malformed"}},
		// delegated_credential (RFC 9345)
		{"delegated_credential accepted schemes", ExtContextClientHello, ExtensionDelegatedCredential, "0004 0403 0807",
			&DelegatedCredentialExt{Algorithms: []CodeName{C(0x0403, "ecdsa_secp256r1_sha256"), C(0x0807, "ed25519")}}, nil},
		{"delegated_credential in a CertificateEntry", ExtContextCertificate, ExtensionDelegatedCredential, "00093a80 0403 000002 3059 0403 0003 aabbcc",
			&DelegatedCredentialExt{ValidTime: ptr[uint32](604800), DCCertVerifyAlgorithm: &CodeName{0x0403, "ecdsa_secp256r1_sha256"},
				SPKILength: 2, Algorithm: &CodeName{0x0403, "ecdsa_secp256r1_sha256"}, SignatureLength: 3}, nil},
		// session_ticket (RFC 5077)
		{"session_ticket", ExtContextClientHello, ExtensionSessionTicket, repeat("7e", 192), &SessionTicketExt{192, repeat("7e", hexCap)}, nil},
		{"session_ticket short", ExtContextClientHello, ExtensionSessionTicket, "0102", &SessionTicketExt{2, "0102"}, nil},
		{"session_ticket empty", ExtContextServerHello, ExtensionSessionTicket, "", &SessionTicketExt{}, nil},
		// supported_ekt_ciphers (RFC 8870)
		{"supported_ekt_ciphers offered", ExtContextClientHello, ExtensionSupportedEKTCiphers, "02 01 02",
			&SupportedEKTCiphersExt{Ciphers: []CodeName{C(1, "AESKW128"), C(2, "AESKW256")}}, nil},
		{"supported_ekt_ciphers selected", ExtContextServerHello, ExtensionSupportedEKTCiphers, "02",
			&SupportedEKTCiphersExt{Selected: &CodeName{2, "AESKW256"}}, nil},
		// pre_shared_key (RFC 8446, Section 4.2.11)
		{"pre_shared_key selected", ExtContextServerHello, ExtensionPreSharedKey, "0001", &PreSharedKeyExt{SelectedIdentity: ptr(1)}, nil},
		{"pre_shared_key binder count mismatch", ExtContextClientHello, ExtensionPreSharedKey,
			"0011 0004 aabbccdd 00000001 0001 ee 00000002 0021 20" + repeat("b1", 32),
			&PreSharedKeyExt{Identities: []PSKIdentity{{4, "aabbccdd", 1}, {1, "ee", 2}}, BinderLengths: []int{32}}, []string{"extension_malformed"}},
		// early_data (RFC 8446, Section 4.2.10)
		{"early_data in a ClientHello", ExtContextClientHello, ExtensionEarlyData, "", &EarlyDataExt{}, nil},
		{"early_data in a NewSessionTicket", ExtContextNewSessionTicket, ExtensionEarlyData, "00004000", &EarlyDataExt{MaxEarlyDataSize: ptr[uint32](16384)}, nil},
		// supported_versions (RFC 8446, Section 4.2.1)
		{"supported_versions offered", ExtContextClientHello, ExtensionSupportedVersions, "06 7a7a 0304 7f1c",
			&SupportedVersionsExt{Versions: []CodeName{C(0x7a7a, "GREASE"), C(0x0304, "TLS 1.3"), C(0x7f1c, "TLS 1.3 (draft 28)")}}, nil},
		{"supported_versions selected in a HelloRetryRequest", ExtContextHelloRetryRequest, ExtensionSupportedVersions, "0304",
			&SupportedVersionsExt{Selected: &CodeName{0x0304, "TLS 1.3"}}, nil},
		{"supported_versions odd list", ExtContextClientHello, ExtensionSupportedVersions, "03 0304 03",
			&SupportedVersionsExt{Versions: []CodeName{C(0x0304, "TLS 1.3")}}, []string{"extension_malformed"}},
		// cookie, psk_key_exchange_modes (RFC 8446, Sections 4.2.2 and 4.2.9)
		{"cookie", ExtContextHelloRetryRequest, ExtensionCookie, "0003 010203", &CookieExt{3}, nil},
		{"cookie empty", ExtContextClientHello, ExtensionCookie, "0000", &CookieExt{0}, []string{"extension_malformed"}},
		{"psk_key_exchange_modes", ExtContextClientHello, ExtensionPSKKeyExchangeModes, "02 00 01",
			&PSKKeyExchangeModesExt{Modes: []CodeName{C(0, "psk_ke"), C(1, "psk_dhe_ke")}}, nil},
		// certificate_authorities (RFC 8446, Section 4.2.4)
		{"certificate_authorities", ExtContextCertificateRequest, ExtensionCertificateAuthorities,
			fmt.Sprintf("%04x %04x %s 0003 aabbcc", len(testDN)/2+2+5, len(testDN)/2, testDN),
			&CertificateAuthoritiesExt{Count: 2, Lengths: []int{len(testDN) / 2, 3}, Names: []string{"CN=Padlock Test CA,O=Padlock", ""}}, nil},
		// oid_filters (RFC 8446, Section 4.2.5)
		{"oid_filters", ExtContextCertificateRequest, ExtensionOIDFilters, "0019 03 551d25 000a 3008 06062b0601050507 06 2a864886f70d 0000",
			&OIDFiltersExt{Filters: []OIDFilter{{"2.5.29.37", 10}, {"1.2.840.113549", 0}}}, nil},
		// key_share (RFC 8446, Section 4.2.8)
		{"key_share client", ExtContextClientHello, ExtensionKeyShare, "0009 0017 0005 0401020304",
			&KeyShareExt{ClientShares: []KeyShareInfo{{C(23, "secp256r1"), 5}}}, nil},
		{"key_share empty client list", ExtContextClientHello, ExtensionKeyShare, "0000", &KeyShareExt{}, nil},
		{"key_share server", ExtContextServerHello, ExtensionKeyShare, "001d 0002 abcd",
			&KeyShareExt{ServerShare: &KeyShareInfo{C(29, "x25519"), 2}}, nil},
		{"key_share hello_retry_request", ExtContextHelloRetryRequest, ExtensionKeyShare, "11ec",
			&KeyShareExt{SelectedGroup: &CodeName{4588, "X25519MLKEM768"}}, nil},
		{"key_share empty key", ExtContextServerHello, ExtensionKeyShare, "001d 0000",
			&KeyShareExt{ServerShare: &KeyShareInfo{C(29, "x25519"), 0}}, []string{"extension_malformed"}},
		// transparency_info (RFC 9162)
		{"transparency_info", ExtContextCertificate, ExtensionTransparencyInfo, "0006 0004 0003 aabb",
			&TransparencyInfoExt{Items: []TransItemInfo{{Length: 4, Type: &CodeName{3, "x509_sct_v2"}}}}, nil},
		{"transparency_info requested", ExtContextClientHello, ExtensionTransparencyInfo, "", &TransparencyInfoExt{}, nil},
		// connection_id (RFC 9146), external_id_hash / external_session_id (RFC 8844)
		{"connection_id", ExtContextClientHello, ExtensionConnectionID, "04 01020304", &ConnectionIDExt{4, "01020304"}, nil},
		{"connection_id_deprecated", ExtContextServerHello, ExtensionConnectionIDDeprecated, "00", &ConnectionIDExt{0, ""}, nil},
		{"external_id_hash client", ExtContextClientHello, ExtensionExternalIDHash, "", &ExternalIDHashExt{}, nil},
		{"external_id_hash server", ExtContextServerHello, ExtensionExternalIDHash, "20" + repeat("e1", 32), &ExternalIDHashExt{32, repeat("e1", 32)}, nil},
		{"external_session_id", ExtContextClientHello, ExtensionExternalSessionID, "14" + repeat("5e", 20), &ExternalSessionIDExt{20, repeat("5e", 20)}, nil},
		{"external_session_id too short", ExtContextClientHello, ExtensionExternalSessionID, "01 aa", &ExternalSessionIDExt{1, "aa"}, []string{"extension_malformed"}},
		// quic_transport_parameters (RFC 9000, Section 18)
		{"quic_transport_parameters bad integer", ExtContextEncryptedExtensions, ExtensionQUICTransportParameters, "04 02 8010",
			&QUICTransportParametersExt{Parameters: []QUICTransportParameter{{ID: 4, Name: "initial_max_data", Length: 2, Hex: "8010"}}}, []string{"extension_malformed"}},
		{"quic_transport_parameters length overrun", ExtContextClientHello, ExtensionQUICTransportParameters, "0f 08 0102",
			&QUICTransportParametersExt{}, []string{"extension_malformed"}},
		// ticket_request (RFC 9149), dnssec_chain (RFC 9102)
		{"ticket_request client", ExtContextClientHello, ExtensionTicketRequest, "02 01", &TicketRequestExt{NewSessionCount: ptr(2), ResumptionCount: ptr(1)}, nil},
		{"ticket_request server", ExtContextEncryptedExtensions, ExtensionTicketRequest, "03", &TicketRequestExt{ExpectedCount: ptr(3)}, nil},
		{"dnssec_chain client", ExtContextClientHello, ExtensionDNSSECChain, "01bb", &DNSSECChainExt{PortNumber: ptr(443)}, nil},
		{"dnssec_chain server", ExtContextEncryptedExtensions, ExtensionDNSSECChain, "0e10 0003 aabbcc",
			&DNSSECChainExt{ExtSupportLifetime: ptr(3600), AuthenticationChainLength: ptr(3)}, nil},
		// sequence_number_encryption_algorithms, rrc, tls_flags (drafts)
		{"sequence_number_encryption_algorithms", ExtContextClientHello, ExtensionSequenceNumberEncryptionAlgorithms, "0004 0000 0001",
			&SequenceNumberEncryptionAlgorithmsExt{Algorithms: []int{0, 1}}, nil},
		{"sequence_number_encryption_algorithms selected", ExtContextServerHello, ExtensionSequenceNumberEncryptionAlgorithms, "0001",
			&SequenceNumberEncryptionAlgorithmsExt{Selected: ptr(1)}, nil},
		{"rrc", ExtContextClientHello, ExtensionRRC, "", &EmptyExt{}, nil},
		{"tls_flags", ExtContextClientHello, ExtensionTLSFlags, "02 05 80", &TLSFlagsExt{Flags: []int{0, 2, 15}}, nil},
		// next_protocol_negotiation (draft-agl-tls-nextprotoneg)
		{"npn client", ExtContextClientHello, ExtensionNextProtocolNegotiation, "", &NPNExt{}, nil},
		{"npn server", ExtContextServerHello, ExtensionNextProtocolNegotiation, "02 6832 08 687474702f312e31", &NPNExt{Protocols: []string{"h2", "http/1.1"}}, nil},
		{"npn server cut", ExtContextServerHello, ExtensionNextProtocolNegotiation, "02 6832 08 6874", &NPNExt{Protocols: []string{"h2"}}, []string{"extension_malformed"}},
		// application_settings (ALPS)
		{"application_settings in EncryptedExtensions", ExtContextEncryptedExtensions, ExtensionApplicationSettings, "000400000000",
			&ApplicationSettingsExt{SettingsLength: ptr(6)}, nil},
		// ech_outer_extensions, encrypted_client_hello (draft-ietf-tls-esni-25)
		{"ech_outer_extensions", ExtContextClientHello, ExtensionECHOuterExtensions, "06 000a 000d 002b",
			&ECHOuterExtensionsExt{Types: []CodeName{C(10, "supported_groups"), C(13, "signature_algorithms"), C(43, "supported_versions")}}, nil},
		{"encrypted_client_hello inner", ExtContextClientHello, ExtensionEncryptedClientHello, "01", &ECHClientHelloExt{Type: C(1, "inner")}, nil},
		{"encrypted_client_hello outer without payload", ExtContextClientHello, ExtensionEncryptedClientHello, "00 0001 0003 07 0000 0000",
			&ECHClientHelloExt{Type: C(0, "outer"), KDF: &CodeName{1, "HKDF-SHA256"}, AEAD: &CodeName{3, "ChaCha20Poly1305"}, ConfigID: ptr(7), EncLength: ptr(0), PayloadLength: ptr(0)},
			[]string{"extension_malformed"}},
		{"encrypted_client_hello retry_configs", ExtContextEncryptedExtensions, ExtensionEncryptedClientHello, "003e " + echConfig,
			&ECHRetryConfigsExt{Length: 62, Configs: []ECHConfigInfo{{Version: 0xfe0d, Length: 58, ConfigID: ptr(0x2a),
				KEM: &CodeName{0x20, "DHKEM(X25519, HKDF-SHA256)"}, PublicName: "example.com"}}}, nil},
		{"encrypted_client_hello confirmation short", ExtContextHelloRetryRequest, ExtensionEncryptedClientHello, "01020304",
			&ECHConfirmationExt{}, []string{"extension_malformed"}},
		// renegotiation_info (RFC 5746)
		{"renegotiation_info renegotiating", ExtContextServerHello, ExtensionRenegotiationInfo, "18" + repeat("f1", 24), &RenegotiationInfoExt{24, repeat("f1", 24)}, nil},
		// The client's verify_data in a renegotiating ClientHello, as
		// pcaps/real/keylog/tls12-renegotiation.pcap frame 11 carries it.
		{"renegotiation_info client", ExtContextClientHello, ExtensionRenegotiationInfo, "0c fe08718a7fefffc7d08611c0", &RenegotiationInfoExt{12, "fe08718a7fefffc7d08611c0"}, nil},
		// GREASE (RFC 8701) and unknown
		{"GREASE", ExtContextClientHello, 0x5a5a, "0102", &GREASEExt{Data: "0102"}, nil},
		{"unknown", ExtContextClientHello, 0x1234, "0102", nil, nil},
		{"known with no decoder (TLMSP)", ExtContextClientHello, 36, "00", nil, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			body := unhex(tc.body)
			block := unhex(helloExt(uint16(tc.typ), tc.body))
			exts, errs := ParseExtensionsIn(block, tc.ctx, 100)
			require.Len(t, exts, 1)
			e := exts[0]
			assert.Equal(t, tc.typ, e.Type)
			assert.Equal(t, body, e.Data)
			assert.Equal(t, int32(100), e.Off)
			assert.Equal(t, tc.want, withoutCodes(t, e.Decoded))
			assert.Equal(t, tc.wantCodes, errCodes(errs), "%v", errs)
			structural := false
			for _, c := range tc.wantCodes {
				structural = structural || c == string(CodeExtensionMalformed) || c == string(CodeExtensionTrailingData)
			}
			assert.Equal(t, structural, e.Malformed)
			for _, err := range errs {
				assert.True(t, err.Off >= 104 && err.Off <= 104+len(body), "offset %d outside the body: %v", err.Off, err)
			}
			if e.Decoded != nil {
				_, err := json.Marshal(e.Decoded)
				assert.NoError(t, err)
			}
		})
	}
}

// TestDecodedCoverage: every code point with a decoder has a case in
// TestDecodeExtension, so a new decoder cannot land untested.
func TestDecodedCoverage(t *testing.T) {
	covered := map[ExtensionType]bool{}
	for _, typ := range []ExtensionType{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 27, 28,
		33, 34, 35, 39, 41, 42, 43, 44, 45, 47, 48, 49, 50, 51, 52, 53, 54, 55, 56, 57, 58, 59, 60, 61, 62,
		13172, 17613, 0xfd00, 0xfe0d, 0xff01} {
		covered[typ] = true
	}
	// Decoders exercised elsewhere: tls_lts (empty), old ALPS and the draft
	// QUIC code point (TestParseClientHello).
	covered[ExtensionTLSLTS] = true
	covered[ExtensionApplicationSettingsOld] = true
	covered[ExtensionQUICTransportParametersDraft] = true
	for typ := range extDecoders {
		assert.True(t, covered[typ], "no test for %s (%d)", typ, typ)
	}
}

func TestParseExtensionsBlock(t *testing.T) {
	tests := []struct {
		name      string
		ctx       ExtContext
		in        string
		types     []ExtensionType
		malformed []bool
		wantCodes []string
	}{
		{"empty", ExtContextClientHello, "", nil, nil, nil},
		{"one stray byte", ExtContextClientHello, "0017 0000 00", []ExtensionType{23}, []bool{false}, []string{"extensions_malformed"}},
		{"header cut after the type", ExtContextClientHello, "0017 0000 0016", []ExtensionType{23, 22}, []bool{false, true}, []string{"extensions_malformed"}},
		{"length overruns: the body is kept", ExtContextClientHello, "0017 0000 0000 0010 0000", []ExtensionType{23, 0}, []bool{false, true}, []string{"extensions_malformed"}},
		{"duplicate", ExtContextServerHello, "0017 0000 0017 0000", []ExtensionType{23, 23}, []bool{false, false}, []string{"extension_duplicate"}},
		{"psk not last in a ClientHello", ExtContextClientHello, helloExt(41, "0000 0000") + "0017 0000", []ExtensionType{41, 23}, []bool{true, false},
			[]string{"extension_malformed", "extension_malformed", "extension_misplaced"}},
		{"psk anywhere in a ServerHello", ExtContextServerHello, helloExt(41, "0000") + "0017 0000", []ExtensionType{41, 23}, []bool{false, false}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			exts, errs := ParseExtensionsIn(unhex(tc.in), tc.ctx, 0)
			assert.Equal(t, tc.types, extTypes(exts))
			var mal []bool
			for _, e := range exts {
				mal = append(mal, e.Malformed)
			}
			assert.Equal(t, tc.malformed, mal)
			assert.Equal(t, tc.wantCodes, errCodes(errs), "%v", errs)
		})
	}
	// ParseExtensions maps handshake types to contexts.
	exts, errs := ParseExtensions(unhex(helloExt(51, "001d 0001 aa")), HandshakeTypeServerHello, 0)
	require.Empty(t, errs)
	assert.Equal(t, &KeyShareExt{ServerShare: &KeyShareInfo{CodeName{29, "x25519"}, 1}}, exts[0].Decoded)
	exts, _ = ParseExtensions(unhex(helloExt(42, "00000400")), HandshakeTypeNewSessionTicket, 0)
	assert.Equal(t, &EarlyDataExt{MaxEarlyDataSize: ptr[uint32](1024)}, exts[0].Decoded)
	assert.Equal(t, "hello_retry_request", ExtContextHelloRetryRequest.String())
	assert.Equal(t, ExtContextUnknown, ExtContextFor(HandshakeTypeFinished))
}

func TestCheckHostName(t *testing.T) {
	tests := []struct {
		host string
		bad  bool
	}{
		{"example.com", false},
		{"_dmarc.example.com", false},
		{"xn--bcher-kva.example", false},
		{"bücher.example", false}, // a U-label: IDNA-ish, allowed
		{"a", false},
		{"", true},
		{"example.com.", true},
		{".example.com", true},
		{"a..b", true},
		{"exa mple.com", true},
		{"example.com\x00", true},
		{"ex\xffample.com", true},
		{"192.168.0.1", true},
		{"::1", true},
		{"example.com/path", true},
		{strings.Repeat("a", 64) + ".com", true},
		{strings.Repeat("abcdefghi.", 26) + "com", true}, // 263 bytes
		{"☃.example", true},                              // a symbol, not a letter
	}
	for _, tc := range tests {
		t.Run(tc.host, func(t *testing.T) {
			why := checkHostName(tc.host)
			assert.Equal(t, tc.bad, why != "", "checkHostName(%q) = %q", tc.host, why)
		})
	}
}

func TestOIDString(t *testing.T) {
	for in, want := range map[string]string{
		"551d25":               "2.5.29.37",
		"2a864886f70d":         "1.2.840.113549",
		"8837":                 "2.999",
		"2b0601050507":         "1.3.6.1.5.5.7",
		"2a86":                 "2a86", // cut inside a subidentifier
		"2a8048":               "2a8048",
		"":                     "",
		"ffffffffffffffffff7f": "ffffffffffffffffff7f", // overflows 64 bits
	} {
		assert.Equal(t, want, oidString(unhex(in)), in)
	}
}

// withoutCodes checks that the code lists a decoded extension keeps for
// ClientHello.fill hold its listed values' codes, and returns a copy of v
// without them, to compare with a value written out in a test.
func withoutCodes(t *testing.T, v any) any {
	t.Helper()
	switch x := v.(type) {
	case *SupportedGroupsExt:
		return stripCodes(t, x, x.Groups, x.codes, func(c *SupportedGroupsExt) { c.codes = nil })
	case *ECPointFormatsExt:
		return stripCodes(t, x, x.Formats, x.codes, func(c *ECPointFormatsExt) { c.codes = nil })
	case *SignatureAlgorithmsExt:
		return stripCodes(t, x, x.Algorithms, x.codes, func(c *SignatureAlgorithmsExt) { c.codes = nil })
	case *SupportedVersionsExt:
		return stripCodes(t, x, x.Versions, x.codes, func(c *SupportedVersionsExt) { c.codes = nil })
	}
	return v
}

func stripCodes[T any, C ~uint8 | ~uint16](t *testing.T, x *T, names []CodeName, codes []C, drop func(*T)) *T {
	t.Helper()
	require.Len(t, codes, len(names), "code list")
	for i, n := range names {
		assert.Equal(t, n.Code, int(codes[i]), "code %d", i)
	}
	c := *x
	drop(&c)
	return &c
}
