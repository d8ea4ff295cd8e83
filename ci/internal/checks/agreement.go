package checks

import (
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
)

// Facts are what the four sources say about the one deployed service. Agreement compares
// them. A View that is not Known is left out of every comparison.
type Facts struct {
	Dockerfile View // from DockerfileView
	Compose    View // from ComposeView, for the deployed service
	Image      View // from ImageView
	Container  View // from ContainerView, completed by the hardened run
}

// View is what one source says. Empty fields mean the source says nothing about that fact.
type View struct {
	// Known says the source was read; the other fields count only then.
	Known bool
	// Source names the source in messages: "Dockerfile", "compose", "image", "container".
	Source string

	// User is the user the service runs as, as the source states it: "1000:1000", "1000",
	// "app". For the container it is the effective "uid:gid" the kernel reports.
	User string
	// Healthcheck is the health test in Docker's form: ["CMD", "/bin", "arg"],
	// ["CMD-SHELL", "script"] or ["NONE"]; nil when the source sets none (compose then
	// inherits the image's).
	Healthcheck []string
	// Ports are the container ports: EXPOSE in the Dockerfile and the image, the container
	// side of compose `ports:`, and for the container the port the service listens on
	// (ListenPort of its listen address).
	Ports []int
	// DataPath is where the data volume is mounted: the compose service's named volume's
	// target, the image's VOLUME.
	DataPath string
	// DataOwner is the owner "uid:gid" of DataPath: the directory in the image (a fresh named
	// volume copies it), or the mount point as stat sees it inside the running container.
	// "absent" means the image has no such directory, so a fresh volume is owned by root.
	DataOwner string

	// At says where each fact was read, by field name ("User", "Healthcheck", "Ports",
	// "DataPath", "DataOwner"), for the findings' locations.
	At map[string]Location
}

// where returns the location of a fact, or one that names the source.
func (v View) where(field string) Location {
	if l, ok := v.At[field]; ok {
		return l
	}
	return Location{Path: v.Source}
}

// views returns the known views in a fixed order: Dockerfile, image, compose, container.
func (f Facts) views() []View {
	var out []View
	for _, v := range []View{f.Dockerfile, f.Image, f.Compose, f.Container} {
		if v.Known {
			out = append(out, v)
		}
	}
	return out
}

// Agreement checks that the sources agree: the same user, the same health check, a data
// volume owned by the service's user, and one port exposed, published and listened on.
func Agreement(f Facts) []Finding {
	var out []Finding
	out = append(out, agreeUser(f)...)
	out = append(out, agreeHealthcheck(f)...)
	out = append(out, agreeOwner(f)...)
	out = append(out, agreePorts(f)...)
	return out
}

// splitUser splits "uid[:gid]".
func splitUser(u string) (user, group string) {
	user, group, _ = strings.Cut(strings.TrimSpace(u), ":")
	return user, group
}

// agreeUser compares every source that states a user with the first that does.
func agreeUser(f Facts) []Finding {
	var ref *View
	var out []Finding
	for _, v := range f.views() {
		if v.User == "" {
			continue
		}
		if ref == nil {
			ref = &v
			continue
		}
		ru, rg := splitUser(ref.User)
		u, g := splitUser(v.User)
		if ru != u || rg != "" && g != "" && rg != g {
			out = append(out, rule("WM-AG-001").At(fmt.Sprintf("the %s runs as %q, the %s as %q",
				v.Source, v.User, ref.Source, ref.User), v.where("User")))
		}
	}
	return out
}

// serviceUser is the user the deployed service runs as: what the container reports, else
// what compose sets, else the image's, else the Dockerfile's.
func (f Facts) serviceUser() (View, bool) {
	for _, v := range []View{f.Container, f.Compose, f.Image, f.Dockerfile} {
		if v.Known && v.User != "" {
			return v, true
		}
	}
	return View{}, false
}

// agreeHealthcheck compares the health tests of every source that sets one.
func agreeHealthcheck(f Facts) []Finding {
	var ref *View
	var out []Finding
	for _, v := range f.views() {
		if len(v.Healthcheck) == 0 {
			continue
		}
		if ref == nil {
			ref = &v
			continue
		}
		if !slices.Equal(normalTest(v.Healthcheck), normalTest(ref.Healthcheck)) {
			out = append(out, rule("WM-AG-002").At(fmt.Sprintf("the %s health test is %q, the %s's %q",
				v.Source, v.Healthcheck, ref.Source, ref.Healthcheck), v.where("Healthcheck")))
		}
	}
	return out
}

