package report

// Handshake message details written by hand: the messages of most
// handshakes, whose reflection was a third of a report's JSON. Each writes
// the members encoding/json writes for the dissect struct, each with a
// leading comma, to extend the Handshake object
// (TestDetailEncodersMatchEncodingJSON).

import (
	"strconv"

	"github.com/padlock-tls/padlock/dissect"
	"github.com/padlock-tls/padlock/internal/jsonenc"
)

// appendDetail writes a message's decoded fields as members of the object
// open in dst: by hand for the common messages and for report's own
// details, by reflection for the rest. A nil message adds nothing, as
// jsonenc.AppendFields does for null.
func appendDetail(dst []byte, v any) ([]byte, error) {
	switch m := v.(type) {
	case *dissect.ServerKeyExchangeMsg:
		return appendServerKeyExchange(dst, m), nil
	case *dissect.ClientKeyExchangeMsg:
		return appendClientKeyExchange(dst, m), nil
	case *dissect.NewSessionTicketMsg:
		return appendNewSessionTicket(dst, m)
	case *dissect.EncryptedExtensionsMsg:
		return appendEncryptedExtensions(dst, m)
	case *dissect.CertificateRequestMsg:
		return appendCertificateRequest(dst, m)
	case *dissect.FinishedMsg:
		if m != nil {
			dst = appendInt(dst, `,"verify_data_length":`, m.VerifyDataLength)
			dst = appendStr(dst, `,"verify_data":`, m.VerifyData)
		}
		return dst, nil
	case *dissect.CertificateVerifyMsg:
		if m != nil {
			dst = appendSignatureInfo(dst, &m.SignatureInfo)
		}
		return dst, nil
	case *dissect.EmptyMsg:
		return dst, nil
	case jsonenc.Appender:
		return appendMembers(dst, m)
	}
	return jsonenc.AppendFields(dst, v)
}

// appendMembers writes a's object as members of the object open in dst,
// as jsonenc.AppendFields does, without reflection.
func appendMembers(dst []byte, a jsonenc.Appender) ([]byte, error) {
	start := len(dst)
	dst, err := a.AppendJSON(dst)
	if err != nil {
		return dst[:start], err
	}
	if obj := dst[start:]; string(obj) == "{}" || string(obj) == "null" {
		return dst[:start], nil
	}
	dst[start] = ','
	return dst[:len(dst)-1], nil
}

func appendServerKeyExchange(dst []byte, m *dissect.ServerKeyExchangeMsg) []byte {
	if m == nil {
		return dst
	}
	dst = appendStr(dst, `,"key_exchange":`, m.KeyExchange)
	if m.Guessed {
		dst = append(dst, `,"key_exchange_guessed":true`...)
	}
	dst = appendOptIntPtr(dst, `,"psk_identity_hint_length":`, m.PSKIdentityHintLength)
	dst = appendOptString(dst, `,"psk_identity_hint":`, m.PSKIdentityHint)
	dst = appendOptString(dst, `,"psk_identity_hint_hex":`, m.PSKIdentityHintHex)
	if p := m.ECDHParams; p != nil {
		dst = append(dst, `,"curve_type":`...)
		dst = appendCodeName(dst, p.CurveType)
		dst = appendOptCodeName(dst, `,"named_group":`, p.NamedGroup)
		dst = appendOptIntPtr(dst, `,"public_key_length":`, p.PublicKeyLength)
	}
	if p := m.DHParams; p != nil {
		dst = appendInt(dst, `,"dh_p_length":`, p.PLength)
		dst = appendInt(dst, `,"prime_bits":`, p.PrimeBits)
		dst = appendInt(dst, `,"dh_g_length":`, p.GLength)
		dst = appendStr(dst, `,"dh_g":`, p.G)
		dst = appendOptUint(dst, `,"dh_g_int":`, p.GInt)
		dst = appendOptIntPtr(dst, `,"dh_ys_length":`, p.YsLength)
	}
	if p := m.RSAParams; p != nil {
		dst = appendInt(dst, `,"rsa_modulus_length":`, p.ModulusLength)
		dst = appendInt(dst, `,"rsa_modulus_bits":`, p.ModulusBits)
		dst = appendInt(dst, `,"rsa_exponent_length":`, p.ExponentLength)
		dst = appendOptUint(dst, `,"rsa_exponent":`, p.Exponent)
	}
	if p := m.SRPParams; p != nil {
		dst = appendInt(dst, `,"srp_n_length":`, p.NLength)
		dst = appendInt(dst, `,"srp_n_bits":`, p.NBits)
		dst = appendInt(dst, `,"srp_g_length":`, p.GLength)
		dst = appendInt(dst, `,"srp_s_length":`, p.SaltLength)
		dst = appendInt(dst, `,"srp_b_length":`, p.BLength)
	}
	if m.SignatureInfo != nil {
		dst = appendSignatureInfo(dst, m.SignatureInfo)
	}
	return appendOptIntPtr(dst, `,"params_length":`, m.ParamsLength)
}

