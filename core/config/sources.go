package config

import (
	"fmt"
	"strings"
)

// Source kinds, as `assentry config show` prints them.
const (
	SourceDefault   = "default"   // the key was not set: its default applies
	SourceInherited = "inherited" // a host's key taken from the top level (followed by where that was set)
)

// Sources records where each key of a configuration was set: key path ("registration.ttl", "hosts[1].issuer",
// "builtin_policy.consent") → "file:LINE" or "env:ASSENTRY_NAME". The file decoder fills it with the line of each
// key, then the environment overlay overwrites the keys it sets (it wins over the file). A key absent from it was
// left unset, so its default applies. The zero value is not usable; a nil *Sources records nothing.
type Sources struct {
	keys  map[string]string
	hosts bool // the file has a hosts list: host keys of the top level are inherited
}

func newSources() *Sources { return &Sources{keys: map[string]string{}} }

// setFile records that the key at path was written on line of the file.
func (s *Sources) setFile(path string, line int) {
	if s != nil && path != "" {
		s.keys[path] = fmt.Sprintf("file:%d", line)
	}
}

// setEnv records that the variable name set the key at path; an empty value reset it to its default.
func (s *Sources) setEnv(path, name string, reset bool) {
	if s == nil {
		return
	}
	for k := range s.keys { // the variable replaces the whole value, a list's items and a section's keys included
		if strings.HasPrefix(k, path+".") || strings.HasPrefix(k, path+"[") {
			delete(s.keys, k)
		}
	}
	if reset {
		delete(s.keys, path)
		return
	}
	s.keys[path] = "env:" + name
}

// Top returns the source of a top-level key path (listen, http.idle_timeout, or a host key of the top level).
func (s *Sources) Top(key string) string {
	if src, ok := s.keys[key]; ok {
		return src
	}
	return SourceDefault
}

// HostKey returns the key path where host i's key was written, for reporting a problem with its value: under the
// host's entry ("hosts[1].theme") when the entry sets it or there is nothing to inherit, else the top level's key
// ("theme") that the host inherits.
func (s *Sources) HostKey(i int, key string) string {
	if !s.hosts {
		return key
	}
	own := fmt.Sprintf("hosts[%d].%s", i, key)
	if _, ok := s.keys[own]; ok {
		return own
	}
	if _, ok := s.keys[key]; ok {
		return key
	}
	return own
}

// Host returns the source of host i's key (a key path within a host: "issuer", "registration.key"). With a hosts
// list, a key the entry does not set and the top level does is "inherited from " the top level's source.
func (s *Sources) Host(i int, key string) string {
	if !s.hosts {
		return s.Top(key)
	}
	own := fmt.Sprintf("hosts[%d].", i)
	if src, ok := s.keys[own+key]; ok {
		return src
	}
	if key == "id" || key == "hostnames" {
		return SourceDefault // never inherited
	}
	// A list is inherited whole or not at all: a key inside the host's own list that the host left unset is a
	// default, not the top level's value at the same index.
	if list, _, ok := strings.Cut(key, "["); ok {
		if _, set := s.keys[own+list]; set {
			return SourceDefault
		}
	}
	if src, ok := s.keys[key]; ok {
		return SourceInherited + " from " + src
	}
	return SourceDefault
}