// normalTest writes a health test the way Docker stores it: compose's single-string form
// and "CMD-SHELL" arrays compare equal when they run the same script.
func normalTest(t []string) []string {
	if len(t) == 0 {
		return nil
	}
	switch t[0] {
	case "CMD", "NONE":
		return t
	case "CMD-SHELL":
		return []string{"CMD-SHELL", strings.Join(strings.Fields(strings.Join(t[1:], " ")), " ")}
	}
	return []string{"CMD-SHELL", strings.Join(strings.Fields(strings.Join(t, " ")), " ")}
}

// agreeOwner requires the data directory in the image and the mount point in the container
// to belong to the service's uid (and gid, when both are known).
func agreeOwner(f Facts) []Finding {
	user, ok := f.serviceUser()
	if !ok {
		return nil
	}
	uid, gid := splitUser(user.User)
	var out []Finding
	for _, v := range []View{f.Image, f.Container} {
		if !v.Known || v.DataOwner == "" {
			continue
		}
		if v.DataOwner == "absent" {
			out = append(out, rule("WM-AG-003").At(fmt.Sprintf("the image has no %s, so a fresh volume there is owned by root, not %s",
				v.DataPath, user.User), v.where("DataOwner")))
			continue
		}
		ou, og := splitUser(v.DataOwner)
		if !isNumber(uid) || ou != uid || gid != "" && isNumber(gid) && og != gid {
			out = append(out, rule("WM-AG-003").At(fmt.Sprintf("in the %s, %s is owned by %s; the service runs as %s (%s)",
				v.Source, v.DataPath, v.DataOwner, user.User, user.Source), v.where("DataOwner")))
		}
	}
	return out
}

// agreePorts requires the listen port to be exposed and published, and every published
// container port to be exposed.
func agreePorts(f Facts) []Finding {
	var out []Finding
	exposers := []View{}
	for _, v := range []View{f.Dockerfile, f.Image} {
		if v.Known {
			exposers = append(exposers, v)
		}
	}
	if f.Container.Known && len(f.Container.Ports) > 0 {
		listen := f.Container.Ports[0]
		for _, v := range append(exposers, f.Compose) {
			if v.Known && !slices.Contains(v.Ports, listen) {
				out = append(out, rule("WM-AG-004").At(fmt.Sprintf("the service listens on %d, the %s names %s",
					listen, v.Source, portList(v.Ports)), v.where("Ports")))
			}
		}
	}
	if f.Compose.Known {
		for _, p := range f.Compose.Ports {
			for _, v := range exposers {
				if !slices.Contains(v.Ports, p) {
					out = append(out, rule("WM-AG-004").At(fmt.Sprintf("compose publishes container port %d, the %s exposes %s",
						p, v.Source, portList(v.Ports)), f.Compose.where("Ports")))
				}
			}
		}
	}
	if f.Dockerfile.Known && f.Image.Known && !sameSet(f.Dockerfile.Ports, f.Image.Ports) {
		out = append(out, rule("WM-AG-004").At(fmt.Sprintf("the Dockerfile exposes %s, the image %s",
			portList(f.Dockerfile.Ports), portList(f.Image.Ports)), f.Image.where("Ports")))
	}
	return out
}

func portList(ports []int) string {
	if len(ports) == 0 {
		return "no port"
	}
	s := make([]string, len(ports))
	for i, p := range ports {
		s[i] = strconv.Itoa(p)
	}
	return strings.Join(s, ", ")
}

func sameSet(a, b []int) bool {
	x, y := slices.Clone(a), slices.Clone(b)
	sort.Ints(x)
	sort.Ints(y)
	return slices.Equal(slices.Compact(x), slices.Compact(y))
}

// ListenPort reads the port of a listen address such as ":8000", "0.0.0.0:8000",
// "[::]:8000" or "8000", for View.Ports of the container.
func ListenPort(addr string) (int, error) {
	addr = strings.TrimSpace(addr)
	p := addr
	if i := strings.LastIndex(addr, ":"); i >= 0 {
		p = addr[i+1:]
	}
	n, err := strconv.Atoi(p)
	if err != nil || n < 1 || n > 65535 {
		return 0, fmt.Errorf("listen address %q has no port in 1-65535", addr)
	}
	return n, nil
}