func appendSignatureInfo(dst []byte, s *dissect.SignatureInfo) []byte {
	dst = appendOptCodeName(dst, `,"signature_scheme":`, s.SignatureScheme)
	return appendInt(dst, `,"signature_length":`, s.SignatureLength)
}

func appendClientKeyExchange(dst []byte, m *dissect.ClientKeyExchangeMsg) []byte {
	if m == nil {
		return dst
	}
	dst = appendStr(dst, `,"key_exchange":`, m.KeyExchange)
	if m.Guessed {
		dst = append(dst, `,"key_exchange_guessed":true`...)
	}
	dst = appendOptIntPtr(dst, `,"psk_identity_length":`, m.PSKIdentityLength)
	dst = appendOptString(dst, `,"psk_identity":`, m.PSKIdentity)
	dst = appendOptString(dst, `,"psk_identity_hex":`, m.PSKIdentityHex)
	dst = appendOptIntPtr(dst, `,"encrypted_pre_master_length":`, m.EncryptedPreMasterLength)
	dst = appendOptIntPtr(dst, `,"public_key_length":`, m.PublicKeyLength)
	dst = appendOptIntPtr(dst, `,"dh_yc_length":`, m.YcLength)
	dst = appendOptIntPtr(dst, `,"srp_a_length":`, m.SRPALength)
	if m.Implicit {
		dst = append(dst, `,"implicit_public_key":true`...)
	}
	return appendOptIntPtr(dst, `,"exchange_keys_length":`, m.ExchangeKeysLength)
}

func appendNewSessionTicket(dst []byte, m *dissect.NewSessionTicketMsg) ([]byte, error) {
	if m == nil {
		return dst, nil
	}
	dst = appendOptUint(dst, `,"ticket_lifetime_hint":`, m.LifetimeHint)
	dst = appendOptUint(dst, `,"ticket_lifetime":`, m.Lifetime)
	dst = appendOptUint(dst, `,"ticket_age_add":`, m.AgeAdd)
	if m.Nonce != nil {
		dst = appendStr(dst, `,"ticket_nonce":`, *m.Nonce)
	}
	dst = appendInt(dst, `,"ticket_length":`, m.TicketLen)
	dst = appendStr(dst, `,"ticket":`, m.Ticket)
	dst, err := appendOptExtensions(dst, m.Extensions)
	if err != nil {
		return dst, err
	}
	return appendOptUint(dst, `,"max_early_data_size":`, m.MaxEarlyData), nil
}

func appendEncryptedExtensions(dst []byte, m *dissect.EncryptedExtensionsMsg) ([]byte, error) {
	if m == nil {
		return dst, nil
	}
	dst = appendInt(dst, `,"extensions_length":`, m.ExtensionsLength)
	dst = append(dst, `,"extensions":`...)
	// A nil list too: encoding/json calls a slice's MarshalJSON.
	return m.Extensions.AppendJSON(dst)
}

func appendCertificateRequest(dst []byte, m *dissect.CertificateRequestMsg) ([]byte, error) {
	if m == nil {
		return dst, nil
	}
	if len(m.CertificateTypes) > 0 {
		dst = append(dst, `,"certificate_types":`...)
		dst = appendCodeNames(dst, m.CertificateTypes)
	}
	if len(m.SignatureAlgorithms) > 0 {
		dst = append(dst, `,"signature_algorithms":`...)
		dst = appendCodeNames(dst, m.SignatureAlgorithms)
	}
	dst = appendOptIntPtr(dst, `,"certificate_authorities_length":`, m.CertificateAuthoritiesLength)
	dst = appendOptIntPtr(dst, `,"distinguished_name_count":`, m.DistinguishedNameCount)
	if len(m.DistinguishedNameLengths) > 0 {
		dst = append(dst, `,"distinguished_name_lengths":`...)
		dst = appendInts(dst, m.DistinguishedNameLengths)
	}
	if len(m.DistinguishedNames) > 0 {
		dst = append(dst, `,"distinguished_names":`...)
		dst = appendStrings(dst, m.DistinguishedNames)
	}
	if m.Context != nil {
		dst = appendStr(dst, `,"certificate_request_context":`, *m.Context)
	}
	return appendOptExtensions(dst, m.Extensions)
}

// AppendJSON writes the Certificate message's shape as encoding/json
// would.
func (d certificateMsgDetail) AppendJSON(dst []byte) ([]byte, error) {
	start := len(dst)
	if d.Context != nil {
		dst = appendStr(dst, `,"certificate_request_context":`, *d.Context)
	}
	dst = appendInt(dst, `,"certificates_length":`, d.ListLength)
	dst = appendInt(dst, `,"certificate_count":`, d.Count)
	if d.Capped {
		dst = append(dst, `,"certificates_capped":true`...)
	}
	dst = append(dst, `,"certificates":`...)
	dst, err := appendList(dst, d.Entries, (*certificateEntry).AppendJSON)
	return closeObject(dst, start), err
}

