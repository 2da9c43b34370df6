// Package report turns what reassembly and dissect found into one report
// per TCP connection, and writes reports as NDJSON or as a text ladder.
//
// The JSON field names are a contract (DESIGN.md): add fields, rename none.
package report

// Connection is one NDJSON line: a TCP connection that spoke TLS or tried to.
type Connection struct {
	Type        string      `json:"type"` // always "connection"
	ID          int         `json:"id"`
	Transport   string      `json:"transport"`
	CommunityID string      `json:"community_id"`
	Client      Endpoint    `json:"client"`
	Server      Endpoint    `json:"server"`
	FirstFrame  int         `json:"first_frame"`
	LastFrame   int         `json:"last_frame"`
	Start       string      `json:"start"`
	End         string      `json:"end"`
	Packets     PerSide     `json:"packets"`
	Bytes       PerSide64   `json:"bytes"` // TCP payload bytes, retransmissions included
	TCP         TCPInfo     `json:"tcp"`
	TLS         TLSInfo     `json:"tls"`
	Handshake   []Handshake `json:"handshake"`
	Records     []Record    `json:"records"`
	// RecordsCapped: more records than the listing caps; all are counted
	// in tls.records.
	RecordsCapped bool `json:"records_capped,omitempty"`
	// Certificates are every certificate seen in cleartext (or decrypted),
	// both sides, in handshake order.
	Certificates []Certificate `json:"certificates"`
	Fingerprints *Fingerprints `json:"fingerprints,omitempty"`
	// Decryption is present when key material was given.
	Decryption *Decryption `json:"decryption,omitempty"`
	Verdict    Verdict     `json:"verdict"`
	Errors     []Error     `json:"errors"`
}

// Endpoint is an IP address and TCP port.
type Endpoint struct {
	IP   string `json:"ip"`
	Port int    `json:"port"`
}

// PerSide counts something for each side.
type PerSide struct {
	Client int `json:"client"`
	Server int `json:"server"`
}

// PerSide64 counts bytes for each side.
type PerSide64 struct {
	Client int64 `json:"client"`
	Server int64 `json:"server"`
}

// TCPInfo is what the TCP layer showed.
type TCPInfo struct {
	SYNFrame    int       `json:"syn_frame,omitempty"`
	SYNACKFrame int       `json:"synack_frame,omitempty"`
	RTT         float64   `json:"rtt,omitempty"` // seconds, SYN -> SYN/ACK -> ACK
	Start       string    `json:"start_seen"`    // "syn" or "midstream"
	End         string    `json:"end_seen"`      // "fin", "rst", "idle" or "capture_end"
	FINFrame    PerSide   `json:"fin_frame"`
	RSTFrame    PerSide   `json:"rst_frame"`
	Gaps        PerSide   `json:"gaps"`
	Retransmit  PerSide64 `json:"retransmitted_bytes"`
}

// TLSInfo is what the handshake agreed and how it went.
type TLSInfo struct {
	Version            string   `json:"version,omitempty"`
	VersionCode        int      `json:"version_code,omitempty"`
	CipherSuite        string   `json:"cipher_suite,omitempty"`
	CipherSuiteCode    int      `json:"cipher_suite_code,omitempty"`
	ClientVersion      string   `json:"client_version,omitempty"`
	ClientVersionCode  int      `json:"client_version_code,omitempty"`
	Group              string   `json:"group,omitempty"`
	GroupCode          int      `json:"group_code,omitempty"`
	SNI                string   `json:"sni,omitempty"`
	ALPN               string   `json:"alpn,omitempty"`
	ALPNOffered        []string `json:"alpn_offered,omitempty"`
	Established        bool     `json:"established"`
	Resumed            bool     `json:"resumed"`
	HelloRetry         bool     `json:"hello_retry"`
	EncryptedHandshake bool     `json:"encrypted_handshake"`
	ClientHellos       int      `json:"client_hellos"`
	Records            PerSide  `json:"records"`
	AppData            AppData  `json:"application_data"`
	Alerts             []Alert  `json:"alerts"`

	Cipher               *CipherInfo `json:"cipher,omitempty"`
	ExtendedMasterSecret *bool       `json:"extended_master_secret,omitempty"` // TLS 1.2 and older: both sides sent extended_master_secret
	EncryptThenMAC       *bool       `json:"encrypt_then_mac,omitempty"`
	SecureRenegotiation  *bool       `json:"secure_renegotiation,omitempty"` // RFC 5746: renegotiation_info or the SCSV, answered by the server
	RecordSizeLimit      *PerSide    `json:"record_size_limit,omitempty"`
	Resumption           string      `json:"resumption,omitempty"` // session_id, session_ticket or psk
	SessionTicketOffered bool        `json:"session_ticket_offered"`
	PSKOffered           bool        `json:"psk_offered"`
	EarlyDataOffered     bool        `json:"early_data_offered"`
	// EarlyData, when 0-RTT was offered: accepted, rejected, or unknown
	// (TLS 1.3 without keys: the answer is in the encrypted EncryptedExtensions).
	EarlyData           string   `json:"early_data,omitempty"`
	HelloRetryGroup     string   `json:"hello_retry_group,omitempty"` // the group the server asked for
	HelloRetryGroupCode int      `json:"hello_retry_group_code,omitempty"`
	ECH                 *ECHInfo `json:"ech,omitempty"`
	Downgrade           string   `json:"downgrade_sentinel,omitempty"`
	// SignatureScheme is how the server signed its key exchange (TLS 1.2
	// ServerKeyExchange) or handshake (CertificateVerify, when visible).
	SignatureScheme     string `json:"signature_scheme,omitempty"`
	SignatureSchemeCode int    `json:"signature_scheme_code,omitempty"`
	// DHBits is the size of a finite-field DHE group (ServerKeyExchange).
	DHBits                     int   `json:"dh_bits,omitempty"`
	ClientCertificateRequested bool  `json:"client_certificate_requested"`
	ClientCertificateSent      *bool `json:"client_certificate_sent,omitempty"`
	// Renegotiations counts ServerHellos after the first. A renegotiation
	// runs under the first handshake's keys, so without them it shows only
	// as encrypted handshake records.
	Renegotiations int `json:"renegotiations,omitempty"`
	// Heartbeats are heartbeat records (RFC 6520), absent when none.
	Heartbeats []Heartbeat `json:"heartbeats,omitempty"`
	Timing     Timing      `json:"timing"`
	Failure    *Failure    `json:"failure,omitempty"`
}

