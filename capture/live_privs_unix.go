//go:build unix

package capture

import (
	"fmt"
	"os"
	"os/user"
	"strconv"
	"syscall"
)

// DropPrivileges switches to user (a name or numeric id) and its primary
// group, with no supplementary groups, as tcpdump -Z does after opening
// the capture. It does nothing unless the process runs as root.
func DropPrivileges(user string) error {
	if os.Geteuid() != 0 && os.Getuid() != 0 {
		return nil
	}
	uid, gid, err := lookupUser(user)
	if err != nil {
		return err
	}
	// The syscall package applies these to every thread of the process.
	if err := syscall.Setgroups([]int{gid}); err != nil {
		return fmt.Errorf("capture: dropping privileges to %s: setgroups: %v", user, err)
	}
	if err := syscall.Setgid(gid); err != nil {
		return fmt.Errorf("capture: dropping privileges to %s: setgid: %v", user, err)
	}
	if err := syscall.Setuid(uid); err != nil {
		return fmt.Errorf("capture: dropping privileges to %s: setuid: %v", user, err)
	}
	return nil
}

// lookupUser finds a user by name or number (os/user reads /etc/passwd
// without cgo).
func lookupUser(name string) (uid, gid int, err error) {
	u, err := user.Lookup(name)
	if err != nil {
		var uerr error
		if u, uerr = user.LookupId(name); uerr != nil {
			// A number with no passwd entry is taken as uid and gid,
			// as setpriv and containers do.
			if n, nerr := strconv.Atoi(name); nerr == nil && n > 0 {
				return n, n, nil
			}
			return 0, 0, fmt.Errorf("capture: no user %q to drop privileges to", name)
		}
	}
	uid, err1 := strconv.Atoi(u.Uid)
	gid, err2 := strconv.Atoi(u.Gid)
	if err1 != nil || err2 != nil {
		return 0, 0, fmt.Errorf("capture: user %q has a non-numeric id %s:%s", name, u.Uid, u.Gid)
	}
	return uid, gid, nil
}