// AppendJSON writes the chain entry as encoding/json would.
func (e *certificateEntry) AppendJSON(dst []byte) ([]byte, error) {
	dst = appendInt(dst, `{"length":`, e.Length)
	dst = appendOptString(dst, `,"sha256":`, e.SHA256)
	dst = appendOptString(dst, `,"subject":`, e.Subject)
	dst = appendOptString(dst, `,"issuer":`, e.Issuer)
	dst = appendOptIntPtr(dst, `,"certificate":`, e.Index)
	dst, err := appendOptExtensions(dst, e.Extensions)
	if err != nil {
		return dst, err
	}
	if e.OCSP != nil {
		dst = append(dst, `,"ocsp_response":`...)
		if dst, err = jsonenc.Append(dst, e.OCSP); err != nil {
			return dst, err
		}
	}
	return append(dst, '}'), nil
}

// AppendJSON writes the CompressedCertificate as encoding/json would.
func (d compressedCertificateDetail) AppendJSON(dst []byte) ([]byte, error) {
	dst = append(dst, `{"algorithm":`...)
	dst = appendCodeName(dst, d.Algorithm)
	dst = appendInt(dst, `,"uncompressed_length":`, d.UncompressedLength)
	dst = appendInt(dst, `,"compressed_length":`, d.CompressedLength)
	if d.Certificate != nil {
		dst = append(dst, `,"certificate":`...)
		var err error
		if dst, err = d.Certificate.AppendJSON(dst); err != nil {
			return dst, err
		}
	}
	return append(dst, '}'), nil
}

// appendOptExtensions writes an extensions member unless the list is
// empty (omitempty).
func appendOptExtensions(dst []byte, l dissect.ExtensionList) ([]byte, error) {
	if len(l) == 0 {
		return dst, nil
	}
	dst = append(dst, `,"extensions":`...)
	return l.AppendJSON(dst)
}

func appendCodeName(dst []byte, c dissect.CodeName) []byte {
	dst = appendInt(dst, `{"code":`, c.Code)
	dst = appendStr(dst, `,"name":`, c.Name)
	return append(dst, '}')
}

// appendOptCodeName writes key and *c unless c is nil (omitempty).
func appendOptCodeName(dst []byte, key string, c *dissect.CodeName) []byte {
	if c == nil {
		return dst
	}
	dst = append(dst, key...)
	return appendCodeName(dst, *c)
}

// appendCodeNames writes a non-empty list of code names.
func appendCodeNames(dst []byte, l []dissect.CodeName) []byte {
	dst = append(dst, '[')
	for i, c := range l {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = appendCodeName(dst, c)
	}
	return append(dst, ']')
}

// appendOptUint writes key and *n unless n is nil (omitempty).
func appendOptUint[T ~uint32 | ~uint64](dst []byte, key string, n *T) []byte {
	if n == nil {
		return dst
	}
	dst = append(dst, key...)
	return strconv.AppendUint(dst, uint64(*n), 10)
}

// appendExtensionFields writes a hello extension's decoded fields as
// members of its object: by hand for those in most hellos that the
// extension cache does not keep, by reflection for the rest.
func appendExtensionFields(dst []byte, v any) ([]byte, error) {
	switch x := v.(type) {
	case *dissect.ServerNameExt:
		if x != nil {
			dst = appendServerName(dst, x)
		}
		return dst, nil
	case *dissect.SessionTicketExt:
		if x != nil {
			dst = appendInt(dst, `,"ticket_length":`, x.Length)
			dst = appendOptString(dst, `,"ticket":`, x.Ticket)
		}
		return dst, nil
	case *dissect.KeyShareExt:
		if x != nil {
			dst = appendKeyShare(dst, x)
		}
		return dst, nil
	}
	return jsonenc.AppendFields(dst, v)
}

func appendServerName(dst []byte, x *dissect.ServerNameExt) []byte {
	dst = appendOptInt(dst, `,"server_name_list_length":`, x.ListLength)
	if len(x.Names) == 0 {
		return dst
	}
	dst = append(dst, `,"server_names":[`...)
	for i, n := range x.Names {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = append(dst, `{"type":`...)
		dst = appendCodeName(dst, n.Type)
		dst = appendInt(dst, `,"length":`, n.Length)
		dst = appendStr(dst, `,"name":`, n.Name)
		dst = append(dst, '}')
	}
	return append(dst, ']')
}

func appendKeyShare(dst []byte, x *dissect.KeyShareExt) []byte {
	if len(x.ClientShares) > 0 {
		dst = append(dst, `,"client_shares":[`...)
		for i := range x.ClientShares {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = appendKeyShareInfo(dst, &x.ClientShares[i])
		}
		dst = append(dst, ']')
	}
	if x.ServerShare != nil {
		dst = append(dst, `,"server_share":`...)
		dst = appendKeyShareInfo(dst, x.ServerShare)
	}
	return appendOptCodeName(dst, `,"selected_group":`, x.SelectedGroup)
}

func appendKeyShareInfo(dst []byte, k *dissect.KeyShareInfo) []byte {
	dst = append(dst, `{"group":`...)
	dst = appendCodeName(dst, k.Group)
	dst = appendInt(dst, `,"key_exchange_length":`, k.KeyExchangeLength)
	return append(dst, '}')
}
