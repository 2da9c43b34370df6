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
	Errors      []Error     `json:"errors"`
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
	Code        int    `json:"code"`
	Encrypted   bool   `json:"encrypted"`
	Frame       int    `json:"frame"`
	Record      int    `json:"record"`
}

// Record is one TLS record and the frames that carried it.
type Record struct {
	Number      int      `json:"number"`
	From        string   `json:"from"`
	Type        string   `json:"type"`
	TypeCode    int      `json:"type_code"`
	Version     string   `json:"version"`
	VersionCode int      `json:"version_code"`
	Length      int      `json:"length"`
	Frames      []int    `json:"frames"`
	Encrypted   bool     `json:"encrypted"`
	SSLv2       bool     `json:"sslv2,omitempty"`
	Messages    []string `json:"messages,omitempty"`
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