// CipherInfo takes the negotiated cipher suite apart.
type CipherInfo struct {
	KeyExchange    string `json:"key_exchange"`
	Authentication string `json:"authentication"`
	Encryption     string `json:"encryption"`
	MAC            string `json:"mac"`
	AEAD           bool   `json:"aead"`
	ForwardSecrecy bool   `json:"forward_secrecy"`
	Export         bool   `json:"export,omitempty"`
}

// ECHInfo says what an Encrypted Client Hello offer showed.
type ECHInfo struct {
	Offered  bool   `json:"offered"`
	OuterSNI string `json:"outer_sni,omitempty"`
	ConfigID *int   `json:"config_id,omitempty"`
}

// Timing is measured on capture timestamps, in seconds.
type Timing struct {
	ClientHelloToServerHello *float64 `json:"client_hello_to_server_hello,omitempty"`
	Handshake                *float64 `json:"handshake,omitempty"` // ClientHello to the last Finished (TLS 1.3: the client's first encrypted record)
	Connection               float64  `json:"connection"`
}

// Failure explains a connection that did not establish.
type Failure struct {
	Reason      string `json:"reason"`
	Explanation string `json:"explanation"`
	Frame       int    `json:"frame,omitempty"`
}

// AppData counts application_data records (in TLS 1.3 these include the
// encrypted handshake, which cannot be told apart without keys).
type AppData struct {
	Records PerSide   `json:"records"`
	Bytes   PerSide64 `json:"bytes"`
}

// Alert is one alert seen in the connection.
type Alert struct {
	From        string `json:"from"`
	Level       string `json:"level,omitempty"`
	LevelCode   int    `json:"level_code,omitempty"`
	Description string `json:"description,omitempty"`
	// Code is absent for an alert that could not be read (encrypted, no keys).
	Code      *int `json:"code,omitempty"`
	Encrypted bool `json:"encrypted"`
	Decrypted bool `json:"decrypted,omitempty"`
	Frame     int  `json:"frame"`
	Record    int  `json:"record"`
	// InResponseTo is the last handshake message the other side sent
	// before this alert: what the alert most likely answered.
	InResponseTo string `json:"in_response_to,omitempty"`
}

// Heartbeat is one heartbeat record. Overread is the Heartbleed shape
// (CVE-2014-0160): a payload_length larger than the record can hold.
type Heartbeat struct {
	From             string `json:"from"`
	Encrypted        bool   `json:"encrypted"`
	Type             string `json:"heartbeat_type,omitempty"`
	TypeCode         int    `json:"heartbeat_type_code,omitempty"`
	PayloadLength    *int   `json:"payload_length,omitempty"`
	PayloadAvailable *int   `json:"payload_available,omitempty"`
	Overread         bool   `json:"overread"`
	Length           int    `json:"length"`
	Frame            int    `json:"frame"`
	Record           int    `json:"record"`
}

// Record is one TLS record and the frames that carried it.
type Record struct {
	Number        int      `json:"number"`
	From          string   `json:"from"`
	Type          string   `json:"type"`
	TypeCode      int      `json:"type_code"`
	Version       string   `json:"version"`
	VersionCode   int      `json:"version_code"`
	Length        int      `json:"length"`
	Frames        []int    `json:"frames"`
	Encrypted     bool     `json:"encrypted"`
	Decrypted     bool     `json:"decrypted,omitempty"`
	InnerType     string   `json:"inner_type,omitempty"` // TLS 1.3: the decrypted content type
	InnerTypeCode int      `json:"inner_type_code,omitempty"`
	SSLv2         bool     `json:"sslv2,omitempty"`
	Messages      []string `json:"messages,omitempty"`
}

// Error is one problem found in the connection: what and where.
type Error struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	Where   string `json:"where"` // tcp, record, handshake, extension
	From    string `json:"from,omitempty"`
	Frame   int    `json:"frame,omitempty"`
	Offset  int64  `json:"offset"`
	Record  int    `json:"record,omitempty"`
}
