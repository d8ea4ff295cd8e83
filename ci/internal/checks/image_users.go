package checks

import (
	"fmt"
	"strconv"
	"strings"
)

// account is one line of /etc/passwd or /etc/group.
type account struct {
	name     string
	password string
	id       int
	gid      int      // passwd: the primary group
	members  []string // group: the member names
	line     int
}

// parseAccounts reads /etc/passwd (seven fields) or /etc/group (four fields). Lines that do
// not have that shape are skipped.
func parseAccounts(b []byte, group bool) []account {
	var out []account
	for i, line := range strings.Split(string(b), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		f := strings.Split(line, ":")
		want := 7
		if group {
			want = 4
		}
		if len(f) != want {
			continue
		}
		id, err := strconv.Atoi(f[2])
		if err != nil || id < 0 {
			continue
		}
		a := account{name: f[0], password: f[1], id: id, line: i + 1}
		if group {
			for _, m := range strings.Split(f[3], ",") {
				if m = strings.TrimSpace(m); m != "" {
					a.members = append(a.members, m)
				}
			}
		} else if a.gid, err = strconv.Atoi(f[3]); err != nil {
			continue
		}
		out = append(out, a)
	}
	return out
}

// identity is a resolved user: what the kernel will see.
type identity struct {
	uid, gid int
	groups   []int // supplementary groups
	name     string
}

// resolveUser turns an image's Config.User ("uid", "uid:gid", "name", "name:group") into
// ids the way Docker does: names through the image's /etc/passwd and /etc/group, a missing
// group from the user's passwd entry or else 0. An empty user is root.
func (fs *imageFS) resolveUser(user string) (identity, error) {
	passwd := parseAccounts(fs.kept["/etc/passwd"], false)
	groups := parseAccounts(fs.kept["/etc/group"], true)
	u, g, hasGroup := strings.Cut(user, ":")
	id := identity{}
	if u == "" {
		u = "0"
	}
	if n, err := strconv.Atoi(u); err == nil && n >= 0 {
		id.uid = n
		for _, a := range passwd {
			if a.id == n {
				id.gid, id.name = a.gid, a.name
				break
			}
		}
	} else {
		found := false
		for _, a := range passwd {
			if a.name == u {
				id.uid, id.gid, id.name, found = a.id, a.gid, a.name, true
				break
			}
		}
		if !found {
			return id, fmt.Errorf("user %q is not in the image's /etc/passwd", u)
		}
	}
	if hasGroup {
		if n, err := strconv.Atoi(g); err == nil && n >= 0 {
			id.gid = n
		} else {
			found := false
			for _, a := range groups {
				if a.name == g {
					id.gid, found = a.id, true
					break
				}
			}
			if !found {
				return id, fmt.Errorf("group %q is not in the image's /etc/group", g)
			}
		}
	}
	for _, a := range groups {
		if id.name != "" && contains(a.members, id.name) {
			id.groups = append(id.groups, a.id)
		}
	}
	return id, nil
}

// mayExecute reports whether id may run f: the owner, group and other bits as the kernel
// reads them, and root with any execute bit.
func (id identity) mayExecute(f file) bool {
	return id.may(f, 0o1)
}

// may reports whether id has the permission bit (1 execute, 2 write, 4 read) on f.
func (id identity) may(f file, bit int64) bool {
	switch {
	case id.uid == 0:
		return bit != 1 || f.isDir() || f.mode&0o111 != 0
	case f.uid == id.uid:
		return f.mode&(bit<<6) != 0
	case f.gid == id.gid || containsInt(id.groups, f.gid):
		return f.mode&(bit<<3) != 0
	}
	return f.mode&bit != 0
}

func containsInt(list []int, n int) bool {
	for _, v := range list {
		if v == n {
			return true
		}
	}
	return false
}

// accountFindings checks the image's accounts: no account without a password hash, no
// duplicate ids or names.
func (fs *imageFS) accountFindings() []Finding {
	var out []Finding
	passwd := parseAccounts(fs.kept["/etc/passwd"], false)
	for _, a := range passwd {
		if a.password == "" {
			out = append(out, rule("WM-IM-019").At(fmt.Sprintf("/etc/passwd line %d: account %s has an empty password field", a.line, a.name),
				Location{Path: "/etc/passwd"}))
		}
	}
	for i, line := range strings.Split(string(fs.kept["/etc/shadow"]), "\n") {
		f := strings.Split(strings.TrimSpace(line), ":")
		if len(f) >= 2 && f[0] != "" && f[1] == "" {
			out = append(out, rule("WM-IM-019").At(fmt.Sprintf("/etc/shadow line %d: account %s has an empty password hash", i+1, f[0]),
				Location{Path: "/etc/shadow"}))
		}
	}
	out = append(out, duplicates("/etc/passwd", "uid", passwd)...)
	out = append(out, duplicates("/etc/group", "gid", parseAccounts(fs.kept["/etc/group"], true))...)
	return out
}

// duplicates reports ids and names that appear on more than one line of an account file.
func duplicates(file, what string, accounts []account) []Finding {
	var out []Finding
	ids, names := map[int]account{}, map[string]account{}
	for _, a := range accounts {
		if b, ok := ids[a.id]; ok {
			out = append(out, rule("WM-IM-020").At(fmt.Sprintf("%s line %d: %s %d of %s is also %s's (line %d)",
				file, a.line, what, a.id, a.name, b.name, b.line), Location{Path: file}))
		} else {
			ids[a.id] = a
		}
		if b, ok := names[a.name]; ok {
			out = append(out, rule("WM-IM-020").At(fmt.Sprintf("%s line %d: name %s is also on line %d",
				file, a.line, a.name, b.line), Location{Path: file}))
		} else {
			names[a.name] = a
		}
	}
	return out
}
