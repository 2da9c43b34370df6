//go:build linux && !libpcap

package capture

import (
	"fmt"
	"net"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/gopacket/gopacket/layers"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestInterfaces(t *testing.T) {
	list, err := Interfaces()
	require.NoError(t, err)
	var names []string
	for _, i := range list {
		names = append(names, i.Name)
	}
	assert.Contains(t, names, "any")
	assert.Contains(t, names, "lo")
	for i, ifc := range list {
		name, err := ResolveInterface(strconv.Itoa(i + 1))
		require.NoError(t, err)
		assert.Equal(t, ifc.Name, name, "-i N is the Nth interface of -D")
	}
	_, err = ResolveInterface("padlock-nope0")
	var nie *NoInterfaceError
	require.ErrorAs(t, err, &nie)
	assert.Contains(t, err.Error(), "padlock -D")
	_, err = ResolveInterface(strconv.Itoa(len(list) + 1))
	assert.Error(t, err)
	assert.Equal(t, "lo [Up, Running, Loopback]", Interface{Name: "lo", Up: true, Running: true, Loopback: true}.String())
}

func TestOpenLiveErrorsBeforePrivileges(t *testing.T) {
	_, err := OpenLive(LiveOptions{Interface: "padlock-nope0"})
	var nie *NoInterfaceError
	require.ErrorAs(t, err, &nie)

	t.Setenv("PADLOCK_TCPDUMP", "")
	_, err = OpenLive(LiveOptions{Interface: "lo", Filter: "tcp"})
	require.ErrorIs(t, err, ErrNoTcpdump)
}

func TestHardwareType(t *testing.T) {
	hw, err := hardwareType("lo")
	require.NoError(t, err)
	assert.EqualValues(t, 772, hw, "ARPHRD_LOOPBACK")
}

// TestLiveLoopback captures UDP datagrams sent over the loopback
// interface, as "lo" (Ethernet framing) and as "any" (cooked, SLL2), with
// a filter. It needs root (or CAP_NET_RAW).
func TestLiveLoopback(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("live capture needs root or CAP_NET_RAW")
	}
	tcpdumpOrSkip(t)
	for _, tc := range []struct {
		iface, method string
		lt            layers.LinkType
	}{
		{"lo", "ring", layers.LinkTypeEthernet},
		{"lo", "socket", layers.LinkTypeEthernet},
		{"any", "ring", layers.LinkTypeLinuxSLL2},
	} {
		t.Run(tc.iface+"/"+tc.method, func(t *testing.T) {
			conn, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
			require.NoError(t, err)
			defer conn.Close()
			port := conn.LocalAddr().(*net.UDPAddr).Port

			src, err := OpenLive(LiveOptions{Interface: tc.iface, Method: tc.method, Snaplen: 100,
				Filter: fmt.Sprintf("udp dst port %d", port)})
			require.NoError(t, err)
			defer src.Close()
			assert.Equal(t, tc.lt, src.LinkType())
			assert.Equal(t, 100, src.Snaplen())

			// Send until the capture sees three, then one more that must not
			// pass the filter (another port).
			payload := make([]byte, 300)
			out, err := net.DialUDP("udp4", nil, conn.LocalAddr().(*net.UDPAddr))
			require.NoError(t, err)
			defer out.Close()
			other, err := net.DialUDP("udp4", nil, &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: port + 1})
			require.NoError(t, err)
			defer other.Close()
			done := make(chan struct{})
			defer close(done)
			go func() {
				tk := time.NewTicker(20 * time.Millisecond)
				defer tk.Stop()
				for {
					other.Write(payload)
					out.Write(payload)
					select {
					case <-done:
						return
					case <-tk.C:
					}
				}
			}()
			timer := time.AfterFunc(10*time.Second, src.Stop)
			defer timer.Stop()
			dec := NewDecoder()
			for i := 1; i <= 3; i++ {
				p, err := src.Next()
				require.NoError(t, err, "no packet within 10 s")
				assert.Equal(t, i, p.Frame)
				assert.Equal(t, tc.lt, p.LinkType)
				assert.LessOrEqual(t, len(p.Data), 100, "snap length")
				assert.Greater(t, p.Length, 300)
				assert.WithinDuration(t, time.Now(), p.Time, 5*time.Second)
				_, _, err = dec.Decode(p)
				require.NoError(t, err)
				prog, err := Compile(fmt.Sprintf("udp dst port %d", port), tc.lt, 100)
				require.NoError(t, err)
				assert.True(t, prog.Match(p.Data, p.Length), "the packet passes the filter in userspace too")
				if tc.iface == "any" {
					assert.Equal(t, []byte{0x08, 0x00}, p.Data[0:2], "SLL2 protocol")
					assert.EqualValues(t, 0, p.Data[10], "PACKET_HOST: the outgoing copy on lo is dropped")
				}
			}
			src.Stop()
			_, err = src.Next()
			assert.ErrorIs(t, err, ErrStopped)
			st := src.Stats()
			assert.EqualValues(t, 3, st.Captured)
			assert.GreaterOrEqual(t, st.Received, int64(3))
		})
	}
}
