package report

import (
	"net/netip"
	"testing"

	"github.com/stretchr/testify/assert"
)

// Reference vectors of the Community ID spec (corelight/community-id-spec
// README and its implementations' tests), both directions of each flow.
func TestCommunityID(t *testing.T) {
	ip := netip.MustParseAddr
	tests := []struct {
		src, dst     string
		sport, dport uint16
		seed         uint16
		want         string
	}{
		{"128.232.110.120", "66.35.250.204", 34855, 80, 0, "1:LQU9qZlK+B5F3KDmev6m5PMibrg="},
		{"66.35.250.204", "128.232.110.120", 80, 34855, 0, "1:LQU9qZlK+B5F3KDmev6m5PMibrg="},
		{"2001:470:e5bf:dead:4957:2174:e82c:4887", "2607:f8b0:400c:c03::1a", 63943, 25, 0, "1:/qFaeAR+gFe1KYjMzVDsMv+wgU4="},
	}
	for _, tc := range tests {
		assert.Equal(t, tc.want, CommunityID(ip(tc.src), ip(tc.dst), tc.sport, tc.dport, 6, tc.seed))
	}
}
