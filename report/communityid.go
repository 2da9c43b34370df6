package report

import (
	"bytes"
	"crypto/sha1"
	"encoding/base64"
	"encoding/binary"
	"net/netip"
)

// CommunityID computes the Community ID v1 flow hash (corelight/community-id-spec):
// "1:" + base64(SHA-1(seed ‖ src ip ‖ dst ip ‖ proto ‖ 0 ‖ src port ‖ dst port)),
// with the endpoints ordered so both directions give the same ID.
func CommunityID(src, dst netip.Addr, sport, dport uint16, proto uint8, seed uint16) string {
	sb, db := src.Unmap().AsSlice(), dst.Unmap().AsSlice()
	if c := bytes.Compare(sb, db); c > 0 || (c == 0 && sport > dport) {
		sb, db = db, sb
		sport, dport = dport, sport
	}
	h := sha1.New()
	var buf [2]byte
	binary.BigEndian.PutUint16(buf[:], seed)
	h.Write(buf[:])
	h.Write(sb)
	h.Write(db)
	h.Write([]byte{proto, 0})
	binary.BigEndian.PutUint16(buf[:], sport)
	h.Write(buf[:])
	binary.BigEndian.PutUint16(buf[:], dport)
	h.Write(buf[:])
	return "1:" + base64.StdEncoding.EncodeToString(h.Sum(nil))
}
